package io.lapse.service.domain;

import io.lapse.contract.TwilioError;
import io.lapse.events.v1.AttemptOutcome;
import io.lapse.events.v1.ChallengeApproved;
import io.lapse.events.v1.ChallengeCreated;
import io.lapse.events.v1.ChallengeDenied;
import io.lapse.events.v1.VerificationAttempted;
import io.lapse.events.v1.VerificationFailed;
import io.lapse.events.v1.VerificationRejected;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import org.apache.avro.specific.SpecificRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service's side of the expiry processor, which decides every attempt: it names and signs an
 * attempt ({@link AttemptSigner}), submits it through the {@link AttemptGateway} and waits for the
 * decision, and turns the decision into the challenge as the view then shows it, or into the API's
 * refusal.
 */
public final class ArbiterClient {
  private static final Logger LOG = LoggerFactory.getLogger(ArbiterClient.class);

  private final AttemptGateway gateway;
  private final ChallengeView view;
  private final Duration timeout;
  private final AttemptSigner signer;

  public ArbiterClient(
      AttemptGateway gateway, ChallengeView view, Duration timeout, AttemptSigner signer) {
    this.gateway = gateway;
    this.view = view;
    this.timeout = timeout;
    this.signer = signer;
  }

  /**
   * The attempt to submit for {@code authPayload} given at {@code at}, checked as {@code outcome},
   * signed. Its attempt id is keyed ({@link AttemptSigner#attemptId}): a client's retry of the same
   * request is the same attempt, which the processor decides once and answers identically.
   */
  /** The keyed id of an attempt on challenge {@code challengeSid} with {@code authPayload}. */
  String attemptId(String challengeSid, String authPayload) {
    return signer.attemptId(challengeSid, authPayload);
  }

  VerificationAttempted attempt(
      ChallengeCreated c,
      String authPayload,
      Instant at,
      AttemptOutcome outcome,
      Map<String, String> metadata) {
    return signer.sign(
        VerificationAttempted.newBuilder()
            .setSid(c.getSid())
            .setServiceSid(c.getServiceSid())
            .setIdentity(c.getIdentity())
            .setFactorSid(c.getFactorSid())
            .setAttemptId(signer.attemptId(c.getSid(), authPayload))
            .setAttemptAt(at)
            .setOutcome(outcome)
            .setMetadata(metadata == null || metadata.isEmpty() ? null : metadata)
            .build());
  }

  /**
   * Request–reply with the expiry processor; an approval or denial is applied to the view before
   * the challenge is read back from it. Nothing waits on a thread: the future completes when the
   * outcome is read.
   *
   * @return the challenge after the decision (approved, denied, or still pending after a wrong
   *     code); fails with the processor's rejection as an {@link ApiError}, or "service
   *     unavailable" when no decision arrived in time (the client may retry: the retry is the same
   *     attempt)
   */
  CompletableFuture<ViewedChallenge> decide(VerificationAttempted attempt) {
    return whenDecided(attempt.getSid(), attempt.getAttemptId(), gateway.submit(attempt, timeout));
  }

  /**
   * Registers the wait for the outcome of an attempt the entity task will write (a TOTP attempt it
   * claims); call before the command that makes it is sent, then {@link #whenDecided}.
   */
  CompletableFuture<SpecificRecord> awaitOutcome(String attemptId) {
    return gateway.await(attemptId, timeout);
  }

  /**
   * The challenge after the arbiter's decision on attempt {@code attemptId}, which {@code pending}
   * brings, without waiting: completes when {@code pending} does, or fails as {@link #decide}.
   */
  CompletableFuture<ViewedChallenge> whenDecided(
      String challengeSid, String attemptId, CompletableFuture<SpecificRecord> pending) {
    return pending.handle(
        (outcome, error) -> {
          if (error != null) {
            Throwable cause = Futures.cause(error);
            if (!(cause instanceof TimeoutException)) {
              LOG.warn("Attempt {} could not be submitted", attemptId, cause);
            }
            throw ApiError.decisionUnavailable();
          }
          return challengeAfter(challengeSid, attemptId, outcome);
        });
  }

  private ViewedChallenge challengeAfter(
      String challengeSid, String attemptId, SpecificRecord outcome) {
    if (outcome instanceof VerificationRejected r) {
      return rejected(challengeSid, attemptId, r);
    }
    if (outcome instanceof ChallengeApproved || outcome instanceof ChallengeDenied) {
      view.applyOutcome(outcome);
    } else if (!(outcome instanceof VerificationFailed)) {
      throw new IllegalStateException("unexpected outcome " + outcome.getSchema().getFullName());
    }
    return view.get(challengeSid)
        .orElseThrow(() -> ApiError.notFound("/Challenges/" + challengeSid));
  }

  private ViewedChallenge rejected(String challengeSid, String attemptId, VerificationRejected r) {
    if (r.getCode() == TwilioError.CHALLENGE_ALREADY_RESPONDED.code()) {
      // The processor answers a repeat of the deciding attempt with "already responded" rather
      // than a second terminal event; the first decision is in the view by now (same partition,
      // in order).
      var decided = view.get(challengeSid).filter(c -> attemptId.equals(c.decidedAttemptId()));
      if (decided.isPresent()) {
        return decided.get();
      }
    }
    throw ApiError.fromRejection(r.getCode(), r.getReason());
  }
}
