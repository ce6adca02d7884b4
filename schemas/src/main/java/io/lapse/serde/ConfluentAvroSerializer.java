package io.lapse.serde;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes Avro records (specific or generic) and Avro primitives in Confluent's wire format, finding
 * the schema id as Confluent's {@code KafkaAvroSerializer} does, with the same keys, defaults and
 * order: {@code auto.register.schemas} (register, default), else {@code use.schema.id}, else {@code
 * use.latest.version}, else a lookup of the object's schema under the subject. A null stays null,
 * so tombstones stay tombstones; a {@code bytes} schema appends the raw bytes with no Avro length
 * prefix.
 *
 * <p>When the id's schema is not the object's own (latest version, fixed id), the datum is resolved
 * into that schema with Avro's schema resolution before writing, so the bytes always match the id
 * they carry.
 *
 * <p>A registry that cannot answer now surfaces as a {@link RegistryUnavailableException} (the
 * value can be written once it answers); every other failure as a {@link SerializationException}.
 */
public final class ConfluentAvroSerializer<T> implements Serializer<T> {
  private SerdeConfig config;
  private SchemaRegistryClient registry;
  private boolean isKey;
  private final Map<WriterKey, DatumWriter<Object>> writers = new ConcurrentHashMap<>();

  /** A writer per schema and model: a specific class writes with its own conversions. */
  private record WriterKey(Schema schema, Class<?> specificClass) {}

  /** For Kafka's reflective construction; {@link #configure} must follow. */
  public ConfluentAvroSerializer() {}

  /** A serializer on an explicit registry client (tests, tools); the URL key may be omitted. */
  public ConfluentAvroSerializer(
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
  public byte[] serialize(String topic, T data) {
    if (data == null) {
      return null;
    }
    if (config == null) {
      throw new IllegalStateException("ConfluentAvroSerializer used before configure()");
    }
    Schema schema = AvroSchemas.schemaOf(data);
    String subject = config.strategy(isKey).subject(topic, isKey, schema);
    int id;
    Schema writerSchema = schema;
    try {
      if (config.autoRegisterSchemas()) {
        id = registry.register(subject, schema);
      } else if (config.useSchemaId() >= 0) {
        id = config.useSchemaId();
        writerSchema = registry.getById(id);
        if (config.idCompatibilityStrict()) {
          requireReadable(
              writerSchema, schema, "schema id " + id, SerdeConfig.ID_COMPATIBILITY_STRICT);
        }
      } else if (config.useLatestVersion()) {
        SchemaRegistryClient.RegisteredSchema latest = registry.getLatest(subject);
        id = latest.id();
        writerSchema = latest.schema();
        if (config.latestCompatibilityStrict()) {
          requireReadable(
              writerSchema,
              schema,
              "the latest version of subject " + subject,
              SerdeConfig.LATEST_COMPATIBILITY_STRICT);
        }
      } else {
        id = registry.lookup(subject, schema);
      }
    } catch (RegistryUnavailableException e) {
      throw new RegistryUnavailableException(
          "Could not get a schema id for subject " + subject + " on topic " + topic, e);
    } catch (SchemaRegistryException e) {
      throw new SerializationException(
          "Could not get a schema id for subject "
              + subject
              + " on topic "
              + topic
              + ": "
              + e.getMessage(),
          e);
    }
    return encode(id, writerSchema, schema, data);
  }

  /** Confluent's strict check: the registry's schema must read what the object's schema writes. */
  private static void requireReadable(Schema registered, Schema own, String what, String key) {
    String problem = AvroSchemas.incompatibility(registered, own);
    if (problem != null) {
      throw new SerializationException(
          "Cannot write a "
              + own.getFullName()
              + " with "
              + what
              + ": it cannot read data of the object's schema ("
              + problem
              + "). Set "
              + key
              + "=false to skip this check");
    }
  }

  private byte[] encode(int id, Schema writerSchema, Schema ownSchema, Object data) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream(64);
      ByteBuffer header = ByteBuffer.allocate(WireFormat.HEADER_SIZE);
      WireFormat.writeHeader(header, id);
      out.write(header.array());
      if (writerSchema.getType() == Schema.Type.BYTES) {
        // Confluent appends raw bytes with no Avro length prefix.
        out.write(AvroSchemas.rawBytes(data));
      } else if (writerSchema.equals(ownSchema)) {
        write(ownSchema, data, out);
      } else {
        out.write(resolve(ownSchema, writerSchema, data));
      }
      return out.toByteArray();
    } catch (IOException | RuntimeException e) {
      throw new SerializationException(
          "Could not encode a "
              + ownSchema.getFullName()
              + " with schema id "
              + id
              + ": "
              + e.getMessage(),
          e);
    }
  }

  private void write(Schema schema, Object data, java.io.OutputStream out) throws IOException {
    BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
    writer(schema, data).write(data, encoder);
    encoder.flush();
  }

  /** Encodes with the object's schema, then resolves the datum into the target schema's bytes. */
  private byte[] resolve(Schema ownSchema, Schema target, Object data) throws IOException {
    ByteArrayOutputStream own = new ByteArrayOutputStream(64);
    write(ownSchema, data, own);
    GenericDatumReader<Object> reader =
        new GenericDatumReader<>(ownSchema, target, GenericData.get());
    Object resolved =
        reader.read(null, DecoderFactory.get().binaryDecoder(own.toByteArray(), null));
    ByteArrayOutputStream out = new ByteArrayOutputStream(64);
    BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
    new GenericDatumWriter<>(target, GenericData.get()).write(resolved, encoder);
    encoder.flush();
    return out.toByteArray();
  }

  @SuppressWarnings("unchecked")
  private DatumWriter<Object> writer(Schema schema, Object data) {
    Class<?> specificClass = data instanceof SpecificRecord ? data.getClass() : null;
    return writers.computeIfAbsent(
        new WriterKey(schema, specificClass),
        k ->
            specificClass != null
                ? (DatumWriter<Object>)
                    (DatumWriter<?>)
                        new SpecificDatumWriter<>(schema, SpecificData.getForClass(specificClass))
                : new GenericDatumWriter<>(schema, AvroSchemas.GENERIC_WITH_LOGICAL_TYPES));
  }
}
