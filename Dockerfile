# Images of the two Lapse services, built from this repository:
#   docker build --target expiry-processor -t lapse/expiry-processor .
#   docker build --target challenge-service -t lapse/challenge-service .
# (docker-compose.yml does this.)
#
# The base images are build arguments whose defaults are the official images. Where none can be
# pulled (these machines: no image registry), ops/containers/ci.sh builds stand-ins from Debian's
# packages (debootstrap + apt) and passes them in:
#   BUILD_IMAGE    a JDK 17 with Maven on PATH (default maven:3.9-eclipse-temurin-17)
#   RUNTIME_IMAGE  a Java 17 runtime with useradd (default eclipse-temurin:17-jre)
#   LIBS           where the services' jars come from: "build" (default) compiles them in the
#                  build stage; "prebuilt" takes those a host build left in
#                  ops/containers/target/services/ (ci.sh: it has just built them, and a second
#                  cold Maven download inside Docker would cost minutes). "prebuilt" needs
#                  BuildKit, which skips the unused build stage.
ARG BUILD_IMAGE=maven:3.9-eclipse-temurin-17
ARG RUNTIME_IMAGE=eclipse-temurin:17-jre
ARG LIBS=build

FROM ${BUILD_IMAGE} AS build
WORKDIR /src
COPY . .
RUN mvn -B -ntp -DskipTests -Dspotless.check.skip=true package \
      -pl expiry-processor,challenge-service -am \
 && for m in expiry-processor challenge-service; do \
      mvn -B -ntp -q -pl $m dependency:copy-dependencies -DincludeScope=runtime \
        -DoutputDirectory=/out/$m/lib && cp $m/target/*.jar /out/$m/lib/; \
    done

FROM scratch AS prebuilt
COPY ops/containers/target/services/ /out/

FROM ${LIBS} AS libs

FROM ${RUNTIME_IMAGE} AS runtime-base
ENV JAVA_TOOL_OPTIONS="-Dorg.apache.avro.SERIALIZABLE_PACKAGES=io.lapse.events.v1,io.lapse.state.v1,io.lapse.commands.v1"
RUN useradd --system --uid 10001 lapse
USER lapse
WORKDIR /app

FROM runtime-base AS expiry-processor
COPY --from=libs /out/expiry-processor/lib /app/lib
ENV LAPSE_STATE_DIR=/tmp/lapse-state
EXPOSE 8091
ENTRYPOINT ["java", "-cp", "/app/lib/*", "io.lapse.expiry.Main"]

FROM runtime-base AS challenge-service
COPY --from=libs /out/challenge-service/lib /app/lib
ENV LAPSE_SERVICE_STATE_DIR=/tmp/lapse-service-state
EXPOSE 8080
ENTRYPOINT ["java", "-cp", "/app/lib/*", "io.lapse.service.Main"]
