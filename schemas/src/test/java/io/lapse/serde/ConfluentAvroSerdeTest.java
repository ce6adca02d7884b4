package io.lapse.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lapse.events.v1.ChallengeCreated;
import io.lapse.events.v1.DetailField;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ConfluentAvroSerdeTest {
  private static final String SCOPE = "serde-test";
  private final Map<String, Object> config = Map.of("schema.registry.url", "mock://" + SCOPE);

  @AfterEach
  void dropRegistry() {
    MockSchemaRegistry.dropScope(SCOPE);
  }

  @Test
  void shouldRoundTripSpecificRecordWithLogicalTypes() {
    ConfluentAvroSerde<ChallengeCreated> serde = ConfluentAvroSerde.specific(config, false);
    ChallengeCreated created = sampleCreated();

    byte[] bytes = serde.serializer().serialize("challenge-created", created);

    assertThat(bytes[0]).isEqualTo(WireFormat.MAGIC_BYTE);
    assertThat(serde.deserializer().deserialize("challenge-created", bytes)).isEqualTo(created);
    assertThat(MockSchemaRegistry.forScope(SCOPE).getSubjects())
        .containsExactly("challenge-created-value");
  }

  @Test
  void shouldKeepTombstonesNull() {
    ConfluentAvroSerde<ChallengeCreated> serde = ConfluentAvroSerde.specific(config, false);

    assertThat(serde.serializer().serialize("t", null)).isNull();
    assertThat(serde.deserializer().deserialize("t", null)).isNull();
  }

  @Test
  void shouldRejectGuidFramingWithAClearReason() {
    ConfluentAvroSerde<ChallengeCreated> serde = ConfluentAvroSerde.specific(config, false);

    assertThatThrownBy(() -> serde.deserializer().deserialize("t", new byte[] {1, 0, 0, 0, 1, 2}))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("magic byte 1");
  }

  static ChallengeCreated sampleCreated() {
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    return ChallengeCreated.newBuilder()
        .setSid("YC" + "a".repeat(32))
        .setAccountSid("AC" + "b".repeat(32))
        .setServiceSid("VA" + "c".repeat(32))
        .setEntitySid("YE" + "d".repeat(32))
        .setIdentity("ff483d1ff591898a9942916050d2ca3f")
        .setFactorSid("YF" + "e".repeat(32))
        .setFactorType("push")
        .setCreatedAt(now)
        .setExpirationDate(now.plusSeconds(300))
        .setDetailsMessage("Login?")
        .setDetailsFields(List.of(new DetailField("Action", "Login")))
        .setHiddenDetails(Map.of("ip", "1.2.3.4"))
        .build();
  }
}
