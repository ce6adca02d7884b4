# The schema registry Lapse runs everywhere else (./lapse up, the tests): Apicurio Registry's app
# with its Confluent-compatible API (/apis/ccompat/v7), from the tarball Maven fetches
# (ops/containers/pom.xml). It reads the same configuration variables as the official
# apicurio/apicurio-registry image (Quarkus maps QUARKUS_HTTP_PORT, APICURIO_... to properties),
# which docker-compose.yml uses by default. Needs Java 21 or newer. Built by ops/containers/ci.sh:
#   docker build -f ops/containers/registry.Dockerfile --build-arg RUNTIME_IMAGE=lapse/jre:25 \
#     -t lapse/schema-registry:3.3.3 ops/containers
ARG RUNTIME_IMAGE=eclipse-temurin:21-jre
FROM ${RUNTIME_IMAGE}
RUN useradd --system --uid 1001 --home-dir /var/lib/registry --create-home registry
# ADD unpacks a local tar.gz.
ADD target/registry/apicurio-registry-app.tar.gz /deployments/
USER registry
WORKDIR /deployments
EXPOSE 8080
ENTRYPOINT ["sh", "-c", "exec java ${JAVA_OPTS:--Xmx384m -XX:+UseSerialGC} -jar /deployments/quarkus-run.jar"]
