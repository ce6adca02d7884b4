package io.lapse.serde;

import java.nio.ByteBuffer;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericContainer;
import org.apache.kafka.common.errors.SerializationException;

/** Finds the Avro schema of a value, for records and for the primitives Confluent supports. */
final class AvroSchemas {
  private AvroSchemas() {}

  static Schema schemaOf(Object data) {
    if (data instanceof GenericContainer container) {
      return container.getSchema();
    }
    if (data instanceof CharSequence) {
      return Schema.create(Schema.Type.STRING);
    }
    if (data instanceof Integer) {
      return Schema.create(Schema.Type.INT);
    }
    if (data instanceof Long) {
      return Schema.create(Schema.Type.LONG);
    }
    if (data instanceof Float) {
      return Schema.create(Schema.Type.FLOAT);
    }
    if (data instanceof Double) {
      return Schema.create(Schema.Type.DOUBLE);
    }
    if (data instanceof Boolean) {
      return Schema.create(Schema.Type.BOOLEAN);
    }
    if (data instanceof byte[] || data instanceof ByteBuffer) {
      return Schema.create(Schema.Type.BYTES);
    }
    throw new SerializationException(
        "Cannot serialize a " + data.getClass().getName() + " as Avro: not a record or primitive");
  }

  static byte[] rawBytes(Object data) {
    if (data instanceof byte[] bytes) {
      return bytes;
    }
    ByteBuffer buffer = ((ByteBuffer) data).duplicate();
    byte[] bytes = new byte[buffer.remaining()];
    buffer.get(bytes);
    return bytes;
  }
}
