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
 *
 * <p>One cap may be shared by several kinds of waits ({@link #share}): each kind counts its own
 * waiting and refused requests (for the metrics), all of them count against the one cap.
 */
public final class WaitingLimit {
  private final String what;
  private final int max;

  /** Requests waiting under the cap, of every kind that shares it. */
  private final AtomicInteger all;

  /** Requests of this kind waiting. */
  private final AtomicInteger waiting = new AtomicInteger();

  private final AtomicLong refused = new AtomicLong();

  /**
   * @param what the waiting requests in plural, for the refusal's message ("verifications")
   * @param max how many may wait at once
   */
  public WaitingLimit(String what, int max) {
    this(what, max, new AtomicInteger());
    if (max < 1) {
      throw new IllegalArgumentException("max must be at least 1: " + max);
    }
  }

  private WaitingLimit(String what, int max, AtomicInteger all) {
    this.what = what;
    this.max = max;
    this.all = all;
  }

  /**
   * Another kind of wait under the same cap: its requests take places from this limit's, and are
   * counted apart.
   *
   * @param what the other kind's requests in plural, for its refusal's message
   */
  public WaitingLimit share(String what) {
    return new WaitingLimit(what, max, all);
  }

  /**
   * Starts the wait if a place is free and keeps the place until the returned future completes.
   *
   * @throws ApiError 503 / 20503 with {@code Retry-After} when {@code max} requests wait already;
   *     {@code start} is then not called
   */
  public <T> CompletableFuture<T> admit(Supplier<CompletableFuture<T>> start) {
    if (all.incrementAndGet() > max) {
      all.decrementAndGet();
      refused.incrementAndGet();
      throw ApiError.overloaded(what);
    }
    waiting.incrementAndGet();
    CompletableFuture<T> wait;
    try {
      wait = start.get();
    } catch (RuntimeException e) {
      free();
      throw e;
    }
    return wait.whenComplete((v, e) -> free());
  }

  private void free() {
    waiting.decrementAndGet();
    all.decrementAndGet();
  }

  /** Requests of this kind waiting now. */
  public int waiting() {
    return waiting.get();
  }

  /** Requests of this kind refused at the cap since start. */
  public long refused() {
    return refused.get();
  }

  public int max() {
    return max;
  }
}
