package io.lapse.service.domain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lapse.events.v1.AttemptOutcome;
import io.lapse.events.v1.ChallengeApproved;
import io.lapse.events.v1.ChallengeCreated;
import io.lapse.events.v1.ChallengeDenied;
import io.lapse.events.v1.VerificationAttempted;
import io.lapse.events.v1.VerificationFailed;
import io.lapse.events.v1.VerificationRejected;
import io.lapse.state.v1.EntitySnapshot;
import io.lapse.state.v1.FactorSnapshot;
import io.lapse.state.v1.ServiceSnapshot;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.apache.avro.specific.SpecificRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Challenges: create (publishing ChallengeCreated before answering), reads from the view, and
 * verification. The service checks what it can alone (existence, the deadline on its own clock, the
 * code or signature against the factor), then submits the attempt for the expiry processor's
 * decision and answers with it.
 */
public final class Challenges {
  private static final Logger LOG = LoggerFactory.getLogger(Challenges.class);
  static final Duration DEFAULT_LIFETIME = Duration.ofMinutes(5);
  static final Duration MAX_LIFETIME = Duration.ofMinutes(60);
  static final int MAX_JWS_LENGTH = 5456;
  private static final int IDEMPOTENCY_STRIPES = 64;

  private final Catalog catalog;
  private final ChallengeView view;
  private final ChallengeLog log;
  private final AttemptGateway gateway;
  private final FactorCrypto crypto;
  private final Clock clock;
  private final Duration verifyTimeout;
  private final Object[] idempotencyLocks = new Object[IDEMPOTENCY_STRIPES];

  /** A created (or, for a repeated Idempotency-Key, the first) challenge. */
  public record Created(ChallengeState challenge, boolean replayed) {}

  public Challenges(
      Catalog catalog,
      ChallengeView view,
      ChallengeLog log,
      AttemptGateway gateway,
      FactorCrypto crypto,
      Clock clock,
      Duration verifyTimeout) {
    this.catalog = catalog;
    this.view = view;
    this.log = log;
    this.gateway = gateway;
    this.crypto = crypto;
    this.clock = clock;
    this.verifyTimeout = verifyTimeout;
    for (int i = 0; i < IDEMPOTENCY_STRIPES; i++) {
      idempotencyLocks[i] = new Object();
    }
  }

  public Clock clock() {
    return clock;
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
    Object lock = idempotencyLocks[Math.floorMod(key.hashCode(), IDEMPOTENCY_STRIPES)];
    synchronized (lock) {
      Optional<ChallengeState> first = view.byIdempotencyKey(serviceSid, identity, key);
      if (first.isPresent()) {
        return new Created(first.get(), true);
      }
      return new Created(createNew(service, entity, factor, req), false);
    }
  }

  private ChallengeState createNew(
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
    Instant deadline =
        req.expirationDate().orElse(now.plus(DEFAULT_LIFETIME).truncatedTo(ChronoUnit.SECONDS));
    if (!deadline.isAfter(now)) {
      throw ApiError.invalidParam("ExpirationDate", "must be in the future");
    }
    if (deadline.isAfter(now.plus(MAX_LIFETIME))) {
      throw ApiError.invalidParam("ExpirationDate", "must be at most 60 minutes after creation");
    }
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
            .setExpirationDate(deadline)
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
    return view.get(event.getSid()).orElseGet(() -> ChallengeState.of(event));
  }

  private void verifyAtCreation(ChallengeCreated event, FactorSnapshot factor, String code) {
    try {
      Instant at = clock.instant();
      AttemptOutcome outcome =
          crypto.totpMatches(factor, code, at)
              ? AttemptOutcome.APPROVED
              : AttemptOutcome.WRONG_CODE;
      decide(attempt(event, code, at, outcome, null));
    } catch (ApiError | IllegalStateException e) {
      // The challenge exists: the answer stays 201 with whatever the view shows.
      LOG.warn("Verification at creation of {} not decided: {}", event.getSid(), e.getMessage());
    }
  }

  public ChallengeState get(String serviceSid, String identity, String challengeSid) {
    EntitySnapshot entity = Lookups.entity(catalog, serviceSid, identity);
    return view.get(challengeSid)
        .filter(c -> c.created().getEntitySid().equals(entity.getSid()))
        .orElseThrow(
            () ->
                ApiError.notFound(
                    "/Services/"
                        + serviceSid
                        + "/Entities/"
                        + identity
                        + "/Challenges/"
                        + challengeSid));
  }

  /** An entity's challenges, optionally of one factor and one status (as shown now). */
  public Pager.Page<ChallengeState> list(
      String serviceSid,
      String identity,
      Optional<String> factorSid,
      Optional<ChallengeStatus> status,
      boolean descending,
      PageRequest request) {
    Lookups.entity(catalog, serviceSid, identity);
    Instant now = clock.instant();
    return Pager.page(
        view.entityChallenges(serviceSid, identity),
        descending,
        k -> view.get(k.sid()),
        c ->
            factorSid.map(f -> f.equals(c.created().getFactorSid())).orElse(true)
                && status.map(s -> s == c.statusAt(now)).orElse(true),
        request);
  }

  /**
   * Verifies a challenge with an {@code AuthPayload}: a TOTP code, or a push approval JWS.
   *
   * @return the challenge after the processor's decision (approved, denied, or still pending after
   *     a wrong code)
   */
  public ChallengeState verify(
      String serviceSid,
      String identity,
      String challengeSid,
      String authPayload,
      Map<String, String> metadata) {
    ChallengeState challenge = get(serviceSid, identity, challengeSid);
    Instant at = clock.instant();
    if (!at.isBefore(challenge.expirationDate())) {
      throw ApiError.challengeExpired();
    }
    ChallengeCreated c = challenge.created();
    FactorSnapshot factor = Lookups.factor(catalog, serviceSid, identity, c.getFactorSid());
    AttemptOutcome outcome =
        Factors.PUSH.equals(factor.getFactorType())
            ? pushOutcome(c, factor, authPayload)
            : totpOutcome(factor, authPayload, at);
    VerificationAttempted attempt = attempt(c, authPayload, at, outcome, metadata);
    if (attempt.getAttemptId().equals(challenge.decidedAttemptId())) {
      // A retry of the request that decided it (the SDK retries a 503): the same answer, and no
      // second attempt on the topic.
      return challenge;
    }
    return decide(attempt);
  }

  private AttemptOutcome totpOutcome(FactorSnapshot factor, String code, Instant at) {
    if (code.length() < 3 || code.length() > 8) {
      throw ApiError.invalidParam("AuthPayload", "a TOTP code has 3 to 8 characters");
    }
    return crypto.totpMatches(factor, code, at)
        ? AttemptOutcome.APPROVED
        : AttemptOutcome.WRONG_CODE;
  }

  /**
   * Checks a push approval: the JWS must verify with the factor's key, carry exactly the signed
   * fields plus {@code status}, each equal (as JSON) to this challenge's, and a status of approved
   * or denied. Anything else is 60324.
   */
  private AttemptOutcome pushOutcome(ChallengeCreated c, FactorSnapshot factor, String jws) {
    if (jws.length() > MAX_JWS_LENGTH) {
      throw ApiError.invalidParam("AuthPayload", "at most " + MAX_JWS_LENGTH + " characters");
    }
    JsonNode payload =
        FactorCrypto.pushJwsPayload(factor, jws)
            .flatMap(Json::parse)
            .filter(JsonNode::isObject)
            .orElseThrow(ApiError::challengeVerificationFailed);
    ObjectNode expected = ChallengeFields.signed(c);
    if (payload.size() != expected.size() + 1) {
      throw ApiError.challengeVerificationFailed();
    }
    for (Iterator<String> it = expected.fieldNames(); it.hasNext(); ) {
      String field = it.next();
      if (!expected.get(field).equals(payload.get(field))) {
        throw ApiError.challengeVerificationFailed();
      }
    }
    String status = payload.path("status").asText("");
    return switch (status) {
      case "approved" -> AttemptOutcome.APPROVED;
      case "denied" -> AttemptOutcome.DENIED;
      default -> throw ApiError.challengeVerificationFailed();
    };
  }

  private static VerificationAttempted attempt(
      ChallengeCreated c,
      String authPayload,
      Instant at,
      AttemptOutcome outcome,
      Map<String, String> metadata) {
    return VerificationAttempted.newBuilder()
        .setSid(c.getSid())
        .setServiceSid(c.getServiceSid())
        .setIdentity(c.getIdentity())
        .setFactorSid(c.getFactorSid())
        .setAttemptId(attemptId(c.getSid(), authPayload))
        .setAttemptAt(at)
        .setOutcome(outcome)
        .setMetadata(metadata == null || metadata.isEmpty() ? null : metadata)
        .build();
  }

  /**
   * The attempt id: a digest of the challenge SID and the AuthPayload, so a client's retry of the
   * same request is the same attempt, which the processor decides once and answers identically.
   */
  public static String attemptId(String challengeSid, String authPayload) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(challengeSid.getBytes(StandardCharsets.UTF_8));
      sha.update((byte) 0);
      byte[] d = sha.digest(authPayload.getBytes(StandardCharsets.UTF_8));
      return "AT" + HexFormat.of().formatHex(d, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static final int ALREADY_RESPONDED = 60322;

  /** Request–reply with the expiry processor; the outcome is applied to the view before reading. */
  private ChallengeState decide(VerificationAttempted attempt) {
    SpecificRecord outcome;
    try {
      outcome = gateway.submit(attempt, verifyTimeout).join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof TimeoutException) {
        throw ApiError.decisionUnavailable();
      }
      LOG.warn("Attempt {} could not be submitted", attempt.getAttemptId(), e.getCause());
      throw ApiError.decisionUnavailable();
    }
    if (outcome instanceof VerificationRejected r) {
      if (r.getCode() == ALREADY_RESPONDED) {
        // The processor answers a repeat of the deciding attempt with 60322 rather than a second
        // terminal event; the first decision is in the view by now (same partition, in order).
        var decided =
            view.get(attempt.getSid())
                .filter(c -> attempt.getAttemptId().equals(c.decidedAttemptId()));
        if (decided.isPresent()) {
          return decided.get();
        }
      }
      throw ApiError.fromRejection(r.getCode(), r.getReason());
    }
    if (outcome instanceof ChallengeApproved || outcome instanceof ChallengeDenied) {
      view.applyOutcome(outcome);
    } else if (!(outcome instanceof VerificationFailed)) {
      throw new IllegalStateException("unexpected outcome " + outcome.getSchema().getFullName());
    }
    return view.get(attempt.getSid())
        .orElseThrow(() -> ApiError.notFound("/Challenges/" + attempt.getSid()));
  }
}
