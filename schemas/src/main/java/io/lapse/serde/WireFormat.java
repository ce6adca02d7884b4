package io.lapse.serde;

import java.nio.ByteBuffer;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Confluent's wire format: magic byte 0, the schema id as a 4-byte big-endian int, then the Avro
 * binary encoding of the datum (no container, no fingerprint).
 */
public final class WireFormat {
  /** The only framing this serde writes and reads. */
  public static final byte MAGIC_BYTE = 0x0;

  /** Confluent 8's optional framing: magic 1 followed by a 16-byte schema GUID. */
  public static final byte MAGIC_BYTE_GUID = 0x1;

  /** Magic byte plus schema id. */
  public static final int HEADER_SIZE = 5;

  /** Kafka header names Confluent 8 uses for header-framed schema ids. */
  public static final String KEY_SCHEMA_ID_HEADER = "__key_schema_id";

  public static final String VALUE_SCHEMA_ID_HEADER = "__value_schema_id";

  private WireFormat() {}

  /** Writes the 5-byte header. */
  public static void writeHeader(ByteBuffer buffer, int schemaId) {
    buffer.put(MAGIC_BYTE).putInt(schemaId);
  }

  /** Reads and checks the header, returning the schema id; fails clearly on other framings. */
  public static int readSchemaId(String topic, byte[] bytes) {
    if (bytes.length < HEADER_SIZE) {
      throw new SerializationException(
          "Record on topic "
              + topic
              + " is "
              + bytes.length
              + " bytes, too short for Confluent's wire format (magic byte and 4-byte schema id)");
    }
    if (bytes[0] == MAGIC_BYTE_GUID) {
      throw new SerializationException(
          "Record on topic "
              + topic
              + " starts with magic byte 1: Confluent 8's GUID-framed format, which this"
              + " deserializer does not read. Configure the producer's serializer with the default"
              + " prefix schema id framing (magic byte 0).");
    }
    if (bytes[0] != MAGIC_BYTE) {
      throw new SerializationException(
          String.format(
              "Unknown magic byte 0x%02x on topic %s: not Confluent wire format (expected 0x00)",
              bytes[0], topic));
    }
    return ByteBuffer.wrap(bytes, 1, 4).getInt();
  }
}
