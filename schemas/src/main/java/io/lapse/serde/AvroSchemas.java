package io.lapse.serde;

import java.nio.ByteBuffer;
import java.util.stream.Collectors;
import org.apache.avro.Conversions;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.data.TimeConversions;
import org.apache.avro.generic.GenericContainer;
import org.apache.avro.generic.GenericData;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Avro helpers shared by the serializer and deserializer: the schema of a value (records and the
 * primitives Confluent supports), the data models, and the reader/writer compatibility check.
 */
final class AvroSchemas {
  /**
   * Generic data with the standard logical-type conversions (Instant, LocalDate, LocalTime, UUID,
   * BigDecimal). Writing with it accepts both converted and raw values, because Avro picks a
   * conversion by the datum's class; reading with it returns converted values.
   */
  static final GenericData GENERIC_WITH_LOGICAL_TYPES = genericWithLogicalTypes();

  private AvroSchemas() {}

  private static GenericData genericWithLogicalTypes() {
    GenericData data = new GenericData();
    data.addLogicalTypeConversion(new Conversions.DecimalConversion());
    data.addLogicalTypeConversion(new Conversions.UUIDConversion());
    data.addLogicalTypeConversion(new TimeConversions.DateConversion());
    data.addLogicalTypeConversion(new TimeConversions.TimeMillisConversion());
    data.addLogicalTypeConversion(new TimeConversions.TimeMicrosConversion());
    data.addLogicalTypeConversion(new TimeConversions.TimestampMillisConversion());
    data.addLogicalTypeConversion(new TimeConversions.TimestampMicrosConversion());
    data.addLogicalTypeConversion(new TimeConversions.LocalTimestampMillisConversion());
    data.addLogicalTypeConversion(new TimeConversions.LocalTimestampMicrosConversion());
    return data;
  }

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
        "Cannot serialize a "
            + data.getClass().getName()
            + " as Avro: not a record (specific or generic) or an Avro primitive"
            + " (String, Integer, Long, Float, Double, Boolean, byte[], ByteBuffer)");
  }

  static boolean isNamed(Schema schema) {
    return schema.getType() == Schema.Type.RECORD
        || schema.getType() == Schema.Type.ENUM
        || schema.getType() == Schema.Type.FIXED;
  }

  static byte[] rawBytes(Object data) {
    if (data instanceof byte[] bytes) {
      return bytes;
    }
    if (data instanceof ByteBuffer buffer) {
      ByteBuffer copy = buffer.duplicate();
      byte[] bytes = new byte[copy.remaining()];
      copy.get(bytes);
      return bytes;
    }
    throw new SerializationException(
        "The writer schema is bytes but the value is a " + data.getClass().getName());
  }

  /**
   * Null when data written with {@code writer} can be read with {@code reader}, else a description
   * of what breaks (Avro's own checker, the one Confluent's {@code isBackwardCompatible} uses).
   */
  static String incompatibility(Schema reader, Schema writer) {
    SchemaCompatibility.SchemaPairCompatibility result =
        SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
    if (result.getType() == SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
      return null;
    }
    return result.getResult().getIncompatibilities().stream()
        .map(i -> i.getType() + " at " + i.getLocation() + ": " + i.getMessage())
        .collect(Collectors.joining("; "));
  }
}
