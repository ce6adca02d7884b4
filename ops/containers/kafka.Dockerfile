# A Kafka broker image built from Kafka's own jars (fetched by Maven: ops/containers/pom.xml),
# laid out like the official apache/kafka image: /opt/kafka/bin scripts, /opt/kafka/libs, and the
# entrypoint /etc/kafka/docker/run that turns KAFKA_* variables into broker properties. So
# docker-compose.yml and the test kit run it exactly as they run apache/kafka, which stays the
# default for anyone who can pull. Built by ops/containers/ci.sh:
#   docker build -f ops/containers/kafka.Dockerfile --build-arg RUNTIME_IMAGE=lapse/jre:17 \
#     -t lapse/kafka:4.4.0 ops/containers
ARG RUNTIME_IMAGE=eclipse-temurin:17-jre
FROM ${RUNTIME_IMAGE}
# /var/lib/kafka/data exists and is the broker's own, so a named volume mounted there (compose)
# starts out writable by it.
RUN useradd --system --uid 1000 --home-dir /var/lib/kafka --create-home appuser \
 && mkdir -p /var/lib/kafka/data && chown appuser /var/lib/kafka/data
COPY target/kafka/libs/ /opt/kafka/libs/
COPY kafka/bin/ /opt/kafka/bin/
COPY kafka/config/ /opt/kafka/config/
COPY kafka/run /etc/kafka/docker/run
ENV PATH=/opt/kafka/bin:$PATH
USER appuser
WORKDIR /var/lib/kafka
EXPOSE 9092
ENTRYPOINT ["/etc/kafka/docker/run"]
