package io.lapse.expiry.state;

import io.lapse.events.v1.AttemptOutcome;
import io.lapse.events.v1.VerificationAttempted;
import java.time.Instant;
import java.util.Map;

/**
 * An attempt that reached the processor before its challenge's ChallengeCreated (the two arrive on
 * different topics, so a task can see them in either order); decided when the challenge arrives, or
 * answered 20404 when the grace period ends first.
 *
 * <p>{@code attemptAt} is the time the arbiter judges the attempt at, which is the time it claims
 * unless the broker appended it long after that (see {@code AttemptTrust#judgedAt}).
 */
public record ParkedAttempt(
    String attemptId,
    long attemptAt,
    AttemptOutcome outcome,
    String serviceSid,
    String identity,
    String factorSid,
    Map<String, String> metadata) {

  public ParkedAttempt {
    metadata = metadata == null ? null : Map.copyOf(metadata);
  }

  public static ParkedAttempt of(VerificationAttempted a) {
    return of(a, a.getAttemptAt().toEpochMilli());
  }

  /**
   * The attempt as the arbiter judges it: at {@code judgedAt} rather than at the time it claims
   * (the later of the two when the broker appended it long after that).
   */
  public static ParkedAttempt of(VerificationAttempted a, long judgedAt) {
    return new ParkedAttempt(
        a.getAttemptId(),
        judgedAt,
        a.getOutcome(),
        a.getServiceSid(),
        a.getIdentity(),
        a.getFactorSid(),
        a.getMetadata());
  }

  public VerificationAttempted toEvent(String challengeSid) {
    return VerificationAttempted.newBuilder()
        .setSid(challengeSid)
        .setServiceSid(serviceSid)
        .setIdentity(identity)
        .setFactorSid(factorSid)
        .setAttemptId(attemptId)
        .setAttemptAt(Instant.ofEpochMilli(attemptAt))
        .setOutcome(outcome)
        .setMetadata(metadata)
        .build();
  }
}
