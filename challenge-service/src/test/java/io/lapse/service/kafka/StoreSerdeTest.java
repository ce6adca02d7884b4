package io.lapse.service.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lapse.commands.v1.AccessTokenUse;
import io.lapse.commands.v1.EntityRecord;
import io.lapse.commands.v1.FactorRecord;
import io.lapse.commands.v1.RecentAttempt;
import io.lapse.state.v1.EntitySnapshot;
import io.lapse.state.v1.FactorSnapshot;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class StoreSerdeTest {
  private final StoreSerde<EntityRecord> serde = StoreSerde.entityRecords();

  private static EntityRecord record() {
    Instant t = Instant.parse("2026-05-01T12:00:00.250Z");
    return new EntityRecord(
        EntitySnapshot.newBuilder()
            .setSid("YE" + "3".repeat(32))
            .setAccountSid("AC" + "1".repeat(32))
            .setServiceSid("VA" + "2".repeat(32))
            .setIdentity("user-0001")
            .setCreatedAt(t)
            .setUpdatedAt(t)
            .build(),
        List.of(t.toEpochMilli()),
        List.of(),
        List.of(new AccessTokenUse("YK" + "4".repeat(32), "YF" + "5".repeat(32), 7L)));
  }

  @Test
  void shouldRoundTripAStoreValueBehindTheSingleObjectMarker() {
    byte[] bytes = serde.serializer().serialize("entity-records", record());

    assertThat(bytes[0]).isEqualTo((byte) 0xC3);
    assertThat(bytes[1]).isEqualTo((byte) 0x01);
    assertThat(serde.deserializer().deserialize("entity-records", bytes)).isEqualTo(record());
  }

  @Test
  void shouldRefuseBytesOfAnotherFormatRatherThanMisreadThem() {
    byte[] other = {0, 0, 0, 0, 1, 2, 3};

    assertThatThrownBy(() -> serde.deserializer().deserialize("entity-records", other))
        .isInstanceOf(SerializationException.class);
  }

  @Test
  void shouldReadAnEntityRecordWrittenBeforeAccessTokens() throws Exception {
    Schema v1;
    try (InputStream in = getClass().getResourceAsStream("/store-schemas/EntityRecord-v1.avsc")) {
      v1 = new Schema.Parser().parse(in);
    }
    GenericData.Record old = new GenericData.Record(v1);
    EntityRecord current = record();
    old.put("entity", null);
    old.put("factorCreations", current.getFactorCreations());
    old.put("idempotencyKeys", List.of());
    ByteBuffer bytes =
        new BinaryMessageEncoder<GenericData.Record>(GenericData.get(), v1).encode(old);
    byte[] stored = new byte[bytes.remaining()];
    bytes.get(stored);

    EntityRecord read = serde.deserializer().deserialize("entity-records", stored);

    assertThat(read.getEntity()).isNull();
    assertThat(read.getFactorCreations()).isEqualTo(current.getFactorCreations());
    assertThat(read.getAccessTokens()).isEmpty();
  }

  @Test
  void shouldReadAFactorRecordWrittenBeforeAttemptsRememberedTheirStep() throws Exception {
    Schema v1;
    try (InputStream in = getClass().getResourceAsStream("/store-schemas/FactorRecord-v1.avsc")) {
      v1 = new Schema.Parser().parse(in);
    }
    Instant t = Instant.parse("2026-05-01T12:00:00.250Z");
    FactorRecord current =
        FactorRecord.newBuilder()
            .setFactor(
                FactorSnapshot.newBuilder()
                    .setSid("YF" + "5".repeat(32))
                    .setAccountSid("AC" + "1".repeat(32))
                    .setServiceSid("VA" + "2".repeat(32))
                    .setEntitySid("YE" + "3".repeat(32))
                    .setIdentity("user-0001")
                    .setFriendlyName("phone")
                    .setFactorType("totp")
                    .setStatus("verified")
                    .setCreatedAt(t)
                    .setUpdatedAt(t)
                    .build())
            .setBindingDigest(ByteBuffer.wrap(new byte[] {1, 2, 3}))
            .setLastAcceptedStepStart(1_777_636_800L)
            .setRecentAttempts(
                List.of(RecentAttempt.newBuilder().setAttemptId("AT-1").setClaimed(true).build()))
            .build();
    // The same record as the previous schema wrote it: current bytes read with v1 as reader.
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    var encoder = EncoderFactory.get().binaryEncoder(out, null);
    new SpecificDatumWriter<FactorRecord>(FactorRecord.getClassSchema()).write(current, encoder);
    encoder.flush();
    GenericData.Record old =
        new GenericDatumReader<GenericData.Record>(FactorRecord.getClassSchema(), v1)
            .read(null, DecoderFactory.get().binaryDecoder(out.toByteArray(), null));
    ByteBuffer bytes =
        new BinaryMessageEncoder<GenericData.Record>(GenericData.get(), v1).encode(old);
    byte[] stored = new byte[bytes.remaining()];
    bytes.get(stored);

    FactorRecord read = StoreSerde.factorRecords().deserializer().deserialize("f", stored);

    assertThat(read.getLastAcceptedStepStart()).isEqualTo(1_777_636_800L);
    assertThat(read.getRecentAttempts())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.getClaimed()).isTrue();
              assertThat(r.getClaimedStep()).as("unknown: never released").isEqualTo(-1L);
              assertThat(r.getRepeated()).isFalse();
            });
  }
}
