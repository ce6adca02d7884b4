package io.lapse.service.decision;

import io.lapse.commands.v1.AccessTokenUse;
import io.lapse.commands.v1.CommandReply;
import io.lapse.commands.v1.CommandStatus;
import io.lapse.commands.v1.CreateChallenge;
import io.lapse.commands.v1.CreateEntity;
import io.lapse.commands.v1.CreateFactor;
import io.lapse.commands.v1.DeleteEntity;
import io.lapse.commands.v1.DeleteFactor;
import io.lapse.commands.v1.EntityRecord;
import io.lapse.commands.v1.FactorChanges;
import io.lapse.commands.v1.FactorRecord;
import io.lapse.commands.v1.FactorVerification;
import io.lapse.commands.v1.RecentAttempt;
import io.lapse.commands.v1.ReleaseTotpStep;
import io.lapse.commands.v1.RequestNotification;
import io.lapse.commands.v1.ResealedSecret;
import io.lapse.commands.v1.SubmitTotpAttempt;
import io.lapse.commands.v1.UpdateFactor;
import io.lapse.contract.TwilioError;
import io.lapse.service.decision.EntityDecision.Snapshot;
import io.lapse.service.decision.EntityDecision.SnapshotTopic;
import io.lapse.service.domain.ApiError;
import io.lapse.state.v1.EntitySnapshot;
import io.lapse.state.v1.FactorSnapshot;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecord;

/**
 * The rules of one entity, decided once: a pure function of what the entity task knows of the
 * entity key ({@link EntityState}), the command, and the command's record time (its LogAppendTime
 * on {@code lapse-commands}). SIDs, seeds and digests come in the command, minted by the edge, so a
 * command decided again after an aborted transaction is decided identically; nothing here reads a
 * clock or draws a random number.
 *
 * <p>The rules, each refused with Twilio's code (docs/decisions/0008-single-writers-on-the-log.md):
 *
 * <ul>
 *   <li>{@link CreateEntity}: the identity is unique per service (60301).
 *   <li>{@link CreateFactor}: at most {@value #MAX_PUSH_PER_ENTITY} push and {@value
 *       #MAX_TOTP_PER_ENTITY} TOTP factors per entity (60315), at most {@value
 *       #MAX_FACTOR_CREATIONS_PER_DAY} factor creations per entity in any 24 hours (60326; the
 *       creation times are kept in the entity record, also across a delete of the entity), no two
 *       factors with one binding (60317), one factor per access token (60313; the tokens used are
 *       kept in the entity record for {@link #CREATION_WINDOW}, longer than a token lives, across
 *       deletes). An absent entity is created with the factor.
 *   <li>{@link UpdateFactor}: an update never creates (20404: a delete decided first wins); after
 *       {@value #MAX_FAILED_VERIFICATIONS} failed verifications every verification is refused
 *       (60310); a TOTP verification is accepted only for a time step later than the last one
 *       accepted for the factor (a reused or older step is a wrong code: 200, still unverified,
 *       counted); a push proof that did not verify counts and is refused (60311); a verification of
 *       a verified factor changes nothing.
 *   <li>{@link DeleteFactor}, {@link DeleteEntity}: 20404 if absent; an entity goes with its
 *       factors.
 *   <li>{@link CreateChallenge}, {@link SubmitTotpAttempt}, {@link RequestNotification}: the
 *       challenge rules of the entity ({@link ChallengeRules}): one-time TOTP steps, 60312, {@code
 *       Idempotency-Key}, 60309.
 * </ul>
 */
public final class EntityDecider {
  public static final String PUSH = "push";
  public static final String TOTP = "totp";
  public static final String VERIFIED = "verified";
  public static final String UNVERIFIED = "unverified";
  public static final int MAX_PUSH_PER_ENTITY = 20;
  public static final int MAX_TOTP_PER_ENTITY = 100;
  public static final int MAX_FACTOR_CREATIONS_PER_DAY = 100;
  public static final int MAX_FAILED_VERIFICATIONS = 5;
  public static final int MAX_NOTIFICATIONS_PER_CHALLENGE = 3;
  public static final Duration CREATION_WINDOW = Duration.ofHours(24);

  private final ChallengeRules challenges = new ChallengeRules();

  /** Decides {@code command} for the entity key whose state is {@code state}, at {@code time}. */
  public EntityDecision decide(EntityState state, SpecificRecord command, long time) {
    if (state.serviceDeleted()) {
      return serviceGone(state, command);
    }
    if (command instanceof CreateEntity c) {
      return createEntity(state, c, time);
    }
    if (command instanceof DeleteEntity c) {
      return deleteEntity(state, c, time);
    }
    if (command instanceof CreateFactor c) {
      return createFactor(state, c, time);
    }
    if (command instanceof UpdateFactor c) {
      return updateFactor(state, c, time);
    }
    if (command instanceof DeleteFactor c) {
      return deleteFactor(state, c);
    }
    if (command instanceof CreateChallenge c) {
      return challenges.createChallenge(state, c, time);
    }
    if (command instanceof SubmitTotpAttempt c) {
      return challenges.submitTotpAttempt(state, c, time);
    }
    if (command instanceof RequestNotification c) {
      return challenges.requestNotification(state, c, time);
    }
    if (command instanceof ReleaseTotpStep c) {
      return challenges.releaseTotpStep(state, c);
    }
    String name = command.getSchema().getFullName();
    return EntityDecision.refused(
        "unknown-command",
        rejected(
            requestIdOf(command),
            ApiError.invalidRequest("the challenge service cannot decide a " + name)));
  }

  /**
   * A command of an entity whose service was deleted: refused (20404, the service), and whatever
   * the entity still held is dropped. The purge already removed what existed when it arrived; this
   * only refuses what came after it (a create raced against the deletion), so a deleted service
   * never regains a child.
   */
  private static EntityDecision serviceGone(EntityState state, SpecificRecord command) {
    CommandReply reply =
        command instanceof ReleaseTotpStep
            ? null
            : rejected(
                requestIdOf(command),
                ApiError.notFound(ServiceDecider.path(serviceSidOf(command))));
    EntityDecision purged = purge(state);
    return new EntityDecision(
        "rejected-service-deleted",
        purged.entityChanged(),
        null,
        purged.factors(),
        purged.snapshots(),
        List.of(),
        reply);
  }

  /**
   * Everything an entity key holds, dropped because its service was deleted: the records go
   * (counters included: the service and its limits are gone), tombstones for the live factors, then
   * the entity. No reply: nobody waits for a purge.
   */
  public static EntityDecision purge(EntityState state) {
    Map<String, FactorRecord> factors = new LinkedHashMap<>();
    List<Snapshot> snapshots = new ArrayList<>();
    for (String factorSid : state.factors().keySet()) {
      factors.put(factorSid, null);
      snapshots.add(new Snapshot(SnapshotTopic.FACTORS, factorSid, null));
    }
    EntityRecord current = state.entity();
    if (current != null && current.getEntity() != null) {
      snapshots.add(new Snapshot(SnapshotTopic.ENTITIES, current.getEntity().getSid(), null));
    }
    return new EntityDecision(
        "entity-purged", current != null, null, factors, snapshots, List.of(), null);
  }

  private static String serviceSidOf(SpecificRecord command) {
    if (command instanceof GenericRecord g && g.hasField("serviceSid")) {
      Object sid = g.get("serviceSid");
      return sid == null ? "" : sid.toString();
    }
    return "";
  }

  private EntityDecision createEntity(EntityState state, CreateEntity c, long time) {
    EntityRecord current = state.entity();
    if (current != null && current.getEntity() != null) {
      return EntityDecision.refused(
          "rejected-60301", rejected(c.getRequestId(), ApiError.entityExists()));
    }
    Instant at = Instant.ofEpochMilli(time);
    EntitySnapshot entity =
        newEntity(c.getEntitySid(), c.getAccountSid(), c.getServiceSid(), c.getIdentity(), at);
    EntityRecord next =
        new EntityRecord(
            entity, recentCreations(current, time), List.of(), recentTokens(current, time));
    return new EntityDecision(
        "entity-created",
        true,
        next,
        Map.of(),
        List.of(new Snapshot(SnapshotTopic.ENTITIES, entity.getSid(), entity)),
        accepted(c.getRequestId(), entity.getSid()).setEntity(entity).build());
  }

  private EntityDecision deleteEntity(EntityState state, DeleteEntity c, long time) {
    EntityRecord current = state.entity();
    if (current == null || current.getEntity() == null) {
      return EntityDecision.refused(
          "rejected-20404",
          rejected(
              c.getRequestId(), ApiError.notFound(entityPath(c.getServiceSid(), c.getIdentity()))));
    }
    String entitySid = current.getEntity().getSid();
    Map<String, FactorRecord> factors = new LinkedHashMap<>();
    List<Snapshot> snapshots = new ArrayList<>();
    for (String factorSid : state.factors().keySet()) {
      factors.put(factorSid, null);
      snapshots.add(new Snapshot(SnapshotTopic.FACTORS, factorSid, null));
    }
    snapshots.add(new Snapshot(SnapshotTopic.ENTITIES, entitySid, null));
    // The creation times outlive the entity: deleting it must not reset 60326.
    List<Long> creations = recentCreations(current, time);
    // So do the access tokens used: a token must not enrol again under a new entity.
    List<AccessTokenUse> tokens = recentTokens(current, time);
    // Its Idempotency-Keys go with it: they named challenges of the deleted entity.
    EntityRecord next =
        creations.isEmpty() && tokens.isEmpty()
            ? null
            : new EntityRecord(null, creations, List.of(), tokens);
    return new EntityDecision(
        "entity-deleted",
        true,
        next,
        factors,
        snapshots,
        accepted(c.getRequestId(), entitySid).build());
  }

  private EntityDecision createFactor(EntityState state, CreateFactor c, long time) {
    FactorSnapshot proposed = c.getFactor();
    String type = proposed.getFactorType();
    int max = PUSH.equals(type) ? MAX_PUSH_PER_ENTITY : MAX_TOTP_PER_ENTITY;
    long sameType =
        state.factors().values().stream()
            .filter(f -> type.equals(f.getFactor().getFactorType()))
            .count();
    if (sameType >= max) {
      return EntityDecision.refused(
          "rejected-60315", rejected(c.getRequestId(), ApiError.tooManyFactors(type, max)));
    }
    EntityRecord current = state.entity();
    List<Long> creations = recentCreations(current, time);
    if (creations.size() >= MAX_FACTOR_CREATIONS_PER_DAY) {
      return EntityDecision.refused(
          "rejected-60326",
          rejected(c.getRequestId(), new ApiError(TwilioError.FACTOR_CREATION_LIMIT)));
    }
    List<AccessTokenUse> tokens = recentTokens(current, time);
    String token = c.getAccessTokenSid();
    if (token != null
        && (state.factors().containsKey(proposed.getSid())
            || tokens.stream().anyMatch(t -> t.getSid().equals(token)))) {
      return EntityDecision.refused(
          "rejected-60313",
          rejected(
              c.getRequestId(),
              new ApiError(
                  TwilioError.UNAUTHORIZED_FACTOR_CREATION,
                  TwilioError.UNAUTHORIZED_FACTOR_CREATION.message()
                      + ": the access token has already enrolled a factor")));
    }
    boolean sameBinding =
        state.factors().values().stream()
            .anyMatch(f -> f.getBindingDigest().equals(c.getBindingDigest()));
    if (sameBinding) {
      return EntityDecision.refused(
          "rejected-60317", rejected(c.getRequestId(), ApiError.factorExists()));
    }
    Instant at = Instant.ofEpochMilli(time);
    List<Snapshot> snapshots = new ArrayList<>();
    EntitySnapshot entity = current == null ? null : current.getEntity();
    EntitySnapshot created = null;
    if (entity == null) {
      created =
          newEntity(
              c.getEntitySid(), proposed.getAccountSid(), c.getServiceSid(), c.getIdentity(), at);
      entity = created;
      snapshots.add(new Snapshot(SnapshotTopic.ENTITIES, entity.getSid(), entity));
    }
    FactorSnapshot factor =
        FactorSnapshot.newBuilder(proposed)
            .setEntitySid(entity.getSid())
            .setStatus(UNVERIFIED)
            .setFailedVerifications(0)
            .setCreatedAt(at)
            .setUpdatedAt(at)
            .build();
    snapshots.add(new Snapshot(SnapshotTopic.FACTORS, factor.getSid(), factor));
    creations.add(time);
    if (token != null) {
      tokens.add(new AccessTokenUse(token, factor.getSid(), time));
    }
    Map<String, FactorRecord> factors = new LinkedHashMap<>();
    factors.put(
        factor.getSid(),
        FactorRecord.newBuilder()
            .setFactor(factor)
            .setBindingDigest(c.getBindingDigest())
            .setLastAcceptedStepStart(-1L)
            .build());
    return new EntityDecision(
        "factor-created",
        true,
        new EntityRecord(
            entity, creations, current == null ? List.of() : current.getIdempotencyKeys(), tokens),
        factors,
        snapshots,
        accepted(c.getRequestId(), factor.getSid())
            .setFactorStatus(UNVERIFIED)
            .setFactor(factor)
            .setEntity(created)
            .build());
  }

  private EntityDecision updateFactor(EntityState state, UpdateFactor c, long time) {
    FactorRecord record = state.factors().get(c.getFactorSid());
    if (record == null) {
      return EntityDecision.refused(
          "rejected-20404",
          rejected(
              c.getRequestId(),
              ApiError.notFound(
                  entityPath(c.getServiceSid(), c.getIdentity())
                      + "/Factors/"
                      + c.getFactorSid())));
    }
    FactorSnapshot current = record.getFactor();
    FactorSnapshot.Builder b = FactorSnapshot.newBuilder(current);
    ApiError invalid = applyChanges(b, current, c.getChanges());
    if (invalid != null) {
      return EntityDecision.refused(
          "rejected-" + invalid.code(), rejected(c.getRequestId(), invalid));
    }
    long lastAccepted = record.getLastAcceptedStepStart();
    List<RecentAttempt> recent = record.getRecentAttempts();
    String outcome = "factor-updated";
    ApiError refusal = null;
    FactorVerification v = c.getVerification();
    if (v != null && VERIFIED.equals(current.getStatus())) {
      outcome = "already-verified";
    } else if (v != null && ChallengeRules.answered(record, v.getAttemptId()) != null) {
      // A client's retry of a verification already answered (the answer was lost, the SDK sent the
      // same request again): the same answer, counted once. It comes before 60310 so the retry of
      // the fifth wrong attempt is answered as that attempt was.
      outcome = "attempt-repeated";
      if (PUSH.equals(current.getFactorType())) {
        refusal = ApiError.factorVerificationFailed();
      }
    } else if (v != null) {
      if (current.getFailedVerifications() >= MAX_FAILED_VERIFICATIONS) {
        return EntityDecision.refused(
            "rejected-60310", rejected(c.getRequestId(), ApiError.factorAttemptsLimit()));
      }
      boolean accepted;
      if (PUSH.equals(current.getFactorType())) {
        accepted = v.getPushProofValid();
        outcome = accepted ? "factor-verified" : "push-proof-invalid";
      } else {
        long latest = v.getMatchedStepStarts().stream().mapToLong(Long::longValue).max().orElse(-1);
        accepted = latest >= 0 && latest > lastAccepted;
        if (accepted) {
          lastAccepted = latest;
        }
        outcome = accepted ? "factor-verified" : latest >= 0 ? "reused-step" : "wrong-code";
      }
      recent = ChallengeRules.remember(recent, v.getAttemptId(), accepted);
      if (accepted) {
        b.setStatus(VERIFIED).setFailedVerifications(0);
      } else {
        b.setFailedVerifications(current.getFailedVerifications() + 1);
        if (PUSH.equals(current.getFactorType())) {
          refusal = ApiError.factorVerificationFailed();
        }
      }
    }
    ResealedSecret resealed = c.getChanges().getResealedSecret();
    if (resealed == null || v != null || changesMoreThanTheSeal(c.getChanges())) {
      b.setUpdatedAt(Instant.ofEpochMilli(time));
    } else {
      outcome = "factor-resealed"; // the same seed under the newest key: not a user's change
    }
    FactorSnapshot next = b.build();
    Map<String, FactorRecord> factors = new LinkedHashMap<>();
    factors.put(
        next.getSid(),
        FactorRecord.newBuilder(record)
            .setBindingDigest(
                resealed == null ? record.getBindingDigest() : resealed.getBindingDigest())
            .setFactor(next)
            .setLastAcceptedStepStart(lastAccepted)
            .setRecentAttempts(recent)
            .build());
    CommandReply reply =
        (refusal == null ? accepted(c.getRequestId(), next.getSid()) : rejecting(c, refusal))
            .setFactorStatus(next.getStatus())
            .setFactor(next)
            .build();
    return new EntityDecision(
        outcome,
        false,
        null,
        factors,
        List.of(new Snapshot(SnapshotTopic.FACTORS, next.getSid(), next)),
        reply);
  }

  private EntityDecision deleteFactor(EntityState state, DeleteFactor c) {
    if (!state.factors().containsKey(c.getFactorSid())) {
      return EntityDecision.refused(
          "rejected-20404",
          rejected(
              c.getRequestId(),
              ApiError.notFound(
                  entityPath(c.getServiceSid(), c.getIdentity())
                      + "/Factors/"
                      + c.getFactorSid())));
    }
    Map<String, FactorRecord> factors = new LinkedHashMap<>();
    factors.put(c.getFactorSid(), null);
    return new EntityDecision(
        "factor-deleted",
        false,
        null,
        factors,
        List.of(new Snapshot(SnapshotTopic.FACTORS, c.getFactorSid(), null)),
        accepted(c.getRequestId(), c.getFactorSid()).build());
  }

  /**
   * Applies a factor's configuration changes; returns the refusal if the result is not a valid
   * factor (a push factor needs a notification token unless its platform is {@code none}).
   */
  private static ApiError applyChanges(
      FactorSnapshot.Builder b, FactorSnapshot current, FactorChanges c) {
    if (c.getFriendlyName() != null) {
      b.setFriendlyName(c.getFriendlyName());
    }
    if (PUSH.equals(current.getFactorType())) {
      if (c.getNotificationToken() != null) {
        b.setNotificationToken(c.getNotificationToken());
      }
      if (c.getSdkVersion() != null) {
        b.setSdkVersion(c.getSdkVersion());
      }
      if (c.getNotificationPlatform() != null) {
        b.setNotificationPlatform(c.getNotificationPlatform());
      }
      if (!"none".equals(b.getNotificationPlatform()) && b.getNotificationToken() == null) {
        return ApiError.missingParam("Config.NotificationToken");
      }
    } else {
      if (c.getTotpTimeStep() != null) {
        b.setTotpTimeStep(c.getTotpTimeStep());
      }
      if (c.getTotpSkew() != null) {
        b.setTotpSkew(c.getTotpSkew());
      }
      if (c.getTotpCodeLength() != null) {
        b.setTotpCodeLength(c.getTotpCodeLength());
      }
      if (c.getTotpAlg() != null) {
        b.setTotpAlg(c.getTotpAlg());
      }
      if (c.getResealedSecret() != null) {
        b.setTotpSecretCiphertext(c.getResealedSecret().getCiphertext())
            .setTotpSecretKeyId(c.getResealedSecret().getKeyId());
      }
    }
    return null;
  }

  /** Whether an update changes anything besides re-sealing the seed. */
  private static boolean changesMoreThanTheSeal(FactorChanges c) {
    return !FactorChanges.newBuilder(c)
        .setResealedSecret(null)
        .build()
        .equals(FactorChanges.newBuilder().build());
  }

  /** The entity's factor creation times within the window that ends at {@code time}. */
  private static List<Long> recentCreations(EntityRecord record, long time) {
    List<Long> recent = new ArrayList<>();
    if (record != null) {
      long since = time - CREATION_WINDOW.toMillis();
      for (long at : record.getFactorCreations()) {
        if (at > since) {
          recent.add(at);
        }
      }
    }
    return recent;
  }

  /** The access tokens that enrolled a factor of the entity within the window ending at time. */
  private static List<AccessTokenUse> recentTokens(EntityRecord record, long time) {
    List<AccessTokenUse> recent = new ArrayList<>();
    if (record != null) {
      long since = time - CREATION_WINDOW.toMillis();
      for (AccessTokenUse use : record.getAccessTokens()) {
        if (use.getUsedAt() > since) {
          recent.add(use);
        }
      }
    }
    return recent;
  }

  static String entityPath(String serviceSid, String identity) {
    return "/Services/" + serviceSid + "/Entities/" + identity;
  }

  static CommandReply.Builder accepted(String requestId, String resourceSid) {
    return CommandReply.newBuilder()
        .setRequestId(requestId)
        .setStatus(CommandStatus.ACCEPTED)
        .setCode(0)
        .setResourceSid(resourceSid);
  }

  private static CommandReply.Builder rejecting(UpdateFactor c, ApiError error) {
    return CommandReply.newBuilder()
        .setRequestId(c.getRequestId())
        .setStatus(CommandStatus.REJECTED)
        .setCode(error.code())
        .setReason(error.getMessage())
        .setResourceSid(c.getFactorSid());
  }

  static CommandReply rejected(String requestId, ApiError error) {
    return CommandReply.newBuilder()
        .setRequestId(requestId)
        .setStatus(CommandStatus.REJECTED)
        .setCode(error.code())
        .setReason(error.getMessage())
        .build();
  }

  private static String requestIdOf(SpecificRecord command) {
    if (command instanceof GenericRecord g && g.hasField("requestId")) {
      Object id = g.get("requestId");
      return id == null ? "" : id.toString();
    }
    return "";
  }

  /** An entity as created at {@code at}: by its own create, or with its first factor. */
  private static EntitySnapshot newEntity(
      String sid, String accountSid, String serviceSid, String identity, Instant at) {
    return EntitySnapshot.newBuilder()
        .setSid(sid)
        .setAccountSid(accountSid)
        .setServiceSid(serviceSid)
        .setIdentity(identity)
        .setCreatedAt(at)
        .setUpdatedAt(at)
        .build();
  }
}
