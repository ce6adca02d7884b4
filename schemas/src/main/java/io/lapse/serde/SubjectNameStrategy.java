package io.lapse.serde;

import java.util.Locale;
import org.apache.avro.Schema;
import org.apache.kafka.common.errors.SerializationException;

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
      throw new SerializationException(
          "A record name strategy needs a named schema (record, enum or fixed), got "
              + schema.getType()
              + ": use TopicNameStrategy for primitive keys or values");
    }
    return schema.getFullName();
  }

  /** Confluent's package for its subject name strategies. */
  private static final String CONFLUENT_PACKAGE = "io.confluent.kafka.serializers.subject.";

  /**
   * Parses a config value: Confluent's class name ({@code
   * io.confluent.kafka.serializers.subject.TopicRecordNameStrategy}), the simple class name, this
   * enum's constant or its name. Any other class (a custom strategy, or Confluent 8.3's {@code
   * AssociatedNameStrategy}, which asks the registry for topic associations) is refused rather than
   * silently replaced, since it would choose other subjects.
   */
  public static SubjectNameStrategy parse(Object value) {
    if (value == null) {
      return TOPIC;
    }
    if (value instanceof SubjectNameStrategy strategy) {
      return strategy;
    }
    String name = value instanceof Class<?> c ? c.getName() : value.toString().trim();
    if (name.startsWith(CONFLUENT_PACKAGE)) {
      name = name.substring(CONFLUENT_PACKAGE.length());
    }
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "topicnamestrategy", "topic" -> TOPIC;
      case "recordnamestrategy", "record" -> RECORD;
      case "topicrecordnamestrategy", "topic_record", "topicrecord" -> TOPIC_RECORD;
      default ->
          throw new IllegalArgumentException(
              "Unsupported subject name strategy "
                  + value
                  + ": use TopicNameStrategy, RecordNameStrategy or TopicRecordNameStrategy"
                  + " (Confluent's class names or the simple names)");
    };
  }
}
