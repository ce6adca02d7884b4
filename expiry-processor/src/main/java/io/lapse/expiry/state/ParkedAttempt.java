package io.lapse.expiry.state;

import io.lapse.events.v1.AttemptOutcome;
import io.lapse.events.v1.VerificationAttempted;
import java.time.Instant;
import java.util.Map;

/**
 * An attempt that reached the processor before its challenge's ChallengeCreated (the two arrive on
 * different topics, so a task can see them in either order); decided when the challenge arrives, or
 * answered 20404 when the grace period ends first.
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
    return new ParkedAttempt(
        a.getAttemptId(),
        a.getAttemptAt().toEpochMilli(),
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
