package io.lapse.topics;

import static org.assertj.core.api.Assertions.assertThat;

import io.lapse.serde.MockSchemaRegistry;
import io.lapse.serde.SampleEvents;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every record type round-trips through its typed topic, under the subject that {@code
 * docs/architecture.md} ("Topics") names.
 */
class LapseTopicsTest {
  private final String scope = "topics-" + UUID.randomUUID();
  private final LapseTopics topics =
      LapseTopics.create(Map.of("schema.registry.url", "mock://" + scope));

  @AfterEach
  void dropRegistry() {
    MockSchemaRegistry.dropScope(scope);
  }

  static Iterable<TopicCase> cases() {
    return TopicCase.all();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void shouldRoundTripEveryRecordTypeAsItsGeneratedClassUnderItsSubject(TopicCase c) {
    byte[] bytes = c.serialize(topics);

    assertThat(c.deserialize(topics, bytes))
        .isInstanceOf(c.sample().getClass())
        .isEqualTo(c.sample());
    assertThat(MockSchemaRegistry.forScope(scope).getSubjects()).containsExactly(c.subject());
  }

  @Test
  void shouldKeyChallengeTopicsByTheSidAsPlainUtf8() {
    byte[] key =
        topics
            .challengeCreated()
            .keySerializer()
            .serialize("challenge-created", SampleEvents.CHALLENGE);

    assertThat(key).isEqualTo(SampleEvents.CHALLENGE.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void shouldKeepTombstonesOnSnapshotTopics() {
    assertThat(topics.factors().valueSerializer().serialize("lapse-factors", null)).isNull();
    assertThat(topics.factors().valueDeserializer().deserialize("lapse-factors", null)).isNull();
  }

  @Test
  void shouldNameDeadLetterTopicsAfterTheirInput() {
    assertThat(LapseTopics.deadLetter("challenge-responses").name())
        .isEqualTo("challenge-responses-dlq");
  }
}
