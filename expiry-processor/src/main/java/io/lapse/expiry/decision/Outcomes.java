package io.lapse.expiry.decision;

import io.lapse.contract.TwilioError;
import io.lapse.events.v1.ChallengeApproved;
import io.lapse.events.v1.ChallengeDenied;
import io.lapse.events.v1.ChallengeExpired;
import io.lapse.events.v1.VerificationFailed;
import io.lapse.events.v1.VerificationRejected;
import io.lapse.expiry.state.Answer;
import io.lapse.expiry.state.ArbiterRecord;
import java.time.Instant;
import org.apache.avro.specific.SpecificRecord;

/**
 * Renders the arbiter's decisions as outcome events. Rendering is a pure function of the stored
 * record and answer, so replaying a remembered answer yields a record with identical content. A
 * rejection carries its Twilio code and, as its reason, Twilio's message for that code.
 */
final class Outcomes {
  private Outcomes() {}

  static SpecificRecord render(String sid, ArbiterRecord r, Answer a) {
    return switch (a.kind()) {
      case APPROVED ->
          ChallengeApproved.newBuilder()
              .setSid(sid)
              .setServiceSid(r.serviceSid())
              .setIdentity(r.identity())
              .setFactorSid(r.factorSid())
              .setAttemptId(a.attemptId())
              .setRespondedAt(Instant.ofEpochMilli(a.respondedAt()))
              .setDecidedAt(Instant.ofEpochMilli(a.decidedAt()))
              .setMetadata(a.metadata())
              .build();
      case DENIED ->
          ChallengeDenied.newBuilder()
              .setSid(sid)
              .setServiceSid(r.serviceSid())
              .setIdentity(r.identity())
              .setFactorSid(r.factorSid())
              .setAttemptId(a.attemptId())
              .setRespondedAt(Instant.ofEpochMilli(a.respondedAt()))
              .setDecidedAt(Instant.ofEpochMilli(a.decidedAt()))
              .setMetadata(a.metadata())
              .build();
      case FAILED ->
          VerificationFailed.newBuilder()
              .setSid(sid)
              .setServiceSid(r.serviceSid())
              .setIdentity(r.identity())
              .setFactorSid(r.factorSid())
              .setAttemptId(a.attemptId())
              .setFailedAttempts(a.number())
              .setDecidedAt(Instant.ofEpochMilli(a.decidedAt()))
              .build();
      case REJECTED ->
          VerificationRejected.newBuilder()
              .setSid(sid)
              .setServiceSid(r.serviceSid())
              .setIdentity(r.identity())
              .setFactorSid(r.factorSid())
              .setAttemptId(a.attemptId())
              .setCode(a.number())
              .setReason(TwilioError.ofCode(a.number()).message())
              .setDecidedAt(Instant.ofEpochMilli(a.decidedAt()))
              .build();
    };
  }

  static ChallengeExpired expired(String sid, ArbiterRecord r, long expiredAt) {
    return ChallengeExpired.newBuilder()
        .setSid(sid)
        .setServiceSid(r.serviceSid())
        .setIdentity(r.identity())
        .setFactorSid(r.factorSid())
        .setExpirationDate(Instant.ofEpochMilli(r.expirationDate()))
        .setExpiredAt(Instant.ofEpochMilli(expiredAt))
        .build();
  }

  /** The metrics label of an answer: approved, denied, failed, rejected-60323, … */
  static String label(Answer a) {
    return a.kind() == Answer.Kind.REJECTED
        ? "rejected-" + a.number()
        : a.kind().name().toLowerCase(java.util.Locale.ROOT);
  }
}
