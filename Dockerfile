# Images of the two Lapse services, built from this repository.
#   docker build --target expiry-processor -t lapse/expiry-processor .
#   docker build --target challenge-service -t lapse/challenge-service .
# (docker-compose.yml does this.) Not built on the development machines, which have no Docker.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
RUN mvn -B -ntp -DskipTests -Dspotless.check.skip=true package \
      -pl expiry-processor,challenge-service -am \
 && for m in expiry-processor challenge-service; do \
      mvn -B -ntp -q -pl $m dependency:copy-dependencies -DincludeScope=runtime \
        -DoutputDirectory=/out/$m/lib && cp $m/target/*.jar /out/$m/lib/; \
    done

FROM eclipse-temurin:17-jre AS runtime-base
ENV JAVA_TOOL_OPTIONS="-Dorg.apache.avro.SERIALIZABLE_PACKAGES=io.lapse.events.v1,io.lapse.state.v1,io.lapse.commands.v1"
RUN useradd --system --uid 10001 lapse
USER lapse
WORKDIR /app

FROM runtime-base AS expiry-processor
COPY --from=build /out/expiry-processor/lib /app/lib
ENV LAPSE_STATE_DIR=/tmp/lapse-state
EXPOSE 8091
ENTRYPOINT ["java", "-cp", "/app/lib/*", "io.lapse.expiry.Main"]

FROM runtime-base AS challenge-service
COPY --from=build /out/challenge-service/lib /app/lib
ENV LAPSE_SERVICE_STATE_DIR=/tmp/lapse-service-state
EXPOSE 8080
ENTRYPOINT ["java", "-cp", "/app/lib/*", "io.lapse.service.Main"]
