package io.lapse.service.domain;

import io.lapse.events.v1.VerificationAttempted;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.apache.avro.specific.SpecificRecord;

/**
 * Submits a verification attempt for the expiry processor's decision and hands back the decision:
 * request–reply over Kafka in production (challenge-responses out, challenge-outcomes in, matched
 * by attempt id).
 */
public interface AttemptGateway {
  /**
   * Publishes the attempt and returns the outcome record carrying the same attempt id ({@code
   * ChallengeApproved}, {@code ChallengeDenied}, {@code VerificationFailed} or {@code
   * VerificationRejected}). The future completes exceptionally with a {@link
   * java.util.concurrent.TimeoutException} when no outcome arrives within {@code timeout}, or with
   * the publish failure.
   */
  CompletableFuture<SpecificRecord> submit(VerificationAttempted attempt, Duration timeout);

  /**
   * Waits for the outcome of an attempt another writer publishes (the entity task, for a TOTP
   * attempt it claimed): register before that attempt is sent, so a fast outcome is not missed.
   * Completes as {@link #submit} does.
   */
  CompletableFuture<SpecificRecord> await(String attemptId, Duration timeout);
}
