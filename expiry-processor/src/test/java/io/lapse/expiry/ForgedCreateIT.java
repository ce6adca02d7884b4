package io.lapse.expiry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lapse.events.v1.AttemptOutcome;
import io.lapse.events.v1.ChallengeCreated;
import io.lapse.expiry.harness.ChallengeFeed;
import io.lapse.expiry.harness.CommittedReader;
import io.lapse.expiry.harness.ProcessorFixture;
import io.lapse.expiry.harness.TerminalWatcher;
import io.lapse.expiry.harness.TestKeys;
import io.lapse.infra.KafkaBroker;
import io.lapse.infra.SchemaRegistry;
import io.lapse.testkit.LapseIntegration;
import io.lapse.topics.TopicNames;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;

/**
 * On the real broker and registry: creates that no trusted producer signed, or that sit under
 * another challenge's key, go to {@code challenge-created-dlq} with their reason and never expire
 * nor let an attempt approve them, while a signed create beside them expires
 * (docs/decisions/0020-signed-challenge-creates.md).
 */
@LapseIntegration
class ForgedCreateIT {

  @Test
  void shouldDeadLetterForgedCreatesWithTheirReasonAndExpireOnlyTheSignedOne(
      KafkaBroker broker, SchemaRegistry registry) {
    ProcessorFixture fixture = new ProcessorFixture(broker.bootstrapServers(), registry.url(), 3);
    String valid = ChallengeFeed.sid("ok", 1);
    String unsigned = ChallengeFeed.sid("nomac", 1);
    String badMac = ChallengeFeed.sid("badmac", 1);
    String misKeyed = ChallengeFeed.sid("key", 1);
    String elsewhere = ChallengeFeed.sid("elsewhere", 1);
    Map<String, String> expectedReasons =
        Map.of(unsigned, "mac-missing", badMac, "mac-invalid", misKeyed, "key-not-sid");
    try (ExpiryProcessorApp app = fixture.start("only");
        ChallengeFeed feed = new ChallengeFeed(fixture.bootstrap(), fixture.topics());
        TerminalWatcher watcher = new TerminalWatcher(fixture.bootstrap(), fixture.topics())) {
      await().atMost(Duration.ofSeconds(60)).until(() -> app.state() == KafkaStreams.State.RUNNING);
      Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
      Instant forgedDeadline = now.plusSeconds(2);

      feed.send(unsigned, ChallengeFeed.challenge(unsigned, forgedDeadline));
      feed.send(
          badMac,
          ChallengeCreated.newBuilder(ChallengeFeed.challenge(badMac, forgedDeadline))
              .setMacKeyId(TestKeys.KEY_ID)
              .setMac(ByteBuffer.wrap(new byte[32]))
              .build());
      // Genuinely signed, but for another challenge: the key chooses what would be decided.
      feed.send(misKeyed, TestKeys.signed(ChallengeFeed.challenge(elsewhere, forgedDeadline)));
      // A signed approval for the unsigned one: it must approve nothing.
      feed.attempt(unsigned, "AT-forged", AttemptOutcome.APPROVED);
      feed.create(valid, now.plusSeconds(4));
      feed.flush();

      await().atMost(Duration.ofSeconds(60)).until(() -> watcher.expiredCount() >= 1);
      Map<String, String> reasons = new HashMap<>();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                reasons.clear();
                reasons.putAll(deadLetterReasons(fixture));
                return reasons.size() >= expectedReasons.size();
              });

      assertThat(reasons).isEqualTo(expectedReasons);
      assertThat(watcher.expired().keySet())
          .as("the signed create expired; the forged ones, due two seconds earlier, did not")
          .containsExactly(valid);
      assertThat(watcher.terminalOutcomes()).as("nothing approved").isEmpty();
      assertThat(app.metrics().untrustedCreateCount("mac-missing")).isEqualTo(1);
      System.out.printf(
          "ForgedCreateIT: %d forged creates dead-lettered with their reasons %s; the signed one"
              + " expired, none of the forged%n",
          reasons.size(), reasons.values());
    }
  }

  /** The challenge-created-dlq records: record key → lapse.dlq.reason. */
  private static Map<String, String> deadLetterReasons(ProcessorFixture fixture) {
    List<ConsumerRecord<String, ChallengeCreated>> dead =
        CommittedReader.readAll(
            fixture.bootstrap(),
            TopicNames.deadLetter(fixture.topics().names().challengeCreated()),
            fixture.topics().challengeCreated().valueDeserializer(),
            Duration.ofSeconds(20));
    Map<String, String> reasons = new HashMap<>();
    for (ConsumerRecord<String, ChallengeCreated> r : dead) {
      Header reason = r.headers().lastHeader("lapse.dlq.reason");
      reasons.put(
          r.key(), reason == null ? "(none)" : new String(reason.value(), StandardCharsets.UTF_8));
    }
    return reasons;
  }
}
