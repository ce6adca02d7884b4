package io.lapse.serde;

import java.io.IOException;
import java.util.Arrays;
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
import org.apache.avro.util.Utf8;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads Confluent-wire-format Avro as Confluent's {@code KafkaAvroDeserializer} does: checks the
 * magic byte, fetches the writer schema by id, and decodes with Avro's schema resolution into
 *
 * <ul>
 *   <li>the generated class, with {@code specific.avro.reader=true}: the one named by {@code
 *       specific.avro.key.type}/{@code value.type}, else the one named like the writer schema;
 *   <li>else a GenericRecord (logical types converted with {@code
 *       avro.use.logical.type.converters=true}), or a String, Integer, Long, Float, Double, Boolean
 *       for primitive schemas, or the raw byte[] for a {@code bytes} schema.
 * </ul>
 *
 * Failures come in two kinds, which a caller must treat differently:
 *
 * <ul>
 *   <li>the bytes cannot be decoded (another framing, too short, a schema id the registry says does
 *       not exist, Avro data that does not match its writer schema or that the reader schema cannot
 *       resolve): a {@link SerializationException} naming the cause; retrying cannot help, the
 *       caller dead-letters the record;
 *   <li>the writer schema is not cached and the registry cannot answer now: a {@link
 *       RegistryUnavailableException}; the same bytes decode once it answers, so the caller retries
 *       the record later and must not dead-letter it.
 * </ul>
 */
public final class ConfluentAvroDeserializer<T> implements Deserializer<T> {
  private SerdeConfig config;
  private SchemaRegistryClient registry;
  private boolean isKey;
  private final Map<ReaderKey, DatumReader<Object>> readers = new ConcurrentHashMap<>();

  /** A reader per writer schema id and target: a generated class, or null for generic data. */
  private record ReaderKey(int schemaId, Class<?> specificClass) {}

  /** For Kafka's reflective construction; {@link #configure} must follow. */
  public ConfluentAvroDeserializer() {}

  /** A deserializer on an explicit registry client (tests, tools); the URL key may be omitted. */
  public ConfluentAvroDeserializer(
      SchemaRegistryClient registry, Map<String, ?> props, boolean isKey) {
    this.config = SerdeConfig.parse(props, false);
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
              + " header (Confluent 8 header framing with a schema GUID), which this deserializer"
              + " does not read. Configure the producer's serializer with the default prefix"
              + " schema id framing (magic byte 0).");
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
    Schema writer = writerSchema(topic, id);
    if (writer.getType() == Schema.Type.BYTES) {
      // Confluent writes raw bytes with no Avro length prefix.
      return (T) Arrays.copyOfRange(data, WireFormat.HEADER_SIZE, data.length);
    }
    DatumReader<Object> reader = reader(topic, id, writer);
    try {
      BinaryDecoder decoder =
          DecoderFactory.get()
              .binaryDecoder(
                  data, WireFormat.HEADER_SIZE, data.length - WireFormat.HEADER_SIZE, null);
      Object value = reader.read(null, decoder);
      if (value instanceof Utf8 utf8) {
        value = utf8.toString();
      }
      return (T) value;
    } catch (IOException | RuntimeException e) {
      throw new SerializationException(
          "Could not decode Avro data with writer schema id "
              + id
              + " ("
              + writer.getFullName()
              + ") on topic "
              + topic
              + ": "
              + e,
          e);
    }
  }

  private Schema writerSchema(String topic, int id) {
    try {
      return registry.getById(id);
    } catch (RegistryUnavailableException e) {
      throw new RegistryUnavailableException(
          "Could not fetch writer schema id " + id + " for topic " + topic + "; retry later", e);
    } catch (SchemaRegistryException e) {
      if (e.isSchemaNotFound()) {
        throw new SerializationException(
            "Record on topic "
                + topic
                + " names schema id "
                + id
                + ", which the schema registry does not know: it was written against another"
                + " registry, or the schema was deleted ("
                + e.getMessage()
                + ")",
            e);
      }
      // Any other refusal (401/403 from a credential mistake, a 404 without a registry error
      // code from a wrong base URL, a 2xx that is not a registry answer) says nothing about the
      // record: held like an outage, so a configuration mistake shows as an unhealthy consumer
      // instead of dead-lettering every record whose schema is not cached yet.
      throw new RegistryUnavailableException(
          "Registry refused to give writer schema id "
              + id
              + " for topic "
              + topic
              + " (not about the record; fix the registry or its settings): "
              + e.getMessage(),
          e);
    }
  }

  @SuppressWarnings("unchecked")
  private DatumReader<Object> reader(String topic, int id, Schema writer) {
    Class<?> specificClass = specificClass(topic, writer);
    return readers.computeIfAbsent(
        new ReaderKey(id, specificClass),
        k -> {
          if (specificClass == null) {
            GenericData model =
                config.useLogicalTypeConverters()
                    ? AvroSchemas.GENERIC_WITH_LOGICAL_TYPES
                    : GenericData.get();
            return new GenericDatumReader<>(writer, writer, model);
          }
          SpecificData model = SpecificData.getForClass(specificClass);
          Schema readerSchema = model.getSchema(specificClass);
          return (DatumReader<Object>) new SpecificDatumReader<>(writer, readerSchema, model);
        });
  }

  /** The generated class to read into, or null for generic data. */
  private Class<?> specificClass(String topic, Schema writer) {
    if (!config.specificAvroReader()) {
      return null;
    }
    Class<?> configured = config.specificType(isKey);
    if (configured != null) {
      return configured;
    }
    if (!AvroSchemas.isNamed(writer)) {
      return null; // primitives have no generated class
    }
    Class<?> found;
    try {
      found = SpecificData.get().getClass(writer);
    } catch (SecurityException e) {
      // Avro 1.12.2 only instantiates classes of trusted packages.
      throw new SerializationException(
          "Avro refuses to load the generated class "
              + writer.getFullName()
              + ": add its package to -Dorg.apache.avro.SERIALIZABLE_PACKAGES",
          e);
    }
    if (found == null) {
      throw new SerializationException(
          "specific.avro.reader is set but no generated class "
              + writer.getFullName()
              + " (the writer schema's name, topic "
              + topic
              + ") is on the classpath; set "
              + (isKey ? SerdeConfig.SPECIFIC_AVRO_KEY_TYPE : SerdeConfig.SPECIFIC_AVRO_VALUE_TYPE)
              + " or read generic records");
    }
    return found;
  }
}
