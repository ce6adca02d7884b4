#!/bin/bash
# Runs one of Kafka's main classes on the image's jars (the official distribution's script of the
# same name does more; this is what the image needs). Logging: config/logback.xml, or
# config/tools-logback.xml for the command-line tools (warnings only, on stderr).
exec java ${KAFKA_HEAP_OPTS:-} ${KAFKA_JVM_PERFORMANCE_OPTS:-} ${KAFKA_OPTS:-} \
  -Dlogback.configurationFile="${KAFKA_LOGBACK_CONFIG:-/opt/kafka/config/tools-logback.xml}" \
  -cp '/opt/kafka/libs/*' "$@"
