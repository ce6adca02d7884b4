package io.lapse.expiry;

import io.lapse.events.v1.ChallengeCreated;
import io.lapse.events.v1.VerificationAttempted;
import io.lapse.expiry.state.ArbiterRecord;
import io.lapse.expiry.state.ParkedAttempt;
import io.lapse.expiry.trust.AttemptTrust;
import io.lapse.expiry.trust.Distrust;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the attempts the arbiter does not trust ({@link AttemptTrust}) to {@code
 * challenge-responses-dlq}, and the creates it does not trust to {@code challenge-created-dlq},
 * re-encoded, with their reason ({@link DeadLetterHandler#HEADER_REASON}), inside the task's
 * transaction; logs and counts each. One per {@link ChallengeArbiter}, on its thread.
 */
final class AttemptRefusals {
  private static final Logger LOG = LoggerFactory.getLogger(AttemptRefusals.class);

  private final ProcessorContext<String, SpecificRecord> context;
  private final ExpiryMetrics metrics;
  private final String sink;
  private final String responsesTopic;
  private final String createdSink;
  private final String createdTopic;

  AttemptRefusals(
      ProcessorContext<String, SpecificRecord> context,
      ExpiryMetrics metrics,
      String sink,
      String responsesTopic,
      String createdSink,
      String createdTopic) {
    this.context = context;
    this.metrics = metrics;
    this.sink = sink;
    this.responsesTopic = responsesTopic;
    this.createdSink = createdSink;
    this.createdTopic = createdTopic;
  }

  /**
   * Refuses the create being processed: to {@code challenge-created-dlq}, re-encoded, with its
   * reason; it decides nothing, so its challenge never exists here (never expires, answers no
   * attempt).
   */
  void refuse(String key, ChallengeCreated created, Distrust reason, Iterable<Header> headers) {
    long offset = context.recordMetadata().map(m -> m.offset()).orElse(-1L);
    int partition = context.recordMetadata().map(m -> m.partition()).orElse(-1);
    String message =
        reason.code()
            + ": create of "
            + created.getSid()
            + " (key "
            + key
            + ", MAC key "
            + created.getMacKeyId()
            + ") is not trusted and decides nothing";
    LOG.warn("Dead-lettering {}-{}@{}: {}", createdTopic, partition, offset, message);
    metrics.untrustedCreate(reason.code());
    metrics.deadLettered(createdTopic);
    context.forward(
        new Record<String, SpecificRecord>(
            key,
            created,
            context.currentSystemTimeMs(),
            DeadLetterHandler.refusalHeaders(
                headers,
                AttemptTrust.class.getName(),
                reason.code(),
                message,
                createdTopic,
                partition,
                offset)),
        createdSink);
  }

  /** Refuses the attempt being processed (its headers and offset are the record's). */
  void refuse(
      String key, VerificationAttempted attempt, Distrust reason, Iterable<Header> headers) {
    long offset = context.recordMetadata().map(m -> m.offset()).orElse(-1L);
    send(key, attempt, reason, headers, offset);
  }

  /**
   * The record as the create will find it: attempts parked before it that name another service,
   * identity or factor are refused here, so only the others are decided.
   */
  ArbiterRecord refuseMismatchedParked(
      String key, ArbiterRecord current, ChallengeCreated created) {
    if (current == null || current.phase() != ArbiterRecord.Phase.AWAITING) {
      return current;
    }
    List<ParkedAttempt> kept = new ArrayList<>(current.parked().size());
    for (ParkedAttempt p : current.parked()) {
      if (AttemptTrust.sameChallenge(created, p)) {
        kept.add(p);
      } else {
        // Its offset was not kept: -1.
        send(key, p.toEvent(key), Distrust.CHALLENGE_MISMATCH, null, -1L);
      }
    }
    return kept.size() == current.parked().size() ? current : current.keepingParked(kept);
  }

  private void send(
      String key,
      VerificationAttempted attempt,
      Distrust reason,
      Iterable<Header> headers,
      long offset) {
    // A parked attempt came from the same partition number of the responses topic as the create
    // being processed (the topics are co-partitioned).
    int partition = context.recordMetadata().map(m -> m.partition()).orElse(-1);
    String message =
        reason.code()
            + ": attempt "
            + attempt.getAttemptId()
            + " (key "
            + key
            + ", MAC key "
            + attempt.getMacKeyId()
            + ") is not trusted and decides nothing";
    LOG.warn("Dead-lettering {}-{}@{}: {}", responsesTopic, partition, offset, message);
    metrics.untrusted(reason.code());
    metrics.deadLettered(responsesTopic);
    context.forward(
        new Record<String, SpecificRecord>(
            key,
            attempt,
            context.currentSystemTimeMs(),
            DeadLetterHandler.refusalHeaders(
                headers,
                AttemptTrust.class.getName(),
                reason.code(),
                message,
                responsesTopic,
                partition,
                offset)),
        sink);
  }
}
