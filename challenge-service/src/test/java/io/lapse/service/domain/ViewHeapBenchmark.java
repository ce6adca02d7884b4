package io.lapse.service.domain;

import static org.awaitility.Awaitility.await;

import io.lapse.events.v1.ChallengeCreated;
import io.lapse.events.v1.DetailField;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Prints the heap one challenge-service instance spends on retained challenges today (the in-heap
 * {@link ChallengeView}): N push challenges with a message and two detail fields, 100 per entity,
 * applied as the follower applies them, then heap used after GC, minus the empty baseline. Not part
 * of {@code verify}; run with {@code java -Xmx8g -cp <test classpath> ...ViewHeapBenchmark
 * 1000000}. The figure motivates docs/decisions/0009-partitioned-reads.md.
 */
public final class ViewHeapBenchmark {
  private ViewHeapBenchmark() {}

  public static void main(String[] args) {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    Instant now = Instant.now();
    ChallengeView view = new ChallengeView(Clock.systemUTC());
    long before = usedAfterGc();
    String account = Sids.random(Sids.ACCOUNT);
    String service = Sids.random(Sids.SERVICE);
    String entity = null;
    String identity = null;
    String factor = null;
    for (int i = 0; i < n; i++) {
      if (i % 100 == 0) {
        entity = Sids.random(Sids.ENTITY);
        identity = "user-" + Integer.toHexString(i / 100 + 0x100000);
        factor = Sids.random(Sids.FACTOR);
      }
      Instant created = now.plusMillis(i);
      view.applyCreated(
          ChallengeCreated.newBuilder()
              .setSid(Sids.random(Sids.CHALLENGE))
              .setAccountSid(account)
              .setServiceSid(service)
              .setEntitySid(entity)
              .setIdentity(identity)
              .setFactorSid(factor)
              .setFactorType("push")
              .setCreatedAt(created)
              .setExpirationDate(created.plusSeconds(300))
              .setDetailsMessage("Please approve the login " + i)
              .setDetailsFields(
                  List.of(
                      new DetailField("Location", "California"),
                      new DetailField("Device", "Chrome on macOS")))
              .setDetailsDate(created)
              .build());
    }
    long after = usedAfterGc();
    System.out.printf(
        "ViewHeapBenchmark: %d retained challenges in one instance's view: heap %.1f MiB"
            + " (%d bytes per challenge), max heap %d MiB%n",
        view.size(),
        (after - before) / 1048576.0,
        (after - before) / Math.max(1, n),
        Runtime.getRuntime().maxMemory() / 1048576);
  }

  /**
   * Used heap once full collections stop freeing anything worth counting (under 1 % more), at most
   * ten of them: each {@code System.gc()} is awaited by the collectors' own counts.
   */
  private static long usedAfterGc() {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    long previous = Long.MAX_VALUE;
    for (int i = 0; i < 10; i++) {
      long before = collections();
      System.gc();
      await().atMost(Duration.ofSeconds(10)).until(() -> collections() > before);
      long used = memory.getHeapMemoryUsage().getUsed();
      if (previous - used < previous / 100) {
        return used;
      }
      previous = used;
    }
    return previous;
  }

  private static long collections() {
    return ManagementFactory.getGarbageCollectorMXBeans().stream()
        .mapToLong(GarbageCollectorMXBean::getCollectionCount)
        .sum();
  }
}
