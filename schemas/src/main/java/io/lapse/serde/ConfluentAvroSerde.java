package io.lapse.serde;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka and Kafka Streams serde for Confluent-wire-format Avro. {@link #specific} returns a serde
 * for generated classes (it sets {@code specific.avro.reader=true}); the no-arg constructor plus
 * {@link #configure} gives whatever the configuration says, for reflective use.
 */
public final class ConfluentAvroSerde<T> implements Serde<T> {
  private final ConfluentAvroSerializer<T> serializer;
  private final ConfluentAvroDeserializer<T> deserializer;

  public ConfluentAvroSerde() {
    this(new ConfluentAvroSerializer<>(), new ConfluentAvroDeserializer<>());
  }

  private ConfluentAvroSerde(
      ConfluentAvroSerializer<T> serializer, ConfluentAvroDeserializer<T> deserializer) {
    this.serializer = serializer;
    this.deserializer = deserializer;
  }

  /** A configured serde that reads into generated SpecificRecord classes. */
  public static <T> ConfluentAvroSerde<T> specific(Map<String, ?> props, boolean isKey) {
    Map<String, Object> copy = new HashMap<>(props);
    copy.put(SerdeConfig.SPECIFIC_AVRO_READER, true);
    ConfluentAvroSerde<T> serde = new ConfluentAvroSerde<>();
    serde.configure(copy, isKey);
    return serde;
  }

  /** A configured serde with the given subject strategy for values (e.g. TOPIC_RECORD). */
  public static <T> ConfluentAvroSerde<T> specific(
      Map<String, ?> props, SubjectNameStrategy valueStrategy) {
    Map<String, Object> copy = new HashMap<>(props);
    copy.put(SerdeConfig.VALUE_SUBJECT_NAME_STRATEGY, valueStrategy);
    return specific(copy, false);
  }

  @Override
  public void configure(Map<String, ?> props, boolean isKey) {
    serializer.configure(props, isKey);
    deserializer.configure(props, isKey);
  }

  @Override
  public Serializer<T> serializer() {
    return serializer;
  }

  @Override
  public Deserializer<T> deserializer() {
    return deserializer;
  }
}
