package io.lapse.launcher.bench;

import io.lapse.infra.FileTrees;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import javax.imageio.ImageIO;

/**
 * {@code ./lapse bench}: the same expiry workload ({@link Scenario}) against Lapse, the tutorial's
 * full-scan punctuator, Redis TTL keys and a PostgreSQL poller, one after the other, each started
 * and stopped here on 127.0.0.1; writes {@code docs/benchmarks/README.md} and its CDF image.
 */
public final class Bench {
  static final long MIN_AHEAD_MS = 2_000;
  static final long MAX_AHEAD_MS = 12_000;
  static final long GRACE_SECONDS = 20;
  static final String IMAGE = "lateness-cdf.png";

  private final Path docs;
  private final boolean full;
  private final PrintStream out;

  /**
   * @param docs where the report goes ({@code docs/benchmarks})
   * @param full the whole set (1 M pending, a 200 k burst) instead of the quick one
   */
  public Bench(Path docs, boolean full, PrintStream out) {
    this.docs = docs;
    this.full = full;
    this.out = out;
  }

  /** Parses {@code bench}'s arguments: only {@code --full}. */
  public static boolean parseFull(List<String> args) {
    boolean full = false;
    for (String a : args) {
      if (!a.equals("--full")) {
        throw new IllegalArgumentException("unknown argument for bench: " + a);
      }
      full = true;
    }
    return full;
  }

  public int run() throws IOException, InterruptedException {
    System.setProperty("java.awt.headless", "true");
    List<Scenario> scenarios = Scenario.set(full);
    List<Supplier<Contender>> contenders =
        List.of(
            LapseContender::new,
            TutorialContender::new,
            RedisContender::new,
            PostgresContender::new);
    Map<String, String> machine = new LinkedHashMap<>();
    machine.put("date", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
    machine.put("CPU cores", String.valueOf(Runtime.getRuntime().availableProcessors()));
    machine.put("memory", memory());
    machine.put(
        "JDK", System.getProperty("java.vendor") + " " + System.getProperty("java.version"));
    machine.put("load average at start (1/5/15 min)", loadAverage());
    List<BenchResult> results = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    List<String> names = new ArrayList<>();
    // Ctrl-C or a kill must not leave a contender's processes (./lapse up, redis, postgres) behind.
    AtomicReference<Contender> running = new AtomicReference<>();
    Thread stopper =
        new Thread(
            () -> {
              Contender c = running.getAndSet(null);
              if (c != null) {
                c.close();
              }
            },
            "bench-stop");
    Runtime.getRuntime().addShutdownHook(stopper);
    for (Supplier<Contender> make : contenders) {
      Path dir = Files.createTempDirectory("lapse-bench-");
      Contender c = make.get();
      running.set(c);
      try {
        AtomicReference<Lateness> current = new AtomicReference<>(new Lateness());
        out.printf("bench: starting %s%n", c.name());
        try {
          c.start(dir, (sid, at, seen) -> current.get().expired(sid, at, seen));
        } catch (Contender.Unavailable e) {
          out.printf("bench: %s skipped: %s%n", c.name(), e.getMessage());
          skipped.add(c.name() + ": " + e.getMessage());
          continue;
        } catch (Exception e) {
          out.printf("bench: %s could not start: %s (state in %s)%n", c.name(), e, dir);
          skipped.add(c.name() + ": could not start: " + e.getMessage());
          continue;
        }
        names.add(c.name());
        machine.put(c.name(), c.version());
        int pending = 0;
        for (Scenario s : scenarios) {
          pending = topUp(c, pending, s.pending());
          Lateness lateness = new Lateness();
          current.set(lateness);
          BenchResult r = measure(c, s, lateness);
          results.add(r);
          out.printf(
              "bench: %-30s %-42s %s drain_per_s=%.0f cpu_cores=%.2f%n",
              c.name(), s.name(), r.summary().line(), r.drainPerSecond(), r.cpuCores());
        }
      } catch (Exception e) {
        out.printf("bench: contender failed: %s%n", e);
        skipped.add("a run failed: " + e);
      } finally {
        if (running.getAndSet(null) != null) {
          c.close();
        }
        FileTrees.deleteQuietly(dir);
      }
    }
    Runtime.getRuntime().removeShutdownHook(stopper);
    machine.put("load average at end (1/5/15 min)", loadAverage());
    Files.createDirectories(docs);
    String command = "./lapse bench" + (full ? " --full" : "");
    Files.writeString(
        docs.resolve("README.md"),
        BenchReport.markdown(machine, results, skipped, command, IMAGE, GRACE_SECONDS),
        StandardCharsets.UTF_8);
    Map<String, Map<String, long[]>> panels = new LinkedHashMap<>();
    for (BenchResult r : results) {
      if (r.scenario().isIdle()) {
        continue; // no expiries, no curve
      }
      panels
          .computeIfAbsent(r.scenario().name(), k -> new LinkedHashMap<>())
          .put(r.contender(), r.lateness());
    }
    ImageIO.write(LatenessChart.render(panels, names), "png", docs.resolve(IMAGE).toFile());
    out.printf("bench: wrote %s and %s%n", docs.resolve("README.md"), docs.resolve(IMAGE));
    return 0;
  }

  /** Adds challenges due in an hour until {@code target} are pending. */
  private static int topUp(Contender c, int pending, int target) throws Exception {
    long far = System.currentTimeMillis() + 3_600_000;
    for (int i = pending; i < target; i++) {
      c.create(LapseContender.sid("YC"), far + i % 60_000);
    }
    c.flush();
    return Math.max(pending, target);
  }

  private static BenchResult measure(Contender c, Scenario s, Lateness lateness) throws Exception {
    long cpu0 = c.cpuNanos();
    long t0 = System.nanoTime();
    if (s.isIdle()) {
      // Nothing to observe: the figure is what the contender burns while its timers wait.
      Thread.sleep(s.steadySeconds() * 1000L);
      double cpu = (c.cpuNanos() - cpu0) / (double) (System.nanoTime() - t0);
      return new BenchResult(c.name(), s, lateness.summary(), new long[0], Double.NaN, cpu);
    }
    if (s.isBurst()) {
      long at = System.currentTimeMillis() + 10_000 + s.burst() / 20;
      for (int i = 0; i < s.burst(); i++) {
        String sid = LapseContender.sid("YC");
        lateness.created(sid, at);
        c.create(sid, at);
      }
    } else {
      ThreadLocalRandom random = ThreadLocalRandom.current();
      int count = s.rate() * s.steadySeconds();
      for (int i = 0; i < count; i++) {
        long due = t0 + (long) i * 1_000_000_000L / s.rate();
        long wait = due - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(wait);
        }
        String sid = LapseContender.sid("YC");
        long deadline =
            System.currentTimeMillis()
                + MIN_AHEAD_MS
                + random.nextLong(MAX_AHEAD_MS - MIN_AHEAD_MS + 1);
        lateness.created(sid, deadline);
        c.create(sid, deadline);
      }
    }
    c.flush();
    long giveUp = lateness.lastDeadline() + GRACE_SECONDS * 1000;
    while (!lateness.complete() && System.currentTimeMillis() < giveUp) {
      Thread.sleep(100); // the contender's observer fills it; bounded by the grace
    }
    double cpu = (c.cpuNanos() - cpu0) / (double) (System.nanoTime() - t0);
    Lateness.Summary summary = lateness.summary();
    double drain = Double.NaN;
    if (s.isBurst()) {
      int seen = summary.created() - summary.lost();
      drain = seen * 1000.0 / Math.max(1, summary.max());
    }
    return new BenchResult(c.name(), s, summary, lateness.sortedLateness(), drain, cpu);
  }

  private static String memory() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (line.startsWith("MemTotal:")) {
          long kb = Long.parseLong(line.replaceAll("\\D", ""));
          return String.format("%.1f GiB", kb / 1024.0 / 1024.0);
        }
      }
    } catch (IOException | NumberFormatException e) {
      // not Linux
    }
    return "unknown";
  }

  private static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0] + " / " + f[1] + " / " + f[2];
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }
}
