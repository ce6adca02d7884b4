package io.lapse.expiry.bench;

import io.lapse.expiry.fleet.ChildProcessor;
import io.lapse.expiry.harness.ChallengeFeed;
import io.lapse.expiry.harness.ProcessorFixture;
import io.lapse.infra.BrokerOptions;
import io.lapse.infra.InProcessKafkaBroker;
import io.lapse.infra.SchemaRegistry;
import io.lapse.testkit.KafkaBrokers;
import io.lapse.testkit.SchemaRegistries;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Measures what an idle expiry processor costs: the processor runs alone in a child JVM ({@code
 * Main}, as in production) against a loopback broker (in this JVM) and a real registry, holds
 * {@code pending} challenges due hours later, receives nothing, and its CPU time ({@code
 * /proc/<pid>/stat}, user + system) and the commits its stream threads make (Streams' {@code
 * commit-total}, from its {@code /metrics}) are sampled over {@code seconds}.
 *
 * <p>Arguments ({@code --name=value}): {@code pending} (1000), {@code seconds} (10), {@code
 * settleSeconds} (5, after the last challenge was read, before sampling). The environment variable
 * {@code LAPSE_BENCH_PROCESSOR_CLASSES} replaces the processor's own classes directory on the
 * child's class path, to measure another build (e.g. the previous commit) the same way. Processor
 * tuning comes from the usual {@code LAPSE_EXPIRY_*} variables (the child inherits them).
 */
public final class IdleCpuBenchmark {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private IdleCpuBenchmark() {}

  public static void main(String[] args) throws Exception {
    Map<String, Long> opts = new HashMap<>(Map.of("pending", 1000L, "seconds", 10L));
    opts.put("settleSeconds", 5L);
    for (String a : args) {
      String[] kv = a.replaceFirst("^--", "").split("=", 2);
      if (!opts.containsKey(kv[0]) || kv.length != 2) {
        throw new IllegalArgumentException("Unknown argument " + a + "; known: " + opts.keySet());
      }
      opts.put(kv[0], Long.parseLong(kv[1]));
    }
    String classPath = classPath();
    System.out.println("IdleCpuBenchmark " + opts);
    try (InProcessKafkaBroker broker = KafkaBrokers.inProcess(BrokerOptions.defaults());
        SchemaRegistry registry = SchemaRegistries.start()) {
      ProcessorFixture fixture = new ProcessorFixture(broker.bootstrapServers(), registry.url(), 6);
      try (ChildProcessor child = ChildProcessor.start(fixture.env("idle"), "idle", classPath);
          ChallengeFeed feed = new ChallengeFeed(fixture.bootstrap(), fixture.topics())) {
        await(Duration.ofSeconds(90), () -> child.httpPort() != null && health(child) == 200);
        long pending = opts.get("pending");
        Instant far = Instant.now().plus(Duration.ofHours(2));
        for (long i = 0; i < pending; i++) {
          feed.create(ChallengeFeed.sid("i", i), far);
        }
        feed.flush();
        await(Duration.ofSeconds(60), () -> metric(child, "lapse_expiry_pending") >= pending);
        LockSupport.parkNanos(Duration.ofSeconds(opts.get("settleSeconds")).toNanos());

        long seconds = opts.get("seconds");
        long cpu0 = cpuTicks(child.pid());
        long own0 = cpuTicks(ProcessHandle.current().pid());
        double commits0 = metric(child, "kafka_stream_thread_commit_total");
        long t0 = System.nanoTime();
        LockSupport.parkNanos(Duration.ofSeconds(seconds).toNanos());
        long cpu1 = cpuTicks(child.pid());
        long own1 = cpuTicks(ProcessHandle.current().pid());
        double commits1 = metric(child, "kafka_stream_thread_commit_total");
        double wall = (System.nanoTime() - t0) / 1e9;
        long hz = clockTicksPerSecond();
        double cpuSeconds = (cpu1 - cpu0) / (double) hz;
        double ownSeconds = (own1 - own0) / (double) hz;
        System.out.printf(
            "Idle processor (%,d pending, nothing due, no input) over %.1f s: CPU %.1f%% of a"
                + " core (%.2f s user+system), %.1f commits/s; broker JVM meanwhile %.1f%% of a"
                + " core; log %s%n",
            (long) metric(child, "lapse_expiry_pending"),
            wall,
            100 * cpuSeconds / wall,
            cpuSeconds,
            (commits1 - commits0) / wall,
            100 * ownSeconds / wall,
            child.log());
      }
    }
  }

  private static String classPath() {
    String cp = System.getProperty("java.class.path");
    String other = System.getenv("LAPSE_BENCH_PROCESSOR_CLASSES");
    if (other == null || other.isBlank()) {
      return cp;
    }
    Path own = Path.of("expiry-processor", "target", "classes").toAbsolutePath();
    List<String> entries = new ArrayList<>();
    boolean replaced = false;
    for (String e : cp.split(java.io.File.pathSeparator)) {
      if (Path.of(e).toAbsolutePath().equals(own)) {
        entries.add(other);
        replaced = true;
      } else {
        entries.add(e);
      }
    }
    if (!replaced) {
      throw new IllegalStateException("Cannot find " + own + " on the class path to replace");
    }
    System.out.println("Processor classes from " + other);
    return String.join(java.io.File.pathSeparator, entries);
  }

  private static int health(ChildProcessor child) {
    try {
      return get(child.httpPort(), "/health").statusCode();
    } catch (IOException e) {
      return -1;
    }
  }

  /** Sum of a Prometheus metric's samples (all label sets) on the child's /metrics. */
  private static double metric(ChildProcessor child, String name) {
    try {
      double sum = 0;
      for (String line : get(child.httpPort(), "/metrics").body().split("\n")) {
        if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
          sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        }
      }
      return sum;
    } catch (IOException e) {
      return -1;
    }
  }

  private static HttpResponse<String> get(int port, String path) throws IOException {
    try {
      return HTTP.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
              .timeout(Duration.ofSeconds(5))
              .build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  /** utime + stime of a process, in clock ticks (fields 14 and 15 of /proc/pid/stat). */
  private static long cpuTicks(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[11]) + Long.parseLong(f[12]);
  }

  private static long clockTicksPerSecond() throws IOException, InterruptedException {
    Process p = new ProcessBuilder("getconf", "CLK_TCK").start();
    String out = new String(p.getInputStream().readAllBytes()).trim();
    p.waitFor();
    return Long.parseLong(out);
  }

  private static void await(Duration bound, BooleanSupplier condition) {
    long end = System.nanoTime() + bound.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new IllegalStateException("Timed out after " + bound);
      }
      LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
    }
  }
}
