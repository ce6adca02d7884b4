package io.lapse.expiry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lapse.events.v1.ChallengeExpired;
import io.lapse.expiry.harness.ChallengeFeed;
import io.lapse.expiry.harness.CommittedReader;
import io.lapse.expiry.harness.ProcessorFixture;
import io.lapse.expiry.harness.TerminalWatcher;
import io.lapse.testkit.KafkaBroker;
import io.lapse.testkit.LapseIntegration;
import io.lapse.testkit.SchemaRegistry;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;

/** Many challenges, each expired exactly once, none early. */
@LapseIntegration
class ExpiryAtScaleIT {
  private static final int CHALLENGES = 10_000;

  @Test
  void shouldExpireEachOfTenThousandChallengesExactlyOnceAndNeverEarly(
      KafkaBroker broker, SchemaRegistry registry) {
    ProcessorFixture fixture = new ProcessorFixture(broker.bootstrapServers(), registry.url(), 6);
    Map<String, Instant> deadlines = new HashMap<>();
    try (ExpiryProcessorApp app = fixture.start("only");
        ChallengeFeed feed = new ChallengeFeed(fixture.bootstrap(), fixture.topics());
        TerminalWatcher watcher = new TerminalWatcher(fixture.bootstrap(), fixture.topics())) {
      await().atMost(Duration.ofSeconds(60)).until(() -> app.state() == KafkaStreams.State.RUNNING);

      Instant start = Instant.now().truncatedTo(ChronoUnit.MILLIS).plusSeconds(3);
      for (int i = 0; i < CHALLENGES; i++) {
        String sid = ChallengeFeed.sid("a", i);
        Instant deadline = start.plusMillis(i * 3_000L / CHALLENGES);
        deadlines.put(sid, deadline);
        feed.create(sid, deadline);
      }
      feed.flush();

      await().atMost(Duration.ofSeconds(90)).until(() -> watcher.expiredCount() >= CHALLENGES);
      System.out.println(
          "ExpiryAtScaleIT lateness (read_committed receipt - deadline): "
              + watcher.lateness(s -> true));
    }

    var published =
        CommittedReader.readAll(
            fixture.bootstrap(),
            fixture.topics().names().challengeExpired(),
            fixture.topics().challengeExpired().valueDeserializer(),
            Duration.ofSeconds(60));
    Map<String, Long> counts =
        published.stream()
            .collect(Collectors.groupingBy(ConsumerRecord::key, Collectors.counting()));
    assertThat(counts.keySet()).isEqualTo(deadlines.keySet());
    assertThat(counts.values()).allMatch(c -> c == 1L);
    for (ConsumerRecord<String, ChallengeExpired> r : published) {
      Instant deadline = deadlines.get(r.key());
      assertThat(r.value().getExpirationDate()).isEqualTo(deadline);
      assertThat(r.value().getExpiredAt()).isAfterOrEqualTo(deadline);
      assertThat(r.timestamp()).isGreaterThanOrEqualTo(deadline.toEpochMilli());
    }
  }
}
