# A Java runtime image made from a JDK already on this machine (ci.sh copies one of at least
# Java 21 into the context's jdk/ folder): Debian's bookworm packages stop at Java 17, and
# Apicurio Registry 3.3 needs 21. Laid out like eclipse-temurin's images (/opt/java/openjdk).
ARG BASE_IMAGE=lapse/debian:bookworm
FROM ${BASE_IMAGE}
COPY jdk/ /opt/java/openjdk/
ENV JAVA_HOME=/opt/java/openjdk PATH=/opt/java/openjdk/bin:$PATH
