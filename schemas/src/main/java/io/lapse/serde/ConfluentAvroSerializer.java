package io.lapse.serde;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericContainer;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes Avro records (specific or generic) and Avro primitives in Confluent's wire format,
 * registering or looking up the writer schema as Confluent's {@code KafkaAvroSerializer} does (same
 * config keys and defaults). A null stays null, so tombstones stay tombstones.
 */
public final class ConfluentAvroSerializer<T> implements Serializer<T> {
  private SerdeConfig config;
  private SchemaRegistryClient registry;
  private boolean isKey;
  private final Map<Schema, DatumWriter<Object>> writers = new ConcurrentHashMap<>();

  /** For Kafka's reflective construction; {@link #configure} must follow. */
  public ConfluentAvroSerializer() {}

  /** A serializer on an explicit registry client (tests, tools). */
  public ConfluentAvroSerializer(
      SchemaRegistryClient registry, Map<String, ?> props, boolean isKey) {
    this.config = SerdeConfig.parse(withDefaultUrl(props));
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
      } else if (config.useLatestVersion()) {
        SchemaRegistryClient.RegisteredSchema latest = registry.getLatest(subject);
        id = latest.id();
        writerSchema = latest.schema();
      } else {
        id = registry.lookup(subject, schema);
      }
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
    return encode(id, writerSchema, data);
  }

  private byte[] encode(int id, Schema writerSchema, Object data) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream(64);
      ByteBuffer header = ByteBuffer.allocate(WireFormat.HEADER_SIZE);
      WireFormat.writeHeader(header, id);
      out.write(header.array());
      if (writerSchema.getType() == Schema.Type.BYTES) {
        // Confluent appends raw bytes with no Avro length prefix.
        out.write(AvroSchemas.rawBytes(data));
      } else {
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        writer(writerSchema, data).write(data, encoder);
        encoder.flush();
      }
      return out.toByteArray();
    } catch (IOException | RuntimeException e) {
      throw new SerializationException("Could not encode Avro data with schema id " + id, e);
    }
  }

  @SuppressWarnings("unchecked")
  private DatumWriter<Object> writer(Schema schema, Object data) {
    return writers.computeIfAbsent(
        schema,
        s ->
            data instanceof SpecificRecord
                ? (DatumWriter<Object>)
                    (DatumWriter<?>)
                        new SpecificDatumWriter<>(s, SpecificData.getForClass(data.getClass()))
                : data instanceof GenericContainer
                    ? new GenericDatumWriter<>(s, GenericData.get())
                    : new GenericDatumWriter<>(s));
  }

  private static Map<String, ?> withDefaultUrl(Map<String, ?> props) {
    if (props.containsKey(SerdeConfig.SCHEMA_REGISTRY_URL)) {
      return props;
    }
    Map<String, Object> copy = new java.util.HashMap<>(props);
    copy.put(SerdeConfig.SCHEMA_REGISTRY_URL, "explicit://client");
    return copy;
  }
}
