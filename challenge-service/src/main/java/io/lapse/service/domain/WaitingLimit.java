package io.lapse.service.domain;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * A cap on the requests of this instance that wait for something outside it (the expiry processor's
 * decision, or this instance catching up with the log). A waiting request holds no thread (its
 * handler returns a future), only a place here; at the cap a new one is refused at once with 503 /
 * 20503 and {@code Retry-After}, before it publishes anything, instead of queueing behind a lagging
 * processor (docs/decisions/0009-partitioned-reads.md).
 */
public final class WaitingLimit {
  private final String what;
  private final int max;
  private final AtomicInteger waiting = new AtomicInteger();
  private final AtomicLong refused = new AtomicLong();

  /**
   * @param what the waiting requests in plural, for the refusal's message ("verifications")
   * @param max how many may wait at once
   */
  public WaitingLimit(String what, int max) {
    if (max < 1) {
      throw new IllegalArgumentException("max must be at least 1: " + max);
    }
    this.what = what;
    this.max = max;
  }

  /**
   * Starts the wait if a place is free and keeps the place until the returned future completes.
   *
   * @throws ApiError 503 / 20503 with {@code Retry-After} when {@code max} requests wait already;
   *     {@code start} is then not called
   */
  public <T> CompletableFuture<T> admit(Supplier<CompletableFuture<T>> start) {
    if (waiting.incrementAndGet() > max) {
      waiting.decrementAndGet();
      refused.incrementAndGet();
      throw ApiError.overloaded(what);
    }
    CompletableFuture<T> wait;
    try {
      wait = start.get();
    } catch (RuntimeException e) {
      waiting.decrementAndGet();
      throw e;
    }
    return wait.whenComplete((v, e) -> waiting.decrementAndGet());
  }

  /** Requests waiting now. */
  public int waiting() {
    return waiting.get();
  }

  /** Requests refused at the cap since start. */
  public long refused() {
    return refused.get();
  }

  public int max() {
    return max;
  }
}
