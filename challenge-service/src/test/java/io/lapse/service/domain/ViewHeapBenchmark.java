package io.lapse.service.domain;

import io.lapse.events.v1.ChallengeCreated;
import io.lapse.events.v1.DetailField;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Clock;
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

  public static void main(String[] args) throws InterruptedException {
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

  private static long usedAfterGc() throws InterruptedException {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(200);
    }
    return memory.getHeapMemoryUsage().getUsed();
  }
}
