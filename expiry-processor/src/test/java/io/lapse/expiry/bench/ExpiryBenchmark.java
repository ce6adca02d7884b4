package io.lapse.expiry.bench;

import io.lapse.expiry.ExpiryConfig;
import io.lapse.expiry.ExpiryMetrics;
import io.lapse.expiry.ExpiryProcessorApp;
import io.lapse.expiry.harness.ChallengeFeed;
import io.lapse.expiry.harness.Lateness;
import io.lapse.expiry.harness.TerminalWatcher;
import io.lapse.expiry.harness.TestKeys;
import io.lapse.infra.BrokerOptions;
import io.lapse.infra.KafkaBroker;
import io.lapse.infra.KafkaCluster;
import io.lapse.testkit.KafkaBrokers;
import io.lapse.topics.LapseTopics;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Measures the expiry processor against a loopback in-process KRaft broker (the test kit's), all in
 * this JVM (or, with {@code --brokers=3}, against a three-broker cluster of child JVMs), and prints
 * the figures of docs/decisions/0007-ticks-and-commits.md: lateness seen by a {@code
 * read_committed} consumer while many challenges are pending and new ones arrive at a steady rate;
 * the drain rate of a burst due at one instant; what an idle processor does (punctuations, commits,
 * CPU) and the cost of a tick with about one entry due, each at a small and a large pending count.
 *
 * <p>Arguments ({@code --name=value}, all optional): {@code partitions} (6), {@code small} (1000)
 * and {@code pending} (1000000) pending challenges for the idle and tick-cost comparison, {@code
 * idleSeconds} (5; also the length of the sparse-tick run), {@code rate} (5000 new challenges/s)
 * for {@code steadySeconds} (30) with deadlines 1–3 s ahead, {@code burst} (200000) challenges due
 * at one instant, {@code brokers} (1: the in-process broker; 3: a {@link KafkaCluster} of three
 * broker JVMs, topics with replication factor 3 and {@code min.insync.replicas} 2). The registry is
 * the serde's in-memory one ({@code mock://}), so the figures measure Kafka and the processor only.
 * Processor tuning comes from the usual {@code LAPSE_EXPIRY_*} and {@code STREAMS_PROPERTY_*}
 * environment variables. It sends only to 127.0.0.1 and stops by itself.
 */
public final class ExpiryBenchmark {
  private final Map<String, Long> opts;
  private final String run = UUID.randomUUID().toString().substring(0, 8);

  private ExpiryBenchmark(Map<String, Long> opts) {
    this.opts = opts;
  }

  public static void main(String[] args) throws Exception {
    Map<String, Long> opts = new HashMap<>();
    opts.put("partitions", 6L);
    opts.put("small", 1_000L);
    opts.put("pending", 1_000_000L);
    opts.put("idleSeconds", 5L);
    opts.put("rate", 5_000L);
    opts.put("steadySeconds", 30L);
    opts.put("burst", 200_000L);
    opts.put("brokers", 1L);
    for (String a : args) {
      String[] kv = a.replaceFirst("^--", "").split("=", 2);
      if (!opts.containsKey(kv[0]) || kv.length != 2) {
        throw new IllegalArgumentException("Unknown argument " + a + "; known: " + opts.keySet());
      }
      opts.put(kv[0], Long.parseLong(kv[1].replace("_", "")));
    }
    int status = new ExpiryBenchmark(opts).run();
    System.exit(status);
  }

  /**
   * The broker retries a produce that finds the previous transaction still completing
   * (CONCURRENT_TRANSACTIONS) after {@code add.partitions.to.txn.retry.backoff.ms} (default 20 ms);
   * with commits every few tens of milliseconds that wait is paid on most transactions, so the
   * benchmark runs the broker with the value given by {@code -Dbench.txnRetryBackoffMs} (default
   * 5), as a production broker for Lapse would be tuned.
   */
  private static BrokerOptions brokerOptions(int partitions) {
    return BrokerOptions.defaults()
        .withDefaultPartitions(partitions)
        .withOverride(
            "add.partitions.to.txn.retry.backoff.ms",
            System.getProperty("bench.txnRetryBackoffMs", "5"));
  }

  private long opt(String name) {
    return opts.get(name);
  }

  private int run() throws Exception {
    System.out.println("ExpiryBenchmark " + opts);
    int partitions = (int) opt("partitions");
    long brokers = opt("brokers");
    try (KafkaBroker broker =
        brokers == 1
            ? KafkaBrokers.inProcess(brokerOptions(partitions))
            : KafkaCluster.start((int) brokers, brokerOptions(partitions))) {
      Map<String, String> env = new HashMap<>();
      System.getenv()
          .forEach(
              (k, v) -> {
                if (k.startsWith("LAPSE_EXPIRY_") || k.startsWith("STREAMS_PROPERTY_")) {
                  env.put(k, v);
                }
              });
      env.put("KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers());
      env.put("SCHEMA_REGISTRY_URL", "mock://bench-" + run);
      env.put("LAPSE_PARTITIONS", String.valueOf(partitions));
      if (broker instanceof KafkaCluster cluster) {
        // Production durability: every write waits for min.insync.replicas (2 of 3) replicas.
        env.put("LAPSE_REPLICATION_FACTOR", String.valueOf(cluster.replicationFactor()));
        System.out.printf(
            "Kafka: a cluster of %d brokers in child JVMs (RF %d, min ISR %d); the idle CPU below"
                + " is this JVM's only%n",
            cluster.size(), cluster.replicationFactor(), cluster.minInsyncReplicas());
      }
      env.put("LAPSE_TOPIC_PREFIX", "bench-" + run + "-");
      env.put("LAPSE_EXPIRY_APPLICATION_ID", "bench-" + run);
      env.put("LAPSE_EXPIRY_HTTP_PORT", "0");
      env.put("LAPSE_RESPONSE_MAC_KEYS", TestKeys.MAC_KEYS_ENV);
      env.put("LAPSE_STATE_DIR", Path.of("target", "bench-state", run).toAbsolutePath().toString());
      ExpiryConfig config = ExpiryConfig.fromEnv(env);
      System.out.println("Processor settings: " + config.settings());
      System.out.printf(
          "commit.interval.ms=%d poll.ms=%d linger.ms=%d guarantee=%s transactional stores=%s%n",
          config.commitInterval().toMillis(),
          config.pollInterval().toMillis(),
          config.producerLingerMs(),
          config.processingGuarantee(),
          config.transactionalStateStores());
      LapseTopics topics = config.connection().topics();
      try (ExpiryProcessorApp app = ExpiryProcessorApp.start(config);
          ChallengeFeed feed = new ChallengeFeed(broker.bootstrapServers(), topics);
          TerminalWatcher watcher = new TerminalWatcher(broker.bootstrapServers(), topics)) {
        await("RUNNING", Duration.ofSeconds(60), () -> app.state() == KafkaStreams.State.RUNNING);
        return measure(app, feed, watcher);
      }
    }
  }

  private int measure(ExpiryProcessorApp app, ChallengeFeed feed, TerminalWatcher watcher)
      throws InterruptedException {
    ExpiryMetrics metrics = app.metrics();
    Instant far = Instant.now().plus(Duration.ofHours(2));
    long small = opt("small");
    long pending = opt("pending");

    // 1. Idle cost, then the cost of a tick that has one entry due, with a small pending count.
    long created = preload(feed, "a", 0, small, far);
    await("small pending", Duration.ofMinutes(2), () -> metrics.pending() >= small);
    System.out.printf("Idle, %,d pending: %s%n", metrics.pending(), idle(app));
    Sparse sparseSmall = sparse(feed, watcher, metrics, "s");
    System.out.printf("Sparse ticks, %,d pending: %s%n", metrics.pending(), sparseSmall);

    // 2. Preload to the large pending count; 3. the same again.
    long t0 = System.nanoTime();
    created += preload(feed, "a", created, pending - small, far);
    await("large pending", Duration.ofMinutes(15), () -> metrics.pending() >= pending);
    double secs = (System.nanoTime() - t0) / 1e9;
    System.out.printf(
        "Preloaded %,d challenges in %.1f s (%.0f/s ingested)%n",
        pending - small, secs, (pending - small) / secs);
    System.out.printf("Idle, %,d pending: %s%n", metrics.pending(), idle(app));
    Sparse sparseLarge = sparse(feed, watcher, metrics, "t");
    System.out.printf("Sparse ticks, %,d pending: %s%n", metrics.pending(), sparseLarge);
    System.out.printf(
        "Tick cost ratio (large/small pending, ticks with about one entry due): %.2f (target <="
            + " 1.5)%n",
        sparseLarge.meanMicros() / sparseSmall.meanMicros());

    // 4. Steady load: new challenges at a fixed rate, each due 1-3 s later, over the pending set.
    long rate = opt("rate");
    long steadySeconds = opt("steadySeconds");
    long steadyCount = steadyLoad(feed, rate, steadySeconds);
    boolean steadyDone =
        awaitQuietly(
            Duration.ofSeconds(60),
            () ->
                watcher.expired().keySet().stream().filter(s -> s.startsWith("YCb")).count()
                    >= steadyCount);
    Lateness steady = watcher.lateness(s -> s.startsWith("YCb"));
    System.out.printf(
        "Steady %d/s for %d s over %,d pending: lateness %s (target p99 <= 50 ms, max <= 250 ms)%s%n",
        rate, steadySeconds, pending, steady, steadyDone ? "" : " [INCOMPLETE]");
    Lateness[] parts = watcher.latenessParts(s -> s.startsWith("YCb"));
    System.out.printf(
        "  of which at emission (expiredAt - deadline): %s%n  and after it (seen - expiredAt):"
            + " %s%n",
        parts[0], parts[1]);

    // 5. Burst: many challenges due at one instant.
    long burst = opt("burst");
    double rebalancesBefore = metrics.rebalanceCount();
    double failuresBefore = metrics.threadFailureCount();
    Instant due = Instant.now().plus(Duration.ofSeconds(Math.max(15, burst / 8_000)));
    long ingestStart = System.nanoTime();
    for (long i = 0; i < burst; i++) {
      feed.create(ChallengeFeed.sid("c" + run, i), due);
    }
    feed.flush();
    boolean ingestedInTime =
        awaitQuietly(
            Duration.between(Instant.now(), due).minusMillis(200),
            () -> metrics.pending() >= pending + burst);
    System.out.printf(
        "Burst of %,d produced in %.1f s, %s before the deadline%n",
        burst,
        (System.nanoTime() - ingestStart) / 1e9,
        ingestedInTime ? "all ingested" : "NOT all ingested");
    boolean burstDone =
        awaitQuietly(
            Duration.ofMinutes(5),
            () ->
                watcher.expired().keySet().stream().filter(s -> s.startsWith("YCc")).count()
                    >= burst);
    long last = 0;
    long first = Long.MAX_VALUE;
    for (var e : watcher.expired().entrySet()) {
      if (e.getKey().startsWith("YCc")) {
        long at = e.getValue().get(0).receivedAt();
        last = Math.max(last, at);
        first = Math.min(first, at);
      }
    }
    double drainSecs = (last - due.toEpochMilli()) / 1000.0;
    if (first == Long.MAX_VALUE) {
      System.out.printf("Burst drain: none of the %,d expired within 5 min [INCOMPLETE]%n", burst);
    } else {
      System.out.printf(
          "Burst drain: %,d expired, last seen %.2f s after the deadline: %.0f expirations/s"
              + " (first seen after %d ms; %.0f/s between first and last) (target >= 50000/s)%s%n",
          burst,
          drainSecs,
          burst / drainSecs,
          first - due.toEpochMilli(),
          burst * 1000.0 / Math.max(1, last - first),
          burstDone ? "" : " [INCOMPLETE]");
    }
    System.out.printf(
        "During the burst: %.0f rebalances, %.0f stream-thread failures%n",
        metrics.rebalanceCount() - rebalancesBefore, metrics.threadFailureCount() - failuresBefore);

    List<String> duplicates = watcher.duplicates();
    List<String> early = watcher.early();
    System.out.printf(
        "Correctness: %,d expired records for %,d challenges, %d duplicates, %d early%n",
        watcher.expiredRecords(), watcher.expiredCount(), duplicates.size(), early.size());
    return duplicates.isEmpty() && early.isEmpty() && steadyDone && burstDone ? 0 : 1;
  }

  private long preload(ChallengeFeed feed, String tag, long from, long count, Instant deadline) {
    for (long i = from; i < from + count; i++) {
      feed.create(ChallengeFeed.sid(tag + run, i), deadline);
    }
    feed.flush();
    return count;
  }

  /** Sends {@code rate} challenges a second, paced in 10 ms slices; returns how many. */
  private long steadyLoad(ChallengeFeed feed, long rate, long seconds) {
    long start = System.nanoTime();
    long sent = 0;
    long total = rate * seconds;
    ThreadLocalRandom random = ThreadLocalRandom.current();
    while (sent < total) {
      long elapsedNanos = System.nanoTime() - start;
      long target = Math.min(total, elapsedNanos * rate / 1_000_000_000L + 1);
      for (; sent < target; sent++) {
        Instant deadline = Instant.now().plusMillis(1_000 + random.nextInt(2_000));
        feed.create(ChallengeFeed.sid("b" + run, sent), deadline);
      }
      parkMillis(2);
    }
    feed.flush();
    return total;
  }

  /**
   * An idle window (nothing due, no input): punctuations and commits the processor made, and the
   * CPU of this whole JVM (the broker included).
   */
  private Idle idle(ExpiryProcessorApp app) {
    long ticksBefore = app.metrics().tickTotals()[0];
    double commitsBefore = commits(app);
    var os = ManagementFactory.getOperatingSystemMXBean();
    long cpuBefore = processCpuNanos(os);
    long wallBefore = System.nanoTime();
    parkMillis(opt("idleSeconds") * 1000);
    long cpu = processCpuNanos(os) - cpuBefore;
    long wall = System.nanoTime() - wallBefore;
    return new Idle(
        app.metrics().tickTotals()[0] - ticksBefore,
        (commits(app) - commitsBefore) * 1e9 / wall,
        100.0 * cpu / wall);
  }

  private record Idle(long ticks, double commitsPerSecond, double processCpuPercent) {
    @Override
    public String toString() {
      return "%d ticks, %.1f commits/s, whole JVM (broker included) %.0f%% of a core"
          .formatted(ticks, commitsPerSecond, processCpuPercent);
    }
  }

  /** Commits of the Streams client's threads so far (Streams' own thread-level commit-total). */
  private static double commits(ExpiryProcessorApp app) {
    var counters =
        app.metrics().registry().find("kafka.stream.thread.commit.total").functionCounters();
    return counters.isEmpty()
        ? Double.NaN
        : counters.stream().mapToDouble(io.micrometer.core.instrument.FunctionCounter::count).sum();
  }

  /**
   * The cost of ticks that each have about one entry due: one challenge every 50 ms for {@code
   * idleSeconds}, each due a second later, so most ticks expire one challenge. Measures the fixed
   * cost of a tick (its scan's seek, the wake-up computation, the emission) against the pending
   * count, which must not matter.
   */
  private Sparse sparse(
      ChallengeFeed feed, TerminalWatcher watcher, ExpiryMetrics metrics, String tag) {
    long[] before = metrics.tickTotals();
    long count = opt("idleSeconds") * 20;
    String prefix = "YC" + tag;
    for (long i = 0; i < count; i++) {
      feed.create(ChallengeFeed.sid(tag + run, i), Instant.now().plusSeconds(1));
      feed.flush();
      parkMillis(50);
    }
    await(
        "sparse expiries",
        Duration.ofSeconds(30),
        () ->
            watcher.expired().keySet().stream().filter(s -> s.startsWith(prefix)).count() >= count);
    long[] after = metrics.tickTotals();
    long ticks = after[0] - before[0];
    return new Sparse(count, ticks, (after[1] - before[1]) / 1000.0 / Math.max(1, ticks));
  }

  private record Sparse(long expired, long ticks, double meanMicros) {
    @Override
    public String toString() {
      return "%d expired in %d ticks, mean %.1f µs per tick".formatted(expired, ticks, meanMicros);
    }
  }

  private static long processCpuNanos(java.lang.management.OperatingSystemMXBean os) {
    return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : 0;
  }

  private static void await(String what, Duration bound, BooleanSupplier condition) {
    if (!awaitQuietly(bound, condition)) {
      throw new IllegalStateException("Timed out after " + bound + " waiting for " + what);
    }
  }

  private static boolean awaitQuietly(Duration bound, BooleanSupplier condition) {
    long end = System.nanoTime() + Math.max(0, bound.toNanos());
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        return false;
      }
      parkMillis(20);
    }
    return true;
  }

  private static void parkMillis(long ms) {
    java.util.concurrent.locks.LockSupport.parkNanos(ms * 1_000_000L);
  }
}
