package io.lapse.expiry;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Accepts only the one record type a topic may carry: a decodable record of another type, or a null
 * value, is as undecodable for this topic as garbage, and goes to the dead-letter topic through the
 * deserialization exception handler instead of reaching the processor.
 */
final class TypedDeserializer<T> implements Deserializer<T> {
  private final Deserializer<?> inner;
  private final Class<T> type;

  TypedDeserializer(Deserializer<?> inner, Class<T> type) {
    this.inner = inner;
    this.type = type;
  }

  @Override
  public T deserialize(String topic, byte[] data) {
    return check(topic, inner.deserialize(topic, data));
  }

  @Override
  public T deserialize(String topic, Headers headers, byte[] data) {
    return check(topic, inner.deserialize(topic, headers, data));
  }

  private T check(String topic, Object value) {
    if (value == null) {
      throw new SerializationException(
          "Null value on " + topic + ": a tombstone is not a " + type.getSimpleName());
    }
    if (!type.isInstance(value)) {
      throw new SerializationException(
          "Topic "
              + topic
              + " carries "
              + type.getSimpleName()
              + " only, got "
              + value.getClass().getName());
    }
    return type.cast(value);
  }
}
