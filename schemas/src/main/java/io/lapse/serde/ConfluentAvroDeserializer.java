package io.lapse.serde;

import java.io.IOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads Confluent-wire-format Avro: checks the magic byte, fetches the writer schema by id, and
 * decodes into the generated class ({@code specific.avro.reader=true}) or a GenericRecord, as
 * Confluent's {@code KafkaAvroDeserializer} does. Bytes in any other framing fail with an error
 * that names the cause; the caller decides whether to dead-letter them.
 */
public final class ConfluentAvroDeserializer<T> implements Deserializer<T> {
  private SerdeConfig config;
  private SchemaRegistryClient registry;
  private boolean isKey;
  private final Map<List<Object>, DatumReader<Object>> readers = new ConcurrentHashMap<>();

  /** For Kafka's reflective construction; {@link #configure} must follow. */
  public ConfluentAvroDeserializer() {}

  /** A deserializer on an explicit registry client (tests, tools). */
  public ConfluentAvroDeserializer(
      SchemaRegistryClient registry, Map<String, ?> props, boolean isKey) {
    Map<String, Object> copy = new HashMap<>(props);
    copy.putIfAbsent(SerdeConfig.SCHEMA_REGISTRY_URL, "explicit://client");
    this.config = SerdeConfig.parse(copy);
    this.registry = registry;
    this.isKey = isKey;
  }

  @Override
  public void configure(Map<String, ?> props, boolean isKey) {
    this.config = SerdeConfig.parse(props);
    this.registry = SchemaRegistries.client(config);
    this.isKey = isKey;
  }

  @Override
  public T deserialize(String topic, Headers headers, byte[] data) {
    String header = isKey ? WireFormat.KEY_SCHEMA_ID_HEADER : WireFormat.VALUE_SCHEMA_ID_HEADER;
    if (data != null && headers != null && headers.lastHeader(header) != null) {
      throw new SerializationException(
          "Record on topic "
              + topic
              + " carries its schema id in the "
              + header
              + " header (Confluent 8 header framing), which this deserializer does not read");
    }
    return deserialize(topic, data);
  }

  @Override
  @SuppressWarnings("unchecked")
  public T deserialize(String topic, byte[] data) {
    if (data == null) {
      return null;
    }
    if (config == null) {
      throw new IllegalStateException("ConfluentAvroDeserializer used before configure()");
    }
    int id = WireFormat.readSchemaId(topic, data);
    Schema writer;
    try {
      writer = registry.getById(id);
    } catch (SchemaRegistryException e) {
      throw new SerializationException(
          "Could not fetch writer schema id " + id + " for topic " + topic + ": " + e.getMessage(),
          e);
    }
    if (writer.getType() == Schema.Type.BYTES) {
      return (T) Arrays.copyOfRange(data, WireFormat.HEADER_SIZE, data.length);
    }
    try {
      DatumReader<Object> reader = reader(id, writer);
      BinaryDecoder decoder =
          DecoderFactory.get()
              .binaryDecoder(
                  data, WireFormat.HEADER_SIZE, data.length - WireFormat.HEADER_SIZE, null);
      Object value = reader.read(null, decoder);
      if (value instanceof org.apache.avro.util.Utf8 utf8) {
        value = utf8.toString();
      }
      return (T) value;
    } catch (IOException | RuntimeException e) {
      throw new SerializationException(
          "Could not decode Avro data with schema id " + id + " on topic " + topic, e);
    }
  }

  @SuppressWarnings("unchecked")
  private DatumReader<Object> reader(int id, Schema writer) {
    boolean specific = config.specificAvroReader() && isNamed(writer);
    return readers.computeIfAbsent(
        List.of(id, specific),
        k -> {
          if (!specific) {
            return new GenericDatumReader<>(writer, writer, GenericData.get());
          }
          Class<?> type = SpecificData.get().getClass(writer);
          if (type == null) {
            throw new SerializationException(
                "specific.avro.reader is set but no generated class "
                    + writer.getFullName()
                    + " is on the classpath");
          }
          SpecificData model = SpecificData.getForClass(type);
          Schema reader = model.getSchema(type);
          return (DatumReader<Object>) new SpecificDatumReader<>(writer, reader, model);
        });
  }

  private static boolean isNamed(Schema schema) {
    return schema.getType() == Schema.Type.RECORD
        || schema.getType() == Schema.Type.ENUM
        || schema.getType() == Schema.Type.FIXED;
  }
}
