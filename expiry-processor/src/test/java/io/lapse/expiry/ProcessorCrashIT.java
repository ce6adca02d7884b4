package io.lapse.expiry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lapse.events.v1.AttemptOutcome;
import io.lapse.events.v1.ChallengeApproved;
import io.lapse.expiry.fleet.ChildProcessor;
import io.lapse.expiry.harness.ChallengeFeed;
import io.lapse.expiry.harness.CommittedReader;
import io.lapse.expiry.harness.GroupProgress;
import io.lapse.expiry.harness.Lateness;
import io.lapse.expiry.harness.ProcessorFixture;
import io.lapse.expiry.harness.TerminalWatcher;
import io.lapse.infra.KafkaBroker;
import io.lapse.infra.SchemaRegistry;
import io.lapse.testkit.LapseIntegration;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The processor runs as a child JVM and is killed with SIGKILL while challenges are expiring; a
 * known group of deadlines then passes while no processor runs, and the processor is restarted on
 * the same state directory.
 *
 * <p>The "while down" group is created and committed by the first instance before the kill (the
 * scenario waits for the group's committed offsets), so on restart its timers come back from the
 * restored stores, not from re-reading the input: this is the restored-timer path.
 *
 * <p>The scenario runs once, in order, before the tests; each test then checks one behaviour on
 * what it recorded. How soon after the restart the missed deadlines fire is printed, not asserted:
 * timing on a shared machine belongs to the benchmark ({@code expiry-processor/bench.sh}).
 */
@LapseIntegration
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProcessorCrashIT {
  /** Challenges due after the test, sent first to warm the processor's JVM up. */
  private static final int WARM_UP = 200;

  /** Deadlines spread over the first instance's run; every fifth also gets an approval. */
  private static final int MID_STREAM = 1_500;

  private static final long MID_STREAM_SPREAD_MS = 3_000;

  /** Deadlines that all fall after the kill and before the restart. */
  private static final int WHILE_DOWN = 500;

  /**
   * The while-down group is sent once the mid-stream group has been read, due at least this long
   * after it is sent, or twice the measured ingest time plus a margin on a slow machine: the kill
   * must land before its first deadline whatever the load.
   */
  private static final long WHILE_DOWN_MIN_LEAD_MS = 4_000;

  private static final long WHILE_DOWN_SPREAD_MS = 1_000;

  // What the scenario recorded.
  private final Map<String, Instant> deadlines = new HashMap<>();
  private final Set<String> approvedSent = new HashSet<>();
  private final Set<String> whileDown = new HashSet<>();
  private Instant killedAt;
  private Instant firstDownDeadline;
  private Set<String> expiredBeforeRestart;
  private Map<String, TerminalWatcher.Seen> whileDownSeen;
  private List<String> seenEarly;
  private List<String> seenTwice;
  private int secondExitCode;
  private Map<String, Long> committedExpired;
  private Map<String, Long> committedApproved;

  @BeforeAll
  void killAndRestartTheProcessorWhileChallengesExpire(KafkaBroker broker, SchemaRegistry registry)
      throws Exception {
    ProcessorFixture fixture = new ProcessorFixture(broker.bootstrapServers(), registry.url(), 6);
    List<String> inputs =
        List.of(
            fixture.topics().names().challengeCreated(),
            fixture.topics().names().challengeResponses());
    try (ChallengeFeed feed = new ChallengeFeed(fixture.bootstrap(), fixture.topics());
        TerminalWatcher watcher = new TerminalWatcher(fixture.bootstrap(), fixture.topics());
        GroupProgress progress = new GroupProgress(fixture.bootstrap(), fixture.applicationId())) {
      Instant t0;
      ChildProcessor first = ChildProcessor.start(fixture.env("child"), "crash-first");
      try {
        await().atMost(Duration.ofSeconds(90)).until(() -> HealthProbe.running(first.httpPort()));
        warmUp(feed, progress, inputs);
        t0 = Instant.now().truncatedTo(ChronoUnit.MILLIS).plusSeconds(2);
        long ingestMs = sendMidStream(feed, progress, inputs, t0);
        sendWhileDownGroup(feed, progress, inputs, ingestMs);
        // Kill while the mid-stream group expires (or at the latest 5 s in, on a slow machine).
        Instant killBy =
            Collections.min(List.of(t0.plusSeconds(5), firstDownDeadline.minusMillis(500)));
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> watcher.expiredCount() >= MID_STREAM / 3 || Instant.now().isAfter(killBy));
        first.kill();
        killedAt = Instant.now();
      } finally {
        first.close();
      }
      int expiredAtKill = watcher.expiredCount();

      // Wait on the clock (bounded) until every deadline of the group has passed with no
      // processor running.
      Instant lastDownDeadline = firstDownDeadline.plusMillis(WHILE_DOWN_SPREAD_MS);
      await()
          .atMost(Duration.between(Instant.now(), lastDownDeadline).plusSeconds(5))
          .pollInterval(Duration.ofMillis(20))
          .until(() -> Instant.now().isAfter(lastDownDeadline));
      expiredBeforeRestart = Set.copyOf(watcher.expired().keySet());

      try (ChildProcessor second = ChildProcessor.start(fixture.env("child"), "crash-second")) {
        Instant restartedAt = Instant.now();
        await()
            .atMost(Duration.ofSeconds(90))
            .pollInterval(Duration.ofMillis(10))
            .until(() -> HealthProbe.running(second.httpPort()));
        Instant runningAt = Instant.now();
        await()
            .atMost(Duration.ofSeconds(60))
            .until(
                () ->
                    watcher.expired().keySet().containsAll(whileDown)
                        && watcher.expiredCount() + watcher.approvedOrDeniedCount()
                            >= deadlines.size());
        whileDownSeen = new HashMap<>();
        whileDown.forEach(s -> whileDownSeen.put(s, watcher.expired().get(s).get(0)));
        seenEarly = watcher.early();
        seenTwice = watcher.duplicates();
        printFigures(t0, expiredAtKill, restartedAt, runningAt, watcher);
        secondExitCode = second.terminate(Duration.ofSeconds(30));
      }
    }

    committedExpired =
        CommittedReader.countsByKey(
            fixture.bootstrap(),
            fixture.topics().names().challengeExpired(),
            fixture.topics().challengeExpired().valueDeserializer(),
            e -> true,
            Duration.ofSeconds(60));
    committedApproved =
        CommittedReader.countsByKey(
            fixture.bootstrap(),
            fixture.topics().names().challengeOutcomes(),
            fixture.topics().challengeOutcomes().valueDeserializer(),
            ChallengeApproved.class::isInstance,
            Duration.ofSeconds(60));
    System.out.println(
        "ProcessorCrashIT approvals decided approved: "
            + committedApproved.size()
            + " of "
            + approvedSent.size());
  }

  /**
   * Warms the fresh JVM up (JIT, registry lookups, stores) with challenges due long after the test,
   * so the scenario does not depend on how slowly a cold JVM starts.
   */
  private static void warmUp(ChallengeFeed feed, GroupProgress progress, List<String> inputs) {
    Instant later = Instant.now().plus(Duration.ofHours(1));
    for (int i = 0; i < WARM_UP; i++) {
      feed.create(ChallengeFeed.sid("w", i), later);
    }
    feed.flush();
    await().atMost(Duration.ofSeconds(30)).until(() -> progress.caughtUp(inputs));
  }

  /** Sends the mid-stream group and waits until it is read and committed; returns how long. */
  private long sendMidStream(
      ChallengeFeed feed, GroupProgress progress, List<String> inputs, Instant t0) {
    for (int i = 0; i < MID_STREAM; i++) {
      String sid = ChallengeFeed.sid("m", i);
      Instant deadline = t0.plusMillis(i * MID_STREAM_SPREAD_MS / MID_STREAM);
      deadlines.put(sid, deadline);
      feed.create(sid, deadline);
      if (i % 5 == 0) {
        feed.attempt(sid, "approve-" + i, AttemptOutcome.APPROVED);
        approvedSent.add(sid);
      }
    }
    feed.flush();
    Instant sentAt = Instant.now();
    // Read and committed: the mid-stream timers are in the first instance's state.
    await().atMost(Duration.ofSeconds(60)).until(() -> progress.caughtUp(inputs));
    long ingestMs = Duration.between(sentAt, Instant.now()).toMillis();
    System.out.printf(
        "ProcessorCrashIT: %d creates and %d attempts sent %d ms after t0, all read and"
            + " committed %d ms later%n",
        deadlines.size(), approvedSent.size(), Duration.between(t0, sentAt).toMillis(), ingestMs);
    return ingestMs;
  }

  /**
   * Sends the while-down group, due after the kill, and waits until it is read and committed: its
   * timers are then in the first instance's state, so after the restart they come back from the
   * restored stores.
   */
  private void sendWhileDownGroup(
      ChallengeFeed feed, GroupProgress progress, List<String> inputs, long ingestMs) {
    firstDownDeadline =
        Instant.now()
            .truncatedTo(ChronoUnit.MILLIS)
            .plusMillis(Math.max(WHILE_DOWN_MIN_LEAD_MS, 2 * ingestMs + 2_000));
    for (int i = 0; i < WHILE_DOWN; i++) {
      String sid = ChallengeFeed.sid("d", i);
      Instant deadline = firstDownDeadline.plusMillis(i * WHILE_DOWN_SPREAD_MS / WHILE_DOWN);
      deadlines.put(sid, deadline);
      whileDown.add(sid);
      feed.create(sid, deadline);
    }
    feed.flush();
    await().atMost(Duration.ofSeconds(60)).until(() -> progress.caughtUp(inputs));
  }

  private void printFigures(
      Instant t0,
      int expiredAtKill,
      Instant restartedAt,
      Instant runningAt,
      TerminalWatcher watcher) {
    Lateness afterRestore =
        Lateness.of(
            whileDownSeen.values().stream()
                .mapToLong(s -> s.receivedAt() - runningAt.toEpochMilli())
                .toArray());
    System.out.printf(
        "ProcessorCrashIT: killed %d ms after t0 with %d expired; down %d ms; restarted"
            + " instance RUNNING %d ms after start%n",
        Duration.between(t0, killedAt).toMillis(),
        expiredAtKill,
        Duration.between(killedAt, restartedAt).toMillis(),
        Duration.between(restartedAt, runningAt).toMillis());
    System.out.println(
        "ProcessorCrashIT while-down group, seen after RUNNING (ms): " + afterRestore);
    System.out.println(
        "ProcessorCrashIT mid-stream lateness: " + watcher.lateness(s -> !whileDown.contains(s)));
  }

  @Test
  void shouldBeKilledBeforeTheWhileDownGroupFallsDue() {
    assertThat(killedAt).isBefore(firstDownDeadline);
  }

  @Test
  void shouldExpireNothingOfTheWhileDownGroupWhileNoProcessorRuns() {
    assertThat(expiredBeforeRestart).doesNotContainAnyElementsOf(whileDown);
  }

  @Test
  void shouldExpireDeadlinesMissedWhileDownAfterTheRestartButNeverBeforeTheirDeadline() {
    assertThat(whileDownSeen.keySet()).containsExactlyInAnyOrderElementsOf(whileDown);
    whileDownSeen.forEach(
        (sid, seen) ->
            assertThat(seen.expiredAt())
                .as(sid)
                .isGreaterThanOrEqualTo(deadlines.get(sid).toEpochMilli()));
    assertThat(committedExpired.keySet()).containsAll(whileDown);
  }

  @Test
  void shouldNeverPublishAnExpiryBeforeItsDeadline() {
    assertThat(seenEarly).isEmpty();
  }

  @Test
  void shouldPublishEachExpiryOnce() {
    assertThat(seenTwice).as("seen by a read_committed consumer").isEmpty();
    assertThat(committedExpired.values()).as("committed").allMatch(c -> c == 1L);
  }

  @Test
  void shouldApproveSomeOfTheApprovalsSentEachAtMostOnce() {
    // An approval read after its challenge expired is answered 60323 (the processor decides in
    // its own order), so approvals are a subset of those sent; but some must be approved, or the
    // check that no challenge is both approved and expired would hold vacuously.
    assertThat(committedApproved).isNotEmpty();
    assertThat(approvedSent).containsAll(committedApproved.keySet());
    assertThat(committedApproved.values()).allMatch(c -> c == 1L);
  }

  @Test
  void shouldNeverBothApproveAndExpireAChallenge() {
    assertThat(committedApproved).isNotEmpty();
    assertThat(committedExpired.keySet()).doesNotContainAnyElementsOf(committedApproved.keySet());
  }

  @Test
  void shouldLoseNoChallenge() {
    Set<String> settled = new HashSet<>(committedExpired.keySet());
    settled.addAll(committedApproved.keySet());
    assertThat(settled).isEqualTo(deadlines.keySet());
  }

  @Test
  void shouldStopCleanlyOnSigterm() {
    // 143 = 128 + SIGTERM: the JVM reports the signal after the shutdown hook closed Streams.
    assertThat(secondExitCode).isIn(0, 143);
  }
}
