package io.lapse.launcher.soak;

import io.lapse.contract.AttemptMacKeys;
import io.lapse.expiry.fleet.ChildProcessor;
import io.lapse.infra.ApicurioRegistry;
import io.lapse.infra.BrokerOptions;
import io.lapse.infra.FileTrees;
import io.lapse.infra.KafkaCluster;
import io.lapse.infra.RegistryOptions;
import io.lapse.service.domain.AttemptSigner;
import io.lapse.service.kafka.EventProducer;
import io.lapse.topics.KafkaConnection;
import io.lapse.topics.LapseTopics;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * {@code ./lapse soak}: the exactly-once soak, in the manner of Kafka's own EOS system test. A
 * KRaft cluster of three broker JVMs (replication factor 3, {@code min.insync.replicas} 2), a
 * schema registry, and two or three expiry-processor JVMs with a standby per task; {@link SoakLoad}
 * creates challenges and sends verifications as the challenge service does, while each cycle
 * SIGKILLs a random processor and starts it again (and every tenth cycle a random broker too). At
 * the end a {@code read_committed} reader's view is judged by {@link SoakVerifier}, and the run
 * ends with one summary line; the exit status is 1 if any invariant was broken.
 *
 * <p>Everything lives in the directory given (wiped first; logs of the brokers, registry and
 * processors stay there afterwards for diagnosis), on free ports, so a soak can run beside {@code
 * ./lapse up}. Choices: docs/decisions/0017-exactly-once-soak.md.
 */
public final class Soak {
  private static final int BROKERS = 3;
  private static final int PARTITIONS = 6;
  private static final String APPLICATION_ID = "lapse-expiry-soak";
  // Generous: on a 2-core machine shared with other builds, one processor JVM took 75 s to start.
  private static final Duration START_BOUND = Duration.ofSeconds(300);
  private static final Duration RECOVERY_BOUND = Duration.ofSeconds(300);
  private static final Duration DRAIN_BOUND = Duration.ofSeconds(120);

  /** How long the reader may see nothing new before what is missing counts as lost. */
  private static final Duration STALL = Duration.ofSeconds(60);

  private static final String[] NAMES = {"a", "b", "c"};

  private final Path dir;
  private final SoakArguments arguments;
  private final PrintStream out;
  private final Random random;
  private final Deque<AutoCloseable> started = new ArrayDeque<>();
  private final List<ChildProcessor> fleet = Collections.synchronizedList(new ArrayList<>());
  private Map<String, String> processorEnv;

  public Soak(Path dir, SoakArguments arguments, PrintStream out) {
    this.dir = dir;
    this.arguments = arguments;
    this.out = out;
    this.random = new Random(arguments.seed());
  }

  /** Runs the soak; returns 0 when every invariant held, 1 otherwise. */
  public int run() throws IOException, InterruptedException {
    long t0 = System.nanoTime();
    FileTrees.deleteQuietly(dir);
    Files.createDirectories(dir);
    Thread hook = new Thread(this::stopAll, "lapse-soak-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      SoakVerdict verdict = soak(t0);
      return verdict.ok() ? 0 : 1;
    } finally {
      stopAll();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // Ctrl-C: the hook runs (or ran) anyway.
      }
    }
  }

  private SoakVerdict soak(long t0) throws InterruptedException {
    KafkaCluster cluster =
        remember(
            KafkaCluster.start(
                BROKERS, BrokerOptions.defaults().withDataDir(dir.resolve("kafka"), false)));
    ApicurioRegistry registry =
        remember(
            ApicurioRegistry.start(
                RegistryOptions.defaults().withLogFile(dir.resolve("registry.log"))));
    byte[] macKey = randomKey();
    processorEnv = new HashMap<>();
    processorEnv.put(KafkaConnection.BOOTSTRAP_SERVERS.name(), cluster.bootstrapServers());
    processorEnv.put(KafkaConnection.SCHEMA_REGISTRY_URL.name(), registry.url());
    processorEnv.put(KafkaConnection.PARTITIONS.name(), String.valueOf(PARTITIONS));
    processorEnv.put(
        KafkaConnection.REPLICATION_FACTOR.name(), String.valueOf(cluster.replicationFactor()));
    processorEnv.put(
        AttemptMacKeys.SETTING.name(), "soak:" + Base64.getEncoder().encodeToString(macKey));
    processorEnv.put("LAPSE_EXPIRY_HTTP_PORT", "0");
    processorEnv.put("LAPSE_EXPIRY_APPLICATION_ID", APPLICATION_ID);
    processorEnv.put("LAPSE_EXPIRY_NUM_STANDBY_REPLICAS", "1");
    processorEnv.put("LAPSE_EXPIRY_NUM_STREAM_THREADS", "1");
    // No warm-up rehearsal (decision 0019): the soak restarts a processor every cycle and checks
    // exactly-once, not cold lateness; on 2 cores beside three brokers each rehearsal's own
    // transactions would only lengthen the restarts.
    processorEnv.put("LAPSE_EXPIRY_WARM_UP_MS", "0");
    // A member killed with SIGKILL is noticed after the session timeout: the broker's minimum,
    // so its tasks move within seconds (as in ProcessorFleetIT).
    processorEnv.put("STREAMS_PROPERTY_SESSION_TIMEOUT_MS", "6000");
    processorEnv.put("STREAMS_PROPERTY_HEARTBEAT_INTERVAL_MS", "1000");
    remember((AutoCloseable) this::stopFleet);
    for (int i = 0; i < arguments.processors(); i++) {
      fleet.add(startProcessor(i));
    }
    await(() -> fleet.stream().allMatch(ChildProcessor::healthy), START_BOUND, "processors start");
    out.printf(
        "soak: %d brokers (RF %d, min ISR %d), %d processors (1 standby per task), %d partitions;"
            + " seed %d; ready in %.1f s; logs in %s%n",
        BROKERS,
        cluster.replicationFactor(),
        cluster.minInsyncReplicas(),
        arguments.processors(),
        PARTITIONS,
        arguments.seed(),
        (System.nanoTime() - t0) / 1e9,
        dir);

    KafkaConnection connection = KafkaConnection.fromEnv(processorEnv);
    LapseTopics topics = connection.topics();
    EventProducer producer = remember(new EventProducer(connection));
    SoakReader reader = remember(new SoakReader(cluster.bootstrapServers(), topics));
    AttemptMacKeys macKeys = AttemptMacKeys.of("soak", macKey);
    AttemptSigner signer = new AttemptSigner(randomKey(), macKeys);
    SoakLoad load =
        remember(
            new SoakLoad(producer, topics, signer, macKeys, arguments.rate(), random.nextLong()));
    long feedStart = System.nanoTime();
    for (int cycle = 1; cycle <= arguments.cycles(); cycle++) {
      cycle(cycle, cluster, load);
    }
    load.stopCreating();
    double feedSeconds = (System.nanoTime() - feedStart) / 1e9;
    long creates = load.createsAcked();
    load.awaitDone(DRAIN_BOUND);
    drain(reader, load);
    SoakVerdict verdict =
        SoakVerifier.verify(load.challenges(), load.attempts(), reader.observed());
    if (verdict.lost() > 0) {
      SoakDiagnosis.print(
          out,
          cluster.bootstrapServers(),
          APPLICATION_ID,
          topics.names().challengeCreated(),
          PARTITIONS,
          verdict.lostSids());
    }
    report(verdict, creates, feedSeconds, load, t0);
    return verdict;
  }

  /** One cycle: a processor SIGKILLed and restarted (and a broker, every n-th cycle). */
  private void cycle(int cycle, KafkaCluster cluster, SoakLoad load) throws InterruptedException {
    long start = System.nanoTime();
    long end = start + arguments.cycleLength().toNanos();
    long createsBefore = load.createsAcked();
    pauseUntil(start + arguments.cycleLength().toNanos() / 4);
    int victim = random.nextInt(fleet.size());
    ChildProcessor killed = fleet.get(victim);
    killed.kill();
    long restarted = System.nanoTime();
    fleet.set(victim, startProcessor(victim));
    StringBuilder line = new StringBuilder();
    line.append(
        String.format(
            "soak: cycle %d/%d: processor %s SIGKILLed (pid %d) and restarted",
            cycle, arguments.cycles(), NAMES[victim], killed.pid()));
    int broker = 0;
    if (arguments.killsBroker(cycle)) {
      pauseUntil(start + arguments.cycleLength().toNanos() / 2);
      broker = 1 + random.nextInt(cluster.size());
      long pid = cluster.pid(broker);
      long b0 = System.nanoTime();
      cluster.kill(broker);
      cluster.restart(broker);
      line.append(
          String.format(
              "; broker %d SIGKILLed (pid %d), registered again after %.1f s",
              broker, pid, (System.nanoTime() - b0) / 1e9));
    }
    pauseUntil(end);
    ChildProcessor fresh = fleet.get(victim);
    await(fresh::healthy, RECOVERY_BOUND, "processor " + NAMES[victim] + " to run again");
    line.append(
        String.format("; it ran again %.1f s later", (System.nanoTime() - restarted) / 1e9));
    if (broker != 0) {
      cluster.awaitFullyReplicated(RECOVERY_BOUND);
    }
    long creates = load.createsAcked() - createsBefore;
    double seconds = (System.nanoTime() - start) / 1e9;
    line.append(String.format("; %d creates acknowledged (%.0f/s)", creates, creates / seconds));
    out.println(line);
  }

  /**
   * Waits until the reader has an end for every challenge and an answer for every attempt, or until
   * it has seen nothing new for {@link #STALL} (what is missing then is lost; a processor that is
   * merely behind keeps the reader busy), then until it has read everything committed so far, so a
   * late duplicate is seen too.
   */
  private void drain(SoakReader reader, SoakLoad load) throws InterruptedException {
    long started = System.nanoTime();
    pauseUntilEpochMillis(load.lastDeadline());
    int seen = -1;
    long progress = System.nanoTime();
    while (true) {
      List<SoakVerifier.Observed> observed = reader.observed();
      if (SoakVerifier.verify(load.challenges(), load.attempts(), observed).lost() == 0) {
        break;
      }
      if (observed.size() != seen) {
        seen = observed.size();
        progress = System.nanoTime();
      } else if (System.nanoTime() - progress > STALL.toNanos()) {
        break;
      }
      TimeUnit.SECONDS.sleep(2); // polling the reader's progress; bounded by STALL
    }
    var ends = reader.lastStableOffsets();
    await(() -> reader.reached(ends), DRAIN_BOUND, "the reader to reach the end of the topics");
    out.printf(
        "soak: drained %.1f s after the last create (every end and answer seen, or none new for"
            + " %d s)%n",
        (System.nanoTime() - started) / 1e9, STALL.toSeconds());
  }

  private void report(
      SoakVerdict verdict, long creates, double feedSeconds, SoakLoad load, long t0) {
    out.printf(
        "soak: creates: target %d/s, reached %.0f/s (%d acknowledged in %.0f s; %d dropped behind"
            + " the rate, %d sends failed)%n",
        arguments.rate(),
        creates / feedSeconds,
        creates,
        feedSeconds,
        load.dropped(),
        load.failedSends());
    out.printf(
        "soak: %d challenges: %d approved, %d denied, %d expired; %d attempts, %d unanswered;"
            + " expiry lateness p50 %d ms, p99 %d ms, max %d ms%s%n",
        verdict.challenges(),
        verdict.approved(),
        verdict.denied(),
        verdict.expired(),
        verdict.attempts(),
        verdict.unanswered(),
        verdict.p50LatenessMs(),
        verdict.p99LatenessMs(),
        verdict.maxLatenessMs(),
        verdict.foreign() == 0 ? "" : "; " + verdict.foreign() + " events of unacknowledged sends");
    verdict.examples().forEach(e -> out.println("soak: violation: " + e));
    out.printf("soak: wall time %.0f s%n", (System.nanoTime() - t0) / 1e9);
    out.println(verdict.summaryLine(arguments.cycles()));
  }

  private ChildProcessor startProcessor(int index) {
    Map<String, String> env = new HashMap<>(processorEnv);
    env.put("LAPSE_STATE_DIR", dir.resolve("processor-" + NAMES[index]).toString());
    return ChildProcessor.start(
        env, NAMES[index], System.getProperty("java.class.path"), dir.resolve("logs"));
  }

  private void stopFleet() {
    synchronized (fleet) {
      fleet.forEach(ChildProcessor::close);
    }
  }

  private <T extends AutoCloseable> T remember(T resource) {
    synchronized (started) {
      started.push(resource);
    }
    return resource;
  }

  private void stopAll() {
    while (true) {
      AutoCloseable next;
      synchronized (started) {
        next = started.poll();
      }
      if (next == null) {
        return;
      }
      try {
        next.close();
      } catch (Exception e) {
        out.println("soak: error while stopping " + next + ": " + e);
      }
    }
  }

  private static byte[] randomKey() {
    byte[] key = new byte[AttemptMacKeys.MIN_KEY_BYTES];
    new SecureRandom().nextBytes(key);
    return key;
  }

  private static void pauseUntilEpochMillis(long millis) throws InterruptedException {
    long left = millis - System.currentTimeMillis();
    if (left > 0) {
      TimeUnit.MILLISECONDS.sleep(left); // the last deadline: nothing can be complete before it
    }
  }

  private static void pauseUntil(long nanoTime) throws InterruptedException {
    long left = nanoTime - System.nanoTime();
    if (left > 0) {
      TimeUnit.NANOSECONDS.sleep(left); // the soak's schedule, not a wait for anything
    }
  }

  private static void await(BooleanSupplier condition, Duration bound, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + bound.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("gave up waiting " + bound.toSeconds() + " s for " + what);
      }
      TimeUnit.MILLISECONDS.sleep(200); // polling a condition with a bound
    }
  }
}
