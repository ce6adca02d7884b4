package io.lapse.serde;

import java.util.Locale;
import org.apache.avro.Schema;

/**
 * Chooses the registry subject for a record, as Confluent's strategies of the same names do. Config
 * values may name Confluent's classes ({@code
 * io.confluent.kafka.serializers.subject.TopicRecordNameStrategy}) or just the simple name.
 */
public enum SubjectNameStrategy {
  /** {@code <topic>-key} or {@code <topic>-value}: topics that carry one record type. */
  TOPIC {
    @Override
    public String subject(String topic, boolean isKey, Schema schema) {
      return topic + (isKey ? "-key" : "-value");
    }
  },
  /** The record's full name, whatever the topic. */
  RECORD {
    @Override
    public String subject(String topic, boolean isKey, Schema schema) {
      return fullName(schema);
    }
  },
  /** {@code <topic>-<full record name>}: topics that carry several types, each on its own line. */
  TOPIC_RECORD {
    @Override
    public String subject(String topic, boolean isKey, Schema schema) {
      return topic + "-" + fullName(schema);
    }
  };

  /** The subject for a record of this schema on this topic. */
  public abstract String subject(String topic, boolean isKey, Schema schema);

  private static String fullName(Schema schema) {
    if (schema.getType() != Schema.Type.RECORD
        && schema.getType() != Schema.Type.ENUM
        && schema.getType() != Schema.Type.FIXED) {
      throw new IllegalArgumentException(
          "A record name strategy needs a named schema, got " + schema.getType());
    }
    return schema.getFullName();
  }

  /** Parses a config value: a class name (Confluent's or ours) or a simple name. */
  public static SubjectNameStrategy parse(Object value) {
    if (value == null) {
      return TOPIC;
    }
    if (value instanceof SubjectNameStrategy strategy) {
      return strategy;
    }
    String name = value instanceof Class<?> c ? c.getSimpleName() : value.toString().trim();
    name = name.substring(name.lastIndexOf('.') + 1);
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "topicnamestrategy", "topic" -> TOPIC;
      case "recordnamestrategy", "record" -> RECORD;
      case "topicrecordnamestrategy", "topic_record", "topicrecord" -> TOPIC_RECORD;
      default -> throw new IllegalArgumentException("Unknown subject name strategy: " + value);
    };
  }
}
