package io.lapse.service.domain;

import io.lapse.commands.v1.SubmitTotpAttempt;
import io.lapse.commands.v1.TotpAttempt;
import io.lapse.events.v1.AttemptOutcome;
import io.lapse.events.v1.ChallengeCreated;
import io.lapse.events.v1.VerificationAttempted;
import io.lapse.state.v1.FactorSnapshot;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.avro.specific.SpecificRecord;

/**
 * Verifies a challenge with an {@code AuthPayload}. The service refuses what it can alone (an
 * unknown challenge, a deadline passed on its own clock, a response that cannot be an answer), then
 * has the attempt decided by the expiry processor and answers with its decision. A push approval
 * goes to the processor from here; a TOTP code goes, as the time steps it matched, to the entity
 * task, which claims the step for the factor (a step accepted once, on any challenge of the factor
 * or by its verification, is a wrong code) and writes the attempt
 * (docs/decisions/0008-single-writers-on-the-log.md).
 *
 * <p>No thread waits for the decision: {@link #verify} returns a future. Waiting verifications are
 * capped ({@link WaitingLimit}); at the cap a verification is refused before it publishes anything.
 * A challenge or factor not found here is looked for again after this instance caught up with the
 * log ({@link MissedReads}): it may have been created on another instance a moment ago.
 */
public final class ChallengeVerification {
  private final Challenges challenges;
  private final Catalog catalog;
  private final ResponseChecker checker;
  private final ArbiterClient arbiter;
  private final EntityWriter writer;
  private final Clock clock;
  private final WaitingLimit waiting;
  private final MissedReads misses;

  public ChallengeVerification(
      Challenges challenges,
      Catalog catalog,
      ResponseChecker checker,
      ArbiterClient arbiter,
      EntityWriter writer,
      Clock clock,
      WaitingLimit waiting,
      MissedReads misses) {
    this.challenges = challenges;
    this.catalog = catalog;
    this.checker = checker;
    this.arbiter = arbiter;
    this.writer = writer;
    this.clock = clock;
    this.waiting = waiting;
    this.misses = misses;
  }

  /**
   * Verifies with a TOTP code or a push approval JWS.
   *
   * @return the challenge after the processor's decision (approved, denied, or still pending after
   *     a wrong code); the future fails with the API's refusal
   * @throws ApiError a refusal decided at once (expired, malformed, too many waiting)
   */
  public CompletableFuture<ViewedChallenge> verify(
      String serviceSid,
      String identity,
      String challengeSid,
      String authPayload,
      Map<String, String> metadata) {
    return misses.read(() -> submit(serviceSid, identity, challengeSid, authPayload, metadata));
  }

  /** Checks and submits the attempt; a 404 here is thrown before anything is published. */
  private CompletableFuture<ViewedChallenge> submit(
      String serviceSid,
      String identity,
      String challengeSid,
      String authPayload,
      Map<String, String> metadata) {
    ViewedChallenge challenge = challenges.get(serviceSid, identity, challengeSid);
    Instant at = clock.instant();
    if (challenge.deadline().hasPassedAt(at)) {
      throw ApiError.challengeExpired();
    }
    ChallengeCreated c = challenge.created();
    FactorSnapshot factor = Lookups.factor(catalog, serviceSid, identity, c.getFactorSid());
    if (!Factors.PUSH.equals(factor.getFactorType())) {
      return verifyTotp(challenge, factor, authPayload, at, metadata);
    }
    // Admitted before the signature is checked: at the cap, refusing costs no cryptography.
    return waiting.admit(
        () -> {
          AttemptOutcome outcome = checker.check(c, factor, authPayload, at);
          VerificationAttempted attempt = arbiter.attempt(c, authPayload, at, outcome, metadata);
          if (attempt.getAttemptId().equals(challenge.decidedAttemptId())) {
            // A retry of the request that decided it (the SDK retries a 503): the same answer,
            // and no second attempt on the topic.
            return CompletableFuture.completedFuture(challenge);
          }
          return arbiter.decide(attempt);
        });
  }

  private CompletableFuture<ViewedChallenge> verifyTotp(
      ViewedChallenge challenge,
      FactorSnapshot factor,
      String authPayload,
      Instant at,
      Map<String, String> metadata) {
    ChallengeCreated c = challenge.created();
    String code = ResponseChecker.requireTotpCodeLength(authPayload);
    String attemptId = arbiter.attemptId(c.getSid(), code);
    if (attemptId.equals(challenge.decidedAttemptId())) {
      return CompletableFuture.completedFuture(challenge);
    }
    return waiting.admit(
        () -> {
          TotpAttempt attempt = totpAttempt(checker, c, factor, code, attemptId, at, metadata);
          SubmitTotpAttempt command =
              SubmitTotpAttempt.newBuilder()
                  .setRequestId(attemptId)
                  .setIssuedAt(at)
                  .setServiceSid(c.getServiceSid())
                  .setIdentity(c.getIdentity())
                  .setFactorSid(c.getFactorSid())
                  .setAttempt(attempt)
                  .build();
          CompletableFuture<SpecificRecord> outcome = arbiter.awaitOutcome(attemptId);
          CompletableFuture<?> settled = arbiter.awaitSettled(attemptId);
          return writer
              .whenAccepted(writer.send(c.getServiceSid(), c.getIdentity(), attemptId, command))
              .thenCompose(reply -> arbiter.whenDecided(c.getSid(), attemptId, outcome, settled));
        });
  }

  /**
   * Approvals and denials answered before the owner's store showed them ({@link
   * ArbiterClient#answeredUnsettled}).
   */
  public long answeredUnsettled() {
    return arbiter.answeredUnsettled();
  }

  /** A TOTP code as the entity task claims it: the steps it matched, never the code. */
  static TotpAttempt totpAttempt(
      ResponseChecker checker,
      ChallengeCreated c,
      FactorSnapshot factor,
      String code,
      String attemptId,
      Instant at,
      Map<String, String> metadata) {
    List<Long> steps = checker.totpMatchedSteps(factor, code, at);
    return TotpAttempt.newBuilder()
        .setChallengeSid(c.getSid())
        .setAttemptId(attemptId)
        .setAttemptAt(at)
        .setDeadline(c.getExpirationDate())
        .setMatchedStepStarts(steps)
        .setMetadata(metadata == null || metadata.isEmpty() ? null : metadata)
        .build();
  }
}
