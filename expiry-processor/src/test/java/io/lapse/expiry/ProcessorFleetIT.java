package io.lapse.expiry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lapse.expiry.fleet.ChildProcessor;
import io.lapse.expiry.harness.ChallengeFeed;
import io.lapse.expiry.harness.CommittedReader;
import io.lapse.expiry.harness.Lateness;
import io.lapse.expiry.harness.ProcessorFixture;
import io.lapse.expiry.harness.TerminalWatcher;
import io.lapse.infra.KafkaBroker;
import io.lapse.infra.SchemaRegistry;
import io.lapse.testkit.LapseIntegration;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A fleet of three processor JVMs with one standby replica per task ({@code
 * LAPSE_EXPIRY_NUM_STANDBY_REPLICAS=1}); one is SIGKILLed while challenges are created and expire.
 * Its tasks move to the instances holding their standbys: nothing is lost, nothing expires twice or
 * early. The lateness of the challenges due during the failover is printed (the goal is a max under
 * 1 s with standbys, on a machine that is not otherwise loaded), not asserted.
 */
@LapseIntegration
class ProcessorFleetIT {
  private static final Duration FEED = Duration.ofSeconds(20);
  private static final Duration KILL_AFTER = Duration.ofSeconds(8);
  private static final int PER_SECOND = 100;

  @Test
  void shouldFailOverToStandbysWithoutLossDuplicateOrEarlyExpiry(
      KafkaBroker broker, SchemaRegistry registry) throws Exception {
    ProcessorFixture fixture =
        new ProcessorFixture(broker.bootstrapServers(), registry.url(), 6)
            .with("LAPSE_EXPIRY_NUM_STANDBY_REPLICAS", "1")
            .with("LAPSE_EXPIRY_NUM_STREAM_THREADS", "1");
    Map<String, Long> deadlines = new HashMap<>();
    List<ChildProcessor> fleet = new ArrayList<>();
    long killedAt = 0;
    try (ChallengeFeed feed = new ChallengeFeed(fixture.bootstrap(), fixture.topics());
        TerminalWatcher watcher = new TerminalWatcher(fixture.bootstrap(), fixture.topics())) {
      for (String name : List.of("a", "b", "c")) {
        fleet.add(ChildProcessor.start(fixture.env(name), "fleet-" + name));
      }
      await()
          .atMost(Duration.ofSeconds(180))
          .until(() -> fleet.stream().allMatch(p -> HealthProbe.running(p.httpPort())));

      long start = System.nanoTime();
      int n = 0;
      while (System.nanoTime() - start < FEED.toNanos()) {
        if (killedAt == 0 && System.nanoTime() - start >= KILL_AFTER.toNanos()) {
          fleet.get(0).kill();
          killedAt = System.currentTimeMillis();
        }
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        for (int i = 0; i < PER_SECOND / 10; i++, n++) {
          String sid = ChallengeFeed.sid("fleet", n);
          Instant due = now.plusMillis(2_000 + (n * 31L) % 3_000);
          feed.create(sid, due);
          deadlines.put(sid, due.toEpochMilli());
        }
        TimeUnit.MILLISECONDS.sleep(100); // the feed's pace: PER_SECOND / 10 every 100 ms
      }
      feed.flush();

      await()
          .atMost(Duration.ofSeconds(180))
          .until(() -> watcher.expired().keySet().containsAll(deadlines.keySet()));
      long kill = killedAt;
      Lateness failover =
          watcher.lateness(sid -> deadlines.get(sid) >= kill && deadlines.get(sid) < kill + 10_000);
      Lateness steady = watcher.lateness(sid -> deadlines.get(sid) < kill);
      System.out.printf(
          "ProcessorFleetIT: 3 instances, 1 standby, instance a SIGKILLed; %d challenges,"
              + " early=%d duplicated=%d; lateness before the kill %s; due in the 10 s after the"
              + " kill %s%n",
          deadlines.size(), watcher.early().size(), watcher.duplicates().size(), steady, failover);
      assertThat(watcher.early()).as("expired before the deadline").isEmpty();
      assertThat(watcher.duplicates()).as("expired twice (as seen)").isEmpty();
    } finally {
      fleet.forEach(ChildProcessor::close);
    }

    Map<String, Long> committed =
        CommittedReader.countsByKey(
            fixture.bootstrap(),
            fixture.topics().names().challengeExpired(),
            fixture.topics().challengeExpired().valueDeserializer(),
            e -> true,
            Duration.ofSeconds(60));
    assertThat(committed.keySet()).as("none lost").isEqualTo(deadlines.keySet());
    assertThat(committed.values()).as("each committed once").allMatch(c -> c == 1L);
  }
}
