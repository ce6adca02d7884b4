package io.lapse.service.domain;

import io.lapse.contract.Deadline;
import io.lapse.events.v1.AttemptOutcome;
import io.lapse.events.v1.ChallengeCreated;
import io.lapse.state.v1.EntitySnapshot;
import io.lapse.state.v1.FactorSnapshot;
import io.lapse.state.v1.ServiceSnapshot;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates challenges: checks the factor and the requested deadline, publishes ChallengeCreated
 * before answering, and answers a repeated {@code Idempotency-Key} with the first challenge. A TOTP
 * {@code AuthPayload} given at creation is then submitted as the challenge's first attempt.
 */
public final class ChallengeCreation {
  private static final Logger LOG = LoggerFactory.getLogger(ChallengeCreation.class);

  /** A challenge's lifetime when the request names no {@code ExpirationDate}. */
  public static final Duration DEFAULT_LIFETIME = Duration.ofMinutes(5);

  /** The longest lifetime a request may ask for. */
  public static final Duration MAX_LIFETIME = Duration.ofMinutes(60);

  private static final int IDEMPOTENCY_STRIPES = 64;

  private final Catalog catalog;
  private final ChallengeView view;
  private final ChallengeLog log;
  private final ResponseChecker checker;
  private final ArbiterClient arbiter;
  private final Clock clock;
  private final StripedLocks idempotencyLocks = new StripedLocks(IDEMPOTENCY_STRIPES);

  /** A created (or, for a repeated Idempotency-Key, the first) challenge. */
  public record Created(ViewedChallenge challenge, boolean replayed) {}

  public ChallengeCreation(
      Catalog catalog,
      ChallengeView view,
      ChallengeLog log,
      ResponseChecker checker,
      ArbiterClient arbiter,
      Clock clock) {
    this.catalog = catalog;
    this.view = view;
    this.log = log;
    this.checker = checker;
    this.arbiter = arbiter;
    this.clock = clock;
  }

  /**
   * Creates a challenge. Once ChallengeCreated is durable nothing here throws: the answer is 201
   * whatever happens to a TOTP AuthPayload's attempt, because the SDK retries every 5xx and would
   * create the challenge twice.
   */
  public Created create(String serviceSid, String identity, NewChallenge req) {
    ServiceSnapshot service = Lookups.service(catalog, serviceSid);
    EntitySnapshot entity = Lookups.entity(catalog, serviceSid, identity);
    FactorSnapshot factor = Lookups.factor(catalog, serviceSid, identity, req.factorSid());
    if (req.idempotencyKey().isEmpty()) {
      return new Created(createNew(service, entity, factor, req), false);
    }
    String key = req.idempotencyKey().get();
    // Check-then-create per key, so two concurrent requests with one key create one challenge.
    return idempotencyLocks.withLock(
        key,
        () ->
            view.byIdempotencyKey(serviceSid, identity, key)
                .map(first -> new Created(first, true))
                .orElseGet(() -> new Created(createNew(service, entity, factor, req), false)));
  }

  private ViewedChallenge createNew(
      ServiceSnapshot service, EntitySnapshot entity, FactorSnapshot factor, NewChallenge req) {
    if (!Factors.VERIFIED.equals(factor.getStatus())) {
      throw ApiError.factorUnverified();
    }
    boolean push = Factors.PUSH.equals(factor.getFactorType());
    if (push && req.detailsMessage().isEmpty()) {
      throw ApiError.missingParam("Details.Message");
    }
    if (push && req.authPayload().isPresent()) {
      throw ApiError.invalidParam("AuthPayload", "only TOTP challenges verify at creation");
    }
    Instant now = clock.instant();
    Deadline deadline = deadline(service, req, now);
    ChallengeCreated event =
        ChallengeCreated.newBuilder()
            .setSid(Sids.random(Sids.CHALLENGE))
            .setAccountSid(service.getAccountSid())
            .setServiceSid(service.getSid())
            .setEntitySid(entity.getSid())
            .setIdentity(entity.getIdentity())
            .setFactorSid(factor.getSid())
            .setFactorType(factor.getFactorType())
            .setCreatedAt(now)
            .setExpirationDate(deadline.toInstant())
            .setDetailsMessage(req.detailsMessage().orElse(null))
            .setDetailsFields(req.detailsFields())
            .setDetailsDate(
                push && service.getPushIncludeDate() ? now.truncatedTo(ChronoUnit.SECONDS) : null)
            .setHiddenDetails(req.hiddenDetails().isEmpty() ? null : req.hiddenDetails())
            .setIdempotencyKey(req.idempotencyKey().orElse(null))
            .build();
    log.publishCreated(event);
    view.applyCreated(event);
    if (req.authPayload().isPresent()) {
      verifyAtCreation(event, factor, req.authPayload().get());
    }
    return view.get(event.getSid()).orElseGet(() -> ViewedChallenge.of(event));
  }

  /**
   * The requested deadline (already normalised at the edge) or the default one, which must be in
   * the future and at most the service's maximum lifetime away: Twilio's {@link #MAX_LIFETIME}, or
   * a shorter one under the service's {@link StrictPolicy}, which also shortens the default.
   */
  private static Deadline deadline(ServiceSnapshot service, NewChallenge req, Instant now) {
    Duration max = StrictPolicy.maxChallengeLifetime(service);
    Deadline deadline =
        req.expirationDate()
            .orElseGet(
                () -> Deadline.requested(now.plus(StrictPolicy.defaultChallengeLifetime(service))));
    if (deadline.hasPassedAt(now)) {
      throw ApiError.invalidParam("ExpirationDate", "must be in the future");
    }
    if (deadline.toInstant().isAfter(now.plus(max))) {
      throw ApiError.invalidParam(
          "ExpirationDate",
          max.equals(MAX_LIFETIME)
              ? "must be at most " + MAX_LIFETIME.toMinutes() + " minutes after creation"
              : "must be at most "
                  + max.toSeconds()
                  + " seconds after creation (this service's LapseMaxChallengeLifetime)");
    }
    return deadline;
  }

  private void verifyAtCreation(ChallengeCreated event, FactorSnapshot factor, String code) {
    try {
      Instant at = clock.instant();
      AttemptOutcome outcome = checker.check(event, factor, code, at);
      arbiter.decide(arbiter.attempt(event, code, at, outcome, null));
    } catch (RuntimeException e) {
      // The challenge exists: the answer stays 201 with whatever the view shows.
      LOG.warn("Verification at creation of {} not decided: {}", event.getSid(), e.getMessage());
    }
  }
}
