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
import java.util.concurrent.atomic.AtomicLong;
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
  private final ChallengeStore store;
  private final AtomicLong answeredUnsettled = new AtomicLong();

  public ArbiterClient(
      AttemptGateway gateway, ChallengeView view, Duration timeout, AttemptSigner signer) {
    this(gateway, view, timeout, signer, ChallengeStore.NONE);
  }

  /**
   * @param store the owner's store: an approval or denial is answered only once it shows it
   */
  public ArbiterClient(
      AttemptGateway gateway,
      ChallengeView view,
      Duration timeout,
      AttemptSigner signer,
      ChallengeStore store) {
    this.gateway = gateway;
    this.view = view;
    this.timeout = timeout;
    this.signer = signer;
    this.store = store;
  }

  /**
   * Approvals and denials answered before the owner's store showed them (its settlement did not
   * arrive within the verification timeout): a read right after such an answer may still show
   * pending.
   */
  public long answeredUnsettled() {
    return answeredUnsettled.get();
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
    CompletableFuture<?> settled = awaitSettled(attempt.getAttemptId());
    return whenDecided(
        attempt.getSid(), attempt.getAttemptId(), gateway.submit(attempt, timeout), settled);
  }

  /**
   * Registers the wait for the owner's task to apply the settlement of attempt {@code attemptId}
   * (docs/decisions/0009, read-your-writes); call before the attempt is submitted, then pass it to
   * {@link #whenDecided}.
   */
  CompletableFuture<?> awaitSettled(String attemptId) {
    return store.awaitSettled(attemptId, timeout);
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
   * Waits for no settlement (a create's TOTP {@code AuthPayload}: a GET right after may still read
   * pending for a moment); a verification uses the form below.
   */
  CompletableFuture<ViewedChallenge> whenDecided(
      String challengeSid, String attemptId, CompletableFuture<SpecificRecord> pending) {
    return whenDecided(challengeSid, attemptId, pending, CompletableFuture.completedFuture(null));
  }

  /**
   * As above, and for an approval or denial only once {@code settled} completed too (the owner's
   * store shows it, so a GET right after the answer reads it there); if the settlement does not
   * come in time, the decision is answered all the same (it is decided and durable) and counted
   * ({@link #answeredUnsettled}).
   */
  CompletableFuture<ViewedChallenge> whenDecided(
      String challengeSid,
      String attemptId,
      CompletableFuture<SpecificRecord> pending,
      CompletableFuture<?> settled) {
    return pending
        .handle(
            (outcome, error) -> {
              if (error != null) {
                Throwable cause = Futures.cause(error);
                if (!(cause instanceof TimeoutException)) {
                  LOG.warn("Attempt {} could not be submitted", attemptId, cause);
                }
                throw ApiError.decisionUnavailable();
              }
              return outcome;
            })
        .thenCompose(
            outcome -> {
              if (!(outcome instanceof ChallengeApproved || outcome instanceof ChallengeDenied)) {
                return CompletableFuture.completedFuture(
                    challengeAfter(challengeSid, attemptId, outcome));
              }
              return settled.handle(
                  (reply, error) -> {
                    if (error != null) {
                      answeredUnsettled.incrementAndGet();
                      LOG.warn(
                          "Attempt {} decided, but the owner's store did not show it in time",
                          attemptId);
                    }
                    return challengeAfter(challengeSid, attemptId, outcome);
                  });
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
