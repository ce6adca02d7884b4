package io.lapse.expiry;

import io.lapse.events.v1.ChallengeApproved;
import io.lapse.events.v1.ChallengeDenied;
import io.lapse.events.v1.ChallengeExpired;
import io.lapse.events.v1.VerificationFailed;
import io.lapse.events.v1.VerificationRejected;
import io.lapse.expiry.state.Answer;
import io.lapse.expiry.state.ChallengeState;
import java.time.Instant;
import org.apache.avro.specific.SpecificRecord;

/**
 * Renders the processor's decisions as outcome events. Rendering is a pure function of the stored
 * state and answer, so replaying a remembered answer yields a record with identical content.
 */
final class Outcomes {
  static final int CHALLENGE_EXPIRED = 60323;
  static final int CHALLENGE_ALREADY_RESPONDED = 60322;
  static final int ATTEMPTS_LIMIT = 60308;
  static final int NOT_FOUND = 20404;

  private Outcomes() {}

  static String reason(int code) {
    return switch (code) {
      case CHALLENGE_EXPIRED -> "Challenge expired";
      case CHALLENGE_ALREADY_RESPONDED -> "Challenge already responded";
      case ATTEMPTS_LIMIT -> "Challenge verification attempts limit reached";
      case NOT_FOUND -> "Challenge not found";
      default -> "Rejected";
    };
  }

  static SpecificRecord render(String sid, ChallengeState s, Answer a) {
    return switch (a.kind()) {
      case APPROVED ->
          ChallengeApproved.newBuilder()
              .setSid(sid)
              .setServiceSid(s.serviceSid())
              .setIdentity(s.identity())
              .setFactorSid(s.factorSid())
              .setAttemptId(a.attemptId())
              .setRespondedAt(Instant.ofEpochMilli(a.respondedAt()))
              .setDecidedAt(Instant.ofEpochMilli(a.decidedAt()))
              .setMetadata(a.metadata())
              .build();
      case DENIED ->
          ChallengeDenied.newBuilder()
              .setSid(sid)
              .setServiceSid(s.serviceSid())
              .setIdentity(s.identity())
              .setFactorSid(s.factorSid())
              .setAttemptId(a.attemptId())
              .setRespondedAt(Instant.ofEpochMilli(a.respondedAt()))
              .setDecidedAt(Instant.ofEpochMilli(a.decidedAt()))
              .setMetadata(a.metadata())
              .build();
      case FAILED ->
          VerificationFailed.newBuilder()
              .setSid(sid)
              .setServiceSid(s.serviceSid())
              .setIdentity(s.identity())
              .setFactorSid(s.factorSid())
              .setAttemptId(a.attemptId())
              .setFailedAttempts(a.number())
              .setDecidedAt(Instant.ofEpochMilli(a.decidedAt()))
              .build();
      case REJECTED ->
          VerificationRejected.newBuilder()
              .setSid(sid)
              .setServiceSid(s.serviceSid())
              .setIdentity(s.identity())
              .setFactorSid(s.factorSid())
              .setAttemptId(a.attemptId())
              .setCode(a.number())
              .setReason(reason(a.number()))
              .setDecidedAt(Instant.ofEpochMilli(a.decidedAt()))
              .build();
    };
  }

  static ChallengeExpired expired(String sid, ChallengeState s, long expiredAt) {
    return ChallengeExpired.newBuilder()
        .setSid(sid)
        .setServiceSid(s.serviceSid())
        .setIdentity(s.identity())
        .setFactorSid(s.factorSid())
        .setExpirationDate(Instant.ofEpochMilli(s.expirationDate()))
        .setExpiredAt(Instant.ofEpochMilli(expiredAt))
        .build();
  }
}
