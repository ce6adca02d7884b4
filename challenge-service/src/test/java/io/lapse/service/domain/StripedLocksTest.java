package io.lapse.service.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class StripedLocksTest {
  private final StripedLocks locks = new StripedLocks(4);

  @Test
  void shouldHoldBackWorkOnAKeyWhileOtherWorkOnItRuns() throws Exception {
    CountDownLatch firstInside = new CountDownLatch(1);
    CountDownLatch releaseFirst = new CountDownLatch(1);
    AtomicBoolean secondRan = new AtomicBoolean();
    Thread first =
        new Thread(
            () ->
                locks.withLock(
                    "YC1",
                    () -> {
                      firstInside.countDown();
                      awaitQuietly(releaseFirst);
                      return null;
                    }));
    Thread second = new Thread(() -> locks.withLock("YC1", () -> secondRan.getAndSet(true)));
    first.start();
    firstInside.await();
    second.start();

    await().atMost(Duration.ofSeconds(10)).until(() -> second.getState() == Thread.State.BLOCKED);
    assertThat(secondRan).isFalse();

    releaseFirst.countDown();
    second.join(10_000);
    first.join(10_000);
    assertThat(secondRan).isTrue();
  }

  @Test
  void shouldReturnWhatTheWorkReturns() {
    assertThat(locks.withLock("k", () -> "created")).isEqualTo("created");
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
