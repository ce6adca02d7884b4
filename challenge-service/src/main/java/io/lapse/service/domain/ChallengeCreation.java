package io.lapse.service.domain;

import io.lapse.commands.v1.CommandReply;
import io.lapse.commands.v1.CommandStatus;
import io.lapse.commands.v1.CreateChallenge;
import io.lapse.commands.v1.TotpAttempt;
import io.lapse.contract.Deadline;
import io.lapse.events.v1.ChallengeCreated;
import io.lapse.state.v1.EntitySnapshot;
import io.lapse.state.v1.FactorSnapshot;
import io.lapse.state.v1.ServiceSnapshot;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.avro.specific.SpecificRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates challenges: checks the request and what it can of the factor, then has the entity task
 * decide the creation ({@code CreateChallenge}: a repeated {@code Idempotency-Key} is answered with
 * the first challenge, a TOTP factor's creations are limited, 60312), which publishes the
 * ChallengeCreated before the answer. A TOTP {@code AuthPayload} given at creation goes with the
 * command: the task claims its time step and writes the challenge's first attempt, whose decision
 * this then waits for (docs/decisions/0008-single-writers-on-the-log.md).
 *
 * <p>No thread waits for the decisions ({@link #create} returns a future), and a create takes a
 * place under the instance's cap on waiting requests before its command is produced
 * (docs/decisions/0009-partitioned-reads.md).
 */
public final class ChallengeCreation {
  private static final Logger LOG = LoggerFactory.getLogger(ChallengeCreation.class);

  /** A challenge's lifetime when the request names no {@code ExpirationDate}. */
  public static final Duration DEFAULT_LIFETIME = Duration.ofMinutes(5);

  /** The longest lifetime a request may ask for. */
  public static final Duration MAX_LIFETIME = Duration.ofMinutes(60);

  private final Catalog catalog;
  private final ChallengeView view;
  private final EntityWriter writer;
  private final ResponseChecker checker;
  private final ArbiterClient arbiter;
  private final Clock clock;

  /** A created (or, for a repeated Idempotency-Key, the first) challenge. */
  public record Created(ViewedChallenge challenge, boolean replayed) {}

  public ChallengeCreation(
      Catalog catalog,
      ChallengeView view,
      EntityWriter writer,
      ResponseChecker checker,
      ArbiterClient arbiter,
      Clock clock) {
    this.catalog = catalog;
    this.view = view;
    this.writer = writer;
    this.checker = checker;
    this.arbiter = arbiter;
    this.clock = clock;
  }

  /**
   * Creates a challenge. Once the task has accepted it nothing here fails: the answer is 201
   * whatever happens to a TOTP AuthPayload's attempt, because the SDK retries every 5xx and would
   * create the challenge twice.
   *
   * @return the challenge once decided; fails with the task's refusal, or 503 when no decision came
   *     in time
   * @throws ApiError a refusal decided at once (unknown factor, bad parameters, too many waiting)
   */
  public CompletableFuture<Created> create(String serviceSid, String identity, NewChallenge req) {
    ServiceSnapshot service = Lookups.service(catalog, serviceSid);
    EntitySnapshot entity = Lookups.entity(catalog, serviceSid, identity);
    FactorSnapshot factor = Lookups.factor(catalog, serviceSid, identity, req.factorSid());
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
    Optional<String> code = req.authPayload().map(ResponseChecker::requireTotpCodeLength);
    Instant now = clock.instant();
    Deadline deadline = deadline(service, req, now);
    // Admitted before a TOTP code is checked: at the cap, refusing costs no cryptography.
    return writer.admit(
        () -> {
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
                      push && service.getPushIncludeDate()
                          ? now.truncatedTo(ChronoUnit.SECONDS)
                          : null)
                  .setHiddenDetails(req.hiddenDetails().isEmpty() ? null : req.hiddenDetails())
                  .setIdempotencyKey(req.idempotencyKey().orElse(null))
                  .build();
          TotpAttempt attempt =
              code.map(
                      c ->
                          ChallengeVerification.totpAttempt(
                              checker,
                              event,
                              factor,
                              c,
                              arbiter.attemptId(event.getSid(), c),
                              clock.instant(),
                              null))
                  .orElse(null);
          String requestId = EntityWriter.newRequestId();
          CreateChallenge command =
              CreateChallenge.newBuilder()
                  .setRequestId(requestId)
                  .setIssuedAt(now)
                  .setServiceSid(serviceSid)
                  .setIdentity(identity)
                  .setChallenge(event)
                  .setIdempotencyKey(req.idempotencyKey().orElse(null))
                  .setTotpAttempt(attempt)
                  .build();
          CompletableFuture<SpecificRecord> outcome =
              attempt == null ? null : arbiter.awaitOutcome(attempt.getAttemptId());
          return writer
              .decide(serviceSid, identity, requestId, command)
              .thenCompose(reply -> created(reply, event, attempt, outcome));
        });
  }

  /** The answer once the task accepted the create: never a failure but a replay's. */
  private CompletableFuture<Created> created(
      CommandReply reply,
      ChallengeCreated event,
      TotpAttempt attempt,
      CompletableFuture<SpecificRecord> outcome) {
    if (reply.getStatus() == CommandStatus.REPLAYED) {
      return replayed(reply.getResourceSid()).thenApply(first -> new Created(first, true));
    }
    view.applyCreated(event);
    CompletableFuture<?> verified =
        attempt == null
            ? CompletableFuture.completedFuture(null)
            : arbiter
                .whenDecided(event.getSid(), attempt.getAttemptId(), outcome)
                .exceptionally(
                    error -> {
                      // The challenge exists: the answer stays 201 with whatever the view shows.
                      LOG.warn(
                          "Verification at creation of {} not decided: {}",
                          event.getSid(),
                          Futures.cause(error).getMessage());
                      return null;
                    });
    return verified.thenApply(
        decided ->
            new Created(
                view.get(event.getSid()).orElseGet(() -> ViewedChallenge.of(event)), false));
  }

  /**
   * The first challenge of a repeated {@code Idempotency-Key}, once this instance's view has it
   * (another instance may have created it; its ChallengeCreated is committed before the reply).
   */
  private CompletableFuture<ViewedChallenge> replayed(String sid) {
    return view.whenCreated(sid, writer.timeout())
        .thenApply(
            first ->
                first.orElseThrow(
                    () -> {
                      LOG.warn(
                          "The first challenge {} of a replayed key is not in the view yet", sid);
                      return ApiError.notDecidedInTime();
                    }));
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
}
