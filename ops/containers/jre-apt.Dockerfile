# A Java 17 runtime image from Debian's own package, on the debootstrapped base (ci.sh); stands in
# for eclipse-temurin:17-jre where no image can be pulled.
ARG BASE_IMAGE=lapse/debian:bookworm
FROM ${BASE_IMAGE}
RUN apt-get update -q \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
      openjdk-17-jre-headless \
 && rm -rf /var/lib/apt/lists/*
