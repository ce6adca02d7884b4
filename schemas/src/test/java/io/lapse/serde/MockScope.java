package io.lapse.serde;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/** A fresh {@code mock://} registry scope for one test, and serde properties that point at it. */
public final class MockScope implements AutoCloseable {
  final String name = "test-" + UUID.randomUUID();

  MockSchemaRegistry registry() {
    return MockSchemaRegistry.forScope(name);
  }

  /** {@code schema.registry.url=mock://<scope>} plus the given key/value pairs. */
  Map<String, Object> props(Object... keyValues) {
    Map<String, Object> props = new HashMap<>();
    props.put(SerdeConfig.SCHEMA_REGISTRY_URL, SerdeConfig.MOCK_SCHEME + name);
    for (int i = 0; i < keyValues.length; i += 2) {
      props.put((String) keyValues[i], keyValues[i + 1]);
    }
    return props;
  }

  <T> ConfluentAvroSerializer<T> serializer(boolean isKey, Object... keyValues) {
    ConfluentAvroSerializer<T> serializer = new ConfluentAvroSerializer<>();
    serializer.configure(props(keyValues), isKey);
    return serializer;
  }

  <T> ConfluentAvroDeserializer<T> deserializer(boolean isKey, Object... keyValues) {
    ConfluentAvroDeserializer<T> deserializer = new ConfluentAvroDeserializer<>();
    deserializer.configure(props(keyValues), isKey);
    return deserializer;
  }

  @Override
  public void close() {
    MockSchemaRegistry.dropScope(name);
  }
}
