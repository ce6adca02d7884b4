package io.lapse.service.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lapse.commands.v1.EntityRecord;
import io.lapse.state.v1.EntitySnapshot;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class StoreSerdeTest {
  private final StoreSerde<EntityRecord> serde =
      new StoreSerde<>(EntityRecord.getEncoder(), EntityRecord.getDecoder());

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
        List.of());
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
}
