package io.lapse.serde;

import static org.assertj.core.api.Assertions.assertThat;

import io.lapse.events.v1.ChallengeApproved;
import io.lapse.events.v1.ChallengeCreated;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The Kafka Streams {@code Serde} facade: its factories and reflective configuration. */
class ConfluentAvroSerdeTest {
  private final MockScope scope = new MockScope();

  @AfterEach
  void dropRegistry() {
    scope.close();
  }

  @Test
  void shouldRoundTripGeneratedClassesFromTheSpecificFactory() {
    ConfluentAvroSerde<ChallengeCreated> serde = ConfluentAvroSerde.specific(scope.props(), false);
    ChallengeCreated created = SampleEvents.challengeCreated();

    byte[] bytes = serde.serializer().serialize("challenge-created", created);

    assertThat(bytes[0]).isEqualTo(WireFormat.MAGIC_BYTE);
    assertThat(serde.deserializer().deserialize("challenge-created", bytes)).isEqualTo(created);
    assertThat(scope.registry().getSubjects()).containsExactly("challenge-created-value");
  }

  @Test
  void shouldUseTheGivenValueStrategyFromTheStrategyFactory() {
    ConfluentAvroSerde<ChallengeApproved> serde =
        ConfluentAvroSerde.specific(scope.props(), SubjectNameStrategy.TOPIC_RECORD);

    byte[] bytes =
        serde.serializer().serialize("challenge-outcomes", SampleEvents.challengeApproved());

    assertThat(serde.deserializer().deserialize("challenge-outcomes", bytes))
        .isEqualTo(SampleEvents.challengeApproved());
    assertThat(scope.registry().getSubjects())
        .containsExactly("challenge-outcomes-io.lapse.events.v1.ChallengeApproved");
  }

  @Test
  void shouldReadGenericRecordsWhenConfiguredReflectivelyWithDefaults() {
    ConfluentAvroSerde<Object> serde = new ConfluentAvroSerde<>();
    serde.configure(scope.props(), false);

    byte[] bytes =
        serde.serializer().serialize("challenge-created", SampleEvents.challengeCreated());

    assertThat(serde.deserializer().deserialize("challenge-created", bytes))
        .isInstanceOf(GenericRecord.class)
        .isNotInstanceOf(ChallengeCreated.class);
  }

  @Test
  void shouldKeepTombstonesNull() {
    ConfluentAvroSerde<ChallengeCreated> serde = ConfluentAvroSerde.specific(scope.props(), false);

    assertThat(serde.serializer().serialize("t", null)).isNull();
    assertThat(serde.deserializer().deserialize("t", null)).isNull();
  }
}
