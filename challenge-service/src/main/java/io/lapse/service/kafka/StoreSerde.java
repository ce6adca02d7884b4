package io.lapse.service.kafka;

import io.lapse.commands.v1.ChallengeRecord;
import io.lapse.commands.v1.EntityRecord;
import io.lapse.commands.v1.FactorRecord;
import io.lapse.commands.v1.ServiceRecord;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import org.apache.avro.Schema;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The entity task's store values ({@code EntityRecord}, {@code FactorRecord}): Avro's single-object
 * encoding, without the registry. Each value starts with the format marker {@code C3 01} and the
 * writer schema's 64-bit fingerprint, then the Avro binary, so the changelogs stay private to the
 * service and restoring them never needs the registry. A value written with another schema is
 * refused loudly, never misread; a schema change must add the previous schema to the decoder
 * ({@code BinaryMessageDecoder#addSchema}) to keep reading the stores it wrote.
 *
 * @param <T> the generated record type
 */
final class StoreSerde<T> implements Serde<T> {
  private final Serializer<T> serializer;
  private final Deserializer<T> deserializer;

  /** Entity records, also as written before {@code accessTokens} (docs/decisions/0015). */
  static StoreSerde<EntityRecord> entityRecords() {
    BinaryMessageDecoder<EntityRecord> decoder = EntityRecord.createDecoder(null);
    decoder.addSchema(previousSchema("EntityRecord-v1.avsc"));
    return new StoreSerde<>(EntityRecord.getEncoder(), decoder);
  }

  /** Factor records, also as written before a recent attempt remembered its claimed step. */
  static StoreSerde<FactorRecord> factorRecords() {
    BinaryMessageDecoder<FactorRecord> decoder = FactorRecord.createDecoder(null);
    decoder.addSchema(previousSchema("FactorRecord-v1.avsc"));
    return new StoreSerde<>(FactorRecord.getEncoder(), decoder);
  }

  /** Service records (docs/decisions/0016). */
  static StoreSerde<ServiceRecord> serviceRecords() {
    return new StoreSerde<>(ServiceRecord.getEncoder(), ServiceRecord.createDecoder(null));
  }

  /** Challenge records (docs/decisions/0009). */
  static StoreSerde<ChallengeRecord> challengeRecords() {
    return new StoreSerde<>(ChallengeRecord.getEncoder(), ChallengeRecord.createDecoder(null));
  }

  private static Schema previousSchema(String name) {
    try (InputStream in = StoreSerde.class.getResourceAsStream("/store-schemas/" + name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource /store-schemas/" + name);
      }
      return new Schema.Parser().parse(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  StoreSerde(BinaryMessageEncoder<T> encoder, BinaryMessageDecoder<T> decoder) {
    this.serializer = (topic, value) -> value == null ? null : encode(encoder, value);
    this.deserializer = (topic, bytes) -> bytes == null ? null : decode(decoder, bytes, topic);
  }

  private static <T> byte[] encode(BinaryMessageEncoder<T> encoder, T value) {
    try {
      ByteBuffer buf = encoder.encode(value);
      byte[] bytes = new byte[buf.remaining()];
      buf.get(bytes);
      return bytes;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static <T> T decode(BinaryMessageDecoder<T> decoder, byte[] bytes, String topic) {
    try {
      return decoder.decode(bytes);
    } catch (IOException | RuntimeException e) {
      throw new SerializationException("Undecodable store value in " + topic, e);
    }
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
