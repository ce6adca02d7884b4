#!/bin/bash
export KAFKA_LOGBACK_CONFIG=${KAFKA_LOGBACK_CONFIG:-/opt/kafka/config/logback.xml}
export KAFKA_HEAP_OPTS=${KAFKA_HEAP_OPTS:--Xmx512m -Xms256m}
exec /opt/kafka/bin/kafka-run-class.sh kafka.Kafka "$@"
