package io.lapse.service.kafka;

import io.lapse.events.v1.VerificationAttempted;
import io.lapse.service.domain.AttemptGateway;
import io.lapse.topics.Topic;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecord;

/**
 * Request–reply over Kafka: the attempt goes to challenge-responses, and the outcome with the same
 * attempt id, read from challenge-outcomes by this instance's follower, completes the waiting
 * request. The waiter is registered before the attempt is produced, so a fast outcome is never
 * missed; concurrent requests for one attempt id (a client retry) share one waiter.
 */
public final class KafkaAttemptGateway implements AttemptGateway {
  private final EventProducer producer;
  private final Topic<String, VerificationAttempted> responses;
  private final Map<String, CompletableFuture<SpecificRecord>> waiters = new ConcurrentHashMap<>();

  public KafkaAttemptGateway(
      EventProducer producer, Topic<String, VerificationAttempted> responses) {
    this.producer = producer;
    this.responses = responses;
  }

  @Override
  public CompletableFuture<SpecificRecord> submit(VerificationAttempted attempt, Duration timeout) {
    String id = attempt.getAttemptId();
    CompletableFuture<SpecificRecord> waiter =
        waiters.computeIfAbsent(id, k -> new CompletableFuture<>());
    producer
        .send(responses, attempt.getSid(), attempt)
        .whenComplete(
            (metadata, error) -> {
              if (error != null) {
                waiter.completeExceptionally(error);
              }
            });
    return waiter
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .whenComplete((outcome, error) -> waiters.remove(id, waiter));
  }

  /** Called by the follower for every outcome record; completes the matching waiter, if any. */
  public void onOutcome(SpecificRecord outcome) {
    if (outcome instanceof GenericRecord record && record.hasField("attemptId")) {
      Object id = record.get("attemptId");
      CompletableFuture<SpecificRecord> waiter = id == null ? null : waiters.get(id.toString());
      if (waiter != null) {
        waiter.complete(outcome);
      }
    }
  }

  /** Requests waiting for a decision now (a gauge). */
  public int waiting() {
    return waiters.size();
  }
}
