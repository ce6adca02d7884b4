package io.lapse.service.kafka;

import io.lapse.events.v1.VerificationAttempted;
import io.lapse.service.domain.AttemptGateway;
import io.lapse.topics.Topic;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecord;

/**
 * Request–reply over Kafka: the attempt goes to challenge-responses, and the outcome with the same
 * attempt id, read from challenge-outcomes by this instance's follower, completes the waiting
 * request ({@link ReplyWaiters}, keyed by attempt id).
 */
public final class KafkaAttemptGateway implements AttemptGateway {
  private final EventProducer producer;
  private final Topic<String, VerificationAttempted> responses;
  private final ReplyWaiters<SpecificRecord> waiters = new ReplyWaiters<>();

  public KafkaAttemptGateway(
      EventProducer producer, Topic<String, VerificationAttempted> responses) {
    this.producer = producer;
    this.responses = responses;
  }

  @Override
  public CompletableFuture<SpecificRecord> submit(VerificationAttempted attempt, Duration timeout) {
    String id = attempt.getAttemptId();
    CompletableFuture<SpecificRecord> outcome = waiters.await(id, timeout);
    producer
        .send(responses, attempt.getSid(), attempt)
        .whenComplete(
            (metadata, error) -> {
              if (error != null) {
                waiters.fail(id, error);
              }
            });
    return outcome;
  }

  @Override
  public CompletableFuture<SpecificRecord> await(String attemptId, Duration timeout) {
    return waiters.await(attemptId, timeout);
  }

  /** Called by the follower for every outcome record; completes the matching waiter, if any. */
  public void onOutcome(SpecificRecord outcome) {
    if (outcome instanceof GenericRecord record && record.hasField("attemptId")) {
      Object id = record.get("attemptId");
      if (id != null) {
        waiters.complete(id.toString(), outcome);
      }
    }
  }

  /** Requests waiting for a decision now (a gauge). */
  public int waiting() {
    return waiters.size();
  }
}
