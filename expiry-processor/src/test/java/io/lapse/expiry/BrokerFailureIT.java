package io.lapse.expiry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lapse.events.v1.AttemptOutcome;
import io.lapse.expiry.harness.ChallengeFeed;
import io.lapse.expiry.harness.CommittedReader;
import io.lapse.expiry.harness.Lateness;
import io.lapse.expiry.harness.ProcessorFixture;
import io.lapse.expiry.harness.TerminalWatcher;
import io.lapse.infra.KafkaCluster;
import io.lapse.infra.SchemaRegistry;
import io.lapse.testkit.LapseIntegration;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;

/**
 * The broker that leads the challenge partitions dies (SIGKILL) while challenges are created,
 * approved and expiring, on a three-broker cluster with replication factor 3 and {@code
 * min.insync.replicas} 2 (docs/architecture.md, "Invariants"): every challenge on the log gets
 * exactly one terminal event, none expires early, none is both approved and expired, and a
 * challenge without an approval is never approved. The time until expirations flow again is
 * printed, not asserted (it is mostly the brokers' session timeout and leader election).
 */
@LapseIntegration
class BrokerFailureIT {
  private static final Duration FEED = Duration.ofSeconds(16);
  private static final Duration KILL_AFTER = Duration.ofSeconds(5);
  private static final int PER_SECOND = 100;

  @Test
  void shouldLoseNothingDecideNothingTwiceAndNeverExpireEarlyWhenTheLeaderDies(
      KafkaCluster cluster, SchemaRegistry registry) throws Exception {
    ProcessorFixture fixture =
        new ProcessorFixture(cluster.bootstrapServers(), registry.url(), 3)
            .with("LAPSE_REPLICATION_FACTOR", "3");
    Set<String> approvedAttempted = new HashSet<>();
    Map<String, Long> deadlines = new HashMap<>();
    long killedAt;
    int killed;
    try (ExpiryProcessorApp processor = fixture.start("a");
        ChallengeFeed feed = new ChallengeFeed(fixture.bootstrap(), fixture.topics());
        TerminalWatcher watcher = new TerminalWatcher(fixture.bootstrap(), fixture.topics())) {
      await()
          .atMost(Duration.ofSeconds(120))
          .until(() -> processor.state() == KafkaStreams.State.RUNNING);
      cluster.awaitFullyReplicated(Duration.ofSeconds(60));
      String created = fixture.topics().names().challengeCreated();
      killed = cluster.leaderOf(new TopicPartition(created, 0)).orElseThrow();

      // Create PER_SECOND challenges a second, due 3–6 s later; every third one is approved
      // half a second after its create. Kill the leader of challenge-created's partition 0 while
      // this goes on.
      long start = System.nanoTime();
      long killAt = start + KILL_AFTER.toNanos();
      killedAt = 0;
      List<String[]> pendingApprovals = new ArrayList<>();
      int n = 0;
      while (System.nanoTime() - start < FEED.toNanos()) {
        if (killedAt == 0 && System.nanoTime() >= killAt) {
          cluster.kill(killed);
          killedAt = System.currentTimeMillis();
        }
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        for (int i = 0; i < PER_SECOND / 10; i++, n++) {
          String sid = ChallengeFeed.sid("brokerkill", n);
          Instant due = now.plusMillis(3_000 + (n * 37L) % 3_000);
          feed.create(sid, due);
          deadlines.put(sid, due.toEpochMilli());
          if (n % 3 == 0) {
            pendingApprovals.add(new String[] {sid, Long.toString(now.toEpochMilli() + 500)});
          }
        }
        long nowMillis = System.currentTimeMillis();
        pendingApprovals.removeIf(
            a -> {
              if (Long.parseLong(a[1]) > nowMillis) {
                return false;
              }
              feed.attempt(a[0], "approve-" + a[0], AttemptOutcome.APPROVED);
              approvedAttempted.add(a[0]);
              return true;
            });
        TimeUnit.MILLISECONDS.sleep(100); // the feed's pace: PER_SECOND / 10 every 100 ms
      }
      feed.flush();

      // Every challenge that reached the log is decided once.
      Set<String> onTheLog =
          CommittedReader.countsByKey(
                  fixture.bootstrap(),
                  created,
                  fixture.topics().challengeCreated().valueDeserializer(),
                  c -> true,
                  Duration.ofSeconds(120))
              .keySet();
      await()
          .atMost(Duration.ofSeconds(180))
          .until(
              () ->
                  onTheLog.stream()
                      .allMatch(
                          sid ->
                              watcher.expired().containsKey(sid)
                                  || watcher.terminalOutcomes().containsKey(sid)));

      List<String> contradictory =
          onTheLog.stream()
              .filter(
                  sid ->
                      watcher.expired().containsKey(sid)
                          && watcher.terminalOutcomes().containsKey(sid))
              .toList();
      List<String> twice =
          onTheLog.stream()
              .filter(
                  sid ->
                      watcher.expired().getOrDefault(sid, List.of()).size()
                              + watcher.terminalOutcomes().getOrDefault(sid, List.of()).size()
                          > 1)
              .toList();
      List<String> approvedWithoutApproval =
          onTheLog.stream()
              .filter(
                  sid ->
                      watcher.terminalOutcomes().containsKey(sid)
                          && !approvedAttempted.contains(sid))
              .toList();
      long approved = onTheLog.stream().filter(watcher.terminalOutcomes()::containsKey).count();
      long dueAfterKill = killedAt;
      Lateness afterKill = watcher.lateness(sid -> deadlines.getOrDefault(sid, 0L) >= dueAfterKill);
      Lateness before = watcher.lateness(sid -> deadlines.getOrDefault(sid, 0L) < dueAfterKill);
      System.out.printf(
          "BrokerFailureIT: killed broker %d (leader of %s-0); %d created, %d on the log,"
              + " %d approved, %d expired; lost=%d duplicated=%d early=%d contradictory=%d;"
              + " lateness due before the kill %s; due after the kill %s (max = time until"
              + " expirations flowed again); %.0f records dead-lettered%n",
          killed,
          created,
          deadlines.size(),
          onTheLog.size(),
          approved,
          onTheLog.size() - approved,
          deadlines.size() - onTheLog.size(),
          twice.size(),
          watcher.early().size(),
          contradictory.size(),
          before,
          afterKill,
          processor.metrics().deadLetteredCount());

      assertThat(onTheLog)
          .as("acks=all with idempotence: every create reached the log")
          .hasSize(deadlines.size());
      assertThat(twice).as("decided twice").isEmpty();
      assertThat(contradictory).as("both approved and expired").isEmpty();
      assertThat(watcher.early()).as("expired before the deadline").isEmpty();
      assertThat(approvedWithoutApproval).as("approved without an approval").isEmpty();
      // How many approvals win depends on how far behind the processor runs on this machine (an
      // approval it has not read by the deadline loses to the expiry, correctly): printed above.
    }
  }
}
