package io.lapse.expiry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;

/**
 * Two instances share the partitions; one stops mid-stream and the other takes its tasks over,
 * restoring their stores from the changelogs.
 */
@LapseIntegration
class ProcessorFailoverIT {
  private static final int CHALLENGES = 4_000;

  @Test
  void shouldTakeOverWithoutLossOrDuplicateWhenOneOfTwoInstancesStops(
      KafkaBroker broker, SchemaRegistry registry) {
    ProcessorFixture fixture = new ProcessorFixture(broker.bootstrapServers(), registry.url(), 6);
    Map<String, Instant> deadlines = new HashMap<>();
    try (ChallengeFeed feed = new ChallengeFeed(fixture.bootstrap(), fixture.topics());
        TerminalWatcher watcher = new TerminalWatcher(fixture.bootstrap(), fixture.topics());
        ExpiryProcessorApp survivor = fixture.start("survivor")) {
      ExpiryProcessorApp leaving = fixture.start("leaving");
      try {
        await()
            .atMost(Duration.ofSeconds(60))
            .until(
                () ->
                    survivor.state() == KafkaStreams.State.RUNNING
                        && leaving.state() == KafkaStreams.State.RUNNING
                        && survivor.metrics().pending() == 0
                        && leaving.metrics().pending() == 0);
        Instant start = Instant.now().truncatedTo(ChronoUnit.MILLIS).plusSeconds(3);
        for (int i = 0; i < CHALLENGES / 2; i++) {
          send(feed, deadlines, i, start.plusMillis(i * 6_000L / CHALLENGES));
        }
        feed.flush();
        await().atMost(Duration.ofSeconds(60)).until(() -> watcher.expiredCount() >= 300);
        assertThat(leaving.metrics().pending()).as("both instances own tasks").isPositive();
      } finally {
        leaving.close();
      }
      Instant later = Instant.now().truncatedTo(ChronoUnit.MILLIS).plusSeconds(2);
      for (int i = CHALLENGES / 2; i < CHALLENGES; i++) {
        send(feed, deadlines, i, later.plusMillis((i - CHALLENGES / 2) * 3_000L / CHALLENGES));
      }
      feed.flush();

      await().atMost(Duration.ofSeconds(120)).until(() -> watcher.expiredCount() >= CHALLENGES);
      assertThat(watcher.early()).as("never before the deadline").isEmpty();
      System.out.println("ProcessorFailoverIT lateness: " + watcher.lateness(s -> true));
    }

    Map<String, Long> expired =
        CommittedReader.countsByKey(
            fixture.bootstrap(),
            fixture.topics().names().challengeExpired(),
            fixture.topics().challengeExpired().valueDeserializer(),
            e -> true,
            Duration.ofSeconds(60));
    assertThat(expired.keySet()).isEqualTo(deadlines.keySet());
    assertThat(expired.values()).allMatch(c -> c == 1L);
  }

  private static void send(ChallengeFeed feed, Map<String, Instant> deadlines, int i, Instant at) {
    String sid = ChallengeFeed.sid("c", i);
    deadlines.put(sid, at);
    feed.create(sid, at);
  }
}
