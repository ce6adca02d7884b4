package io.lapse.service.kafka;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The waiting half of request–reply over Kafka (docs/decisions/0004-request-reply-over-kafka.md):
 * requests waiting for a reply, by id. A request registers its waiter before its record is
 * produced, so a fast reply is never missed; concurrent requests with one id (a client retry) share
 * one waiter. Every instance reads every reply; a reply nobody waits for here is ignored.
 *
 * @param <R> the reply type
 */
public final class ReplyWaiters<R> {
  private final Map<String, CompletableFuture<R>> waiters = new ConcurrentHashMap<>();

  /**
   * Registers (or joins) the waiter for {@code id}; the returned future completes with the reply,
   * or exceptionally with a {@link java.util.concurrent.TimeoutException} after {@code timeout}, or
   * with the failure given to {@link #fail}.
   */
  public CompletableFuture<R> await(String id, Duration timeout) {
    CompletableFuture<R> waiter = waiters.computeIfAbsent(id, k -> new CompletableFuture<>());
    return waiter
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .whenComplete((reply, error) -> waiters.remove(id, waiter));
  }

  /** Completes the waiter for {@code id} with {@code reply}, if a request waits for it here. */
  public void complete(String id, R reply) {
    CompletableFuture<R> waiter = id == null ? null : waiters.get(id);
    if (waiter != null) {
      waiter.complete(reply);
    }
  }

  /** Fails the waiter for {@code id} (its record could not be produced), if there is one. */
  public void fail(String id, Throwable error) {
    CompletableFuture<R> waiter = waiters.get(id);
    if (waiter != null) {
      waiter.completeExceptionally(error);
    }
  }

  /** Requests waiting now (a gauge). */
  public int size() {
    return waiters.size();
  }
}
