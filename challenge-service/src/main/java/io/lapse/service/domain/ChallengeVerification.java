package io.lapse.service.domain;

import io.lapse.events.v1.AttemptOutcome;
import io.lapse.events.v1.ChallengeCreated;
import io.lapse.events.v1.VerificationAttempted;
import io.lapse.state.v1.FactorSnapshot;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;

/**
 * Verifies a challenge with an {@code AuthPayload}. The service refuses what it can alone (an
 * unknown challenge, a deadline passed on its own clock, a response that cannot be an answer), then
 * submits the attempt for the expiry processor's decision and answers with it.
 */
public final class ChallengeVerification {
  private final Challenges challenges;
  private final Catalog catalog;
  private final ResponseChecker checker;
  private final ArbiterClient arbiter;
  private final Clock clock;

  public ChallengeVerification(
      Challenges challenges,
      Catalog catalog,
      ResponseChecker checker,
      ArbiterClient arbiter,
      Clock clock) {
    this.challenges = challenges;
    this.catalog = catalog;
    this.checker = checker;
    this.arbiter = arbiter;
    this.clock = clock;
  }

  /**
   * Verifies with a TOTP code or a push approval JWS.
   *
   * @return the challenge after the processor's decision (approved, denied, or still pending after
   *     a wrong code)
   */
  public ViewedChallenge verify(
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
    AttemptOutcome outcome = checker.check(c, factor, authPayload, at);
    VerificationAttempted attempt = arbiter.attempt(c, authPayload, at, outcome, metadata);
    if (attempt.getAttemptId().equals(challenge.decidedAttemptId())) {
      // A retry of the request that decided it (the SDK retries a 503): the same answer, and no
      // second attempt on the topic.
      return challenge;
    }
    return arbiter.decide(attempt);
  }
}
