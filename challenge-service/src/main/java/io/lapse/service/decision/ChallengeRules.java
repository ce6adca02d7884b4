package io.lapse.service.decision;

import io.lapse.commands.v1.CommandReply;
import io.lapse.commands.v1.CommandStatus;
import io.lapse.commands.v1.CreateChallenge;
import io.lapse.commands.v1.EntityRecord;
import io.lapse.commands.v1.FactorRecord;
import io.lapse.commands.v1.IdempotencyEntry;
import io.lapse.commands.v1.NotificationCount;
import io.lapse.commands.v1.RecentAttempt;
import io.lapse.commands.v1.ReleaseTotpStep;
import io.lapse.commands.v1.RequestNotification;
import io.lapse.commands.v1.SubmitTotpAttempt;
import io.lapse.commands.v1.TotpAttempt;
import io.lapse.contract.TwilioError;
import io.lapse.events.v1.AttemptOutcome;
import io.lapse.events.v1.ChallengeCreated;
import io.lapse.events.v1.NotificationRequested;
import io.lapse.events.v1.VerificationAttempted;
import io.lapse.service.decision.EntityDecision.ChallengeEvent;
import io.lapse.service.decision.EntityDecision.ChallengeTopic;
import io.lapse.service.domain.ApiError;
import io.lapse.state.v1.FactorSnapshot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The challenge rules of one entity, decided by its entity task (part of {@link EntityDecider}):
 *
 * <ul>
 *   <li><b>One-time TOTP steps.</b> A TOTP challenge attempt (a verification, or an {@code
 *       AuthPayload} given at creation) is accepted only for a time step later than the last one
 *       accepted for the factor, by a challenge or by the factor's own verification (the same
 *       field, {@code lastAcceptedStepStart}); the attempt then goes out {@code APPROVED},
 *       otherwise {@code WRONG_CODE}, which the arbiter counts toward 60308. An attempt at or after
 *       its challenge's deadline claims nothing and goes out {@code WRONG_CODE}: the arbiter
 *       refuses it as late (60323). An attempt id answered recently gets the same answer again (a
 *       client's retry). A claimed step the arbiter then refuses (the challenge was already
 *       answered, expired or locked) is given back ({@code ReleaseTotpStep}), so a code sent to a
 *       settled challenge does not burn its step.
 *   <li><b>60312</b>: challenges created for a TOTP factor with a code length of at most 4: 10 in
 *       any 24 hours; otherwise 50 in any hour and 100 in any 24 hours (record times, kept on the
 *       factor record).
 *   <li><b>{@code Idempotency-Key}</b>: a key the entity used in the last 24 hours is answered
 *       {@code REPLAYED} with its first challenge, and nothing else is checked or counted.
 *   <li><b>60309</b>: at most {@value #MAX_NOTIFICATIONS_PER_CHALLENGE} notifications per
 *       challenge, counted on its factor's record until the challenge's deadline.
 * </ul>
 *
 * <p>The task writes the {@code ChallengeCreated}, the attempt and the {@code
 * NotificationRequested} in the transaction that decided them, so what is counted is exactly what
 * was published. Why here: docs/decisions/0008-single-writers-on-the-log.md.
 */
final class ChallengeRules {
  static final int MAX_RECENT_ATTEMPTS = 16;
  static final int MAX_NOTIFICATIONS_PER_CHALLENGE = EntityDecider.MAX_NOTIFICATIONS_PER_CHALLENGE;
  static final int SHORT_CODE_MAX_LENGTH = 4;
  static final int SHORT_CODE_PER_DAY = 10;
  static final int LONG_CODE_PER_HOUR = 50;
  static final int LONG_CODE_PER_DAY = 100;
  static final Duration HOUR = Duration.ofHours(1);
  static final Duration DAY = Duration.ofHours(24);
  static final Duration IDEMPOTENCY_RETENTION = Duration.ofHours(24);

  EntityDecision createChallenge(EntityState state, CreateChallenge c, long time) {
    ChallengeCreated challenge = c.getChallenge();
    EntityRecord entity = state.entity();
    List<IdempotencyEntry> keys = recentKeys(entity, time);
    String key = c.getIdempotencyKey();
    if (key != null) {
      Optional<IdempotencyEntry> first =
          keys.stream().filter(k -> k.getKey().equals(key)).findFirst();
      if (first.isPresent()) {
        return EntityDecision.refused(
            "idempotency-replayed",
            CommandReply.newBuilder()
                .setRequestId(c.getRequestId())
                .setStatus(CommandStatus.REPLAYED)
                .setCode(0)
                .setResourceSid(first.get().getChallengeSid())
                .build());
      }
    }
    if (entity == null || entity.getEntity() == null) {
      return notFound(
          c.getRequestId(), EntityDecider.entityPath(c.getServiceSid(), c.getIdentity()));
    }
    FactorRecord record = state.factors().get(challenge.getFactorSid());
    if (record == null) {
      return notFound(c.getRequestId(), factorPath(c.getServiceSid(), c.getIdentity(), challenge));
    }
    FactorSnapshot factor = record.getFactor();
    if (!EntityDecider.VERIFIED.equals(factor.getStatus())) {
      return EntityDecision.refused(
          "rejected-60318", EntityDecider.rejected(c.getRequestId(), ApiError.factorUnverified()));
    }
    boolean totp = EntityDecider.TOTP.equals(factor.getFactorType());
    FactorRecord.Builder next = FactorRecord.newBuilder(record);
    List<ChallengeEvent> events = new ArrayList<>();
    events.add(new ChallengeEvent(ChallengeTopic.CREATED, challenge.getSid(), challenge));
    String outcome = "challenge-created";
    if (totp) {
      List<Long> creations = since(record.getChallengeCreations(), time - DAY.toMillis());
      if (overCreationLimit(factor, creations, time)) {
        return EntityDecision.refused(
            "rejected-60312",
            EntityDecider.rejected(
                c.getRequestId(), new ApiError(TwilioError.CHALLENGE_CREATION_LIMIT)));
      }
      creations.add(time);
      next.setChallengeCreations(creations);
      if (c.getTotpAttempt() != null) {
        Claim claim = claim(record, c.getTotpAttempt());
        next.setLastAcceptedStepStart(claim.lastAccepted()).setRecentAttempts(claim.recent());
        events.add(
            new ChallengeEvent(
                ChallengeTopic.RESPONSES,
                challenge.getSid(),
                attempt(challenge, c.getTotpAttempt(), claim.approved())));
        outcome = "challenge-created-" + claim.outcome();
      }
    }
    Map<String, FactorRecord> factors = new LinkedHashMap<>();
    if (totp) {
      factors.put(factor.getSid(), next.build());
    }
    EntityRecord nextEntity = entity;
    if (key != null) {
      keys.add(new IdempotencyEntry(key, challenge.getSid(), time));
      nextEntity = EntityRecord.newBuilder(entity).setIdempotencyKeys(keys).build();
    }
    return new EntityDecision(
        outcome,
        key != null,
        nextEntity,
        factors,
        List.of(),
        events,
        EntityDecider.accepted(c.getRequestId(), challenge.getSid()).build());
  }

  EntityDecision submitTotpAttempt(EntityState state, SubmitTotpAttempt c, long time) {
    TotpAttempt a = c.getAttempt();
    FactorRecord record = state.factors().get(c.getFactorSid());
    if (record == null) {
      return notFound(
          c.getRequestId(),
          EntityDecider.entityPath(c.getServiceSid(), c.getIdentity())
              + "/Factors/"
              + c.getFactorSid());
    }
    if (!EntityDecider.TOTP.equals(record.getFactor().getFactorType())) {
      return EntityDecision.refused(
          "rejected-not-totp",
          EntityDecider.rejected(
              c.getRequestId(), ApiError.invalidRequest("only a TOTP factor's steps are claimed")));
    }
    Claim claim = claim(record, a);
    VerificationAttempted attempt =
        VerificationAttempted.newBuilder()
            .setSid(a.getChallengeSid())
            .setServiceSid(c.getServiceSid())
            .setIdentity(c.getIdentity())
            .setFactorSid(c.getFactorSid())
            .setAttemptId(a.getAttemptId())
            .setAttemptAt(a.getAttemptAt())
            .setOutcome(claim.approved() ? AttemptOutcome.APPROVED : AttemptOutcome.WRONG_CODE)
            .setMetadata(nullIfEmpty(a.getMetadata()))
            .build();
    Map<String, FactorRecord> factors = new LinkedHashMap<>();
    factors.put(
        c.getFactorSid(),
        FactorRecord.newBuilder(record)
            .setLastAcceptedStepStart(claim.lastAccepted())
            .setRecentAttempts(claim.recent())
            .build());
    return new EntityDecision(
        claim.outcome(),
        false,
        null,
        factors,
        List.of(),
        List.of(new ChallengeEvent(ChallengeTopic.RESPONSES, a.getChallengeSid(), attempt)),
        EntityDecider.accepted(c.getRequestId(), a.getChallengeSid()).build());
  }

  EntityDecision requestNotification(EntityState state, RequestNotification c, long time) {
    NotificationRequested n = c.getNotification();
    FactorRecord record = state.factors().get(n.getFactorSid());
    if (record == null) {
      return notFound(
          c.getRequestId(),
          EntityDecider.entityPath(c.getServiceSid(), c.getIdentity())
              + "/Factors/"
              + n.getFactorSid());
    }
    List<NotificationCount> counts = new ArrayList<>();
    int sent = 0;
    for (NotificationCount count : record.getNotifications()) {
      if (count.getUntil() <= time) {
        continue; // its challenge is over: nothing more will be sent for it
      }
      if (count.getChallengeSid().equals(n.getSid())) {
        sent = count.getCount();
      } else {
        counts.add(count);
      }
    }
    if (sent >= MAX_NOTIFICATIONS_PER_CHALLENGE) {
      return EntityDecision.refused(
          "rejected-60309",
          EntityDecider.rejected(c.getRequestId(), ApiError.notificationsLimit()));
    }
    counts.add(
        new NotificationCount(n.getSid(), sent + 1, c.getChallengeDeadline().toEpochMilli()));
    Map<String, FactorRecord> factors = new LinkedHashMap<>();
    factors.put(n.getFactorSid(), FactorRecord.newBuilder(record).setNotifications(counts).build());
    return new EntityDecision(
        "notification-requested",
        false,
        null,
        factors,
        List.of(),
        List.of(new ChallengeEvent(ChallengeTopic.NOTIFICATIONS, n.getSid(), n)),
        EntityDecider.accepted(c.getRequestId(), n.getNotificationSid()).build());
  }

  /**
   * The claim of a TOTP attempt on its factor: the answer, and the factor's step and recent
   * attempts after it.
   */
  private record Claim(
      boolean approved, String outcome, long lastAccepted, List<RecentAttempt> recent) {}

  private static Claim claim(FactorRecord record, TotpAttempt a) {
    long last = record.getLastAcceptedStepStart();
    RecentAttempt seen = answered(record, a.getAttemptId());
    if (seen != null) {
      // It goes out again: a refusal that follows may answer this repeat of an approval, so the
      // step of a repeated attempt is never released.
      List<RecentAttempt> recent = new ArrayList<>();
      for (RecentAttempt r : record.getRecentAttempts()) {
        recent.add(r == seen ? RecentAttempt.newBuilder(r).setRepeated(true).build() : r);
      }
      return new Claim(seen.getClaimed(), "attempt-repeated", last, recent);
    }
    boolean approved;
    String outcome;
    long before = last;
    if (a.getAttemptAt().toEpochMilli() >= a.getDeadline().toEpochMilli()) {
      // The arbiter refuses a late attempt whatever it says; a step must not burn for it.
      approved = false;
      outcome = "late-attempt";
    } else {
      long latest = latestStep(a.getMatchedStepStarts());
      approved = latest >= 0 && latest > last;
      outcome = approved ? "step-claimed" : latest >= 0 ? "reused-step" : "wrong-code";
      if (approved) {
        last = latest;
      }
    }
    List<RecentAttempt> recent = new ArrayList<>(record.getRecentAttempts());
    recent.add(
        RecentAttempt.newBuilder()
            .setAttemptId(a.getAttemptId())
            .setClaimed(approved)
            .setClaimedStep(approved ? last : -1)
            .setStepBefore(approved ? before : -1)
            .build());
    return new Claim(approved, outcome, last, bounded(recent));
  }

  /**
   * The arbiter refused a TOTP attempt (the outcome relay read its {@code VerificationRejected}):
   * the step it claimed was accepted nowhere, so the factor gets it back, provided no later step
   * was accepted since (then the claimed one is behind it anyway) and, for an attempt that went out
   * more than once (retried before its refusal arrived), the refusal is not 60322: the arbiter
   * answers a repeated attempt id with its first answer, except the repeat of the attempt that
   * approved the challenge, which it answers 60322; so 60323, 60308 or 20404 on a repeated attempt
   * prove its first answer was that refusal too, while 60322 may hide an approval (the step stays
   * burned: fail closed). Anything else changes nothing: an attempt that claimed nothing, a push
   * attempt, one forgotten, a factor gone. No reply: nobody waits for it.
   */
  EntityDecision releaseTotpStep(EntityState state, ReleaseTotpStep c) {
    FactorRecord record = state.factors().get(c.getFactorSid());
    RecentAttempt seen = record == null ? null : answered(record, c.getRequestId());
    if (seen == null
        || !seen.getClaimed()
        || (seen.getRepeated() && mayAnswerARepeatedApproval(c.getCode()))
        || seen.getClaimedStep() < 0
        || record.getLastAcceptedStepStart() != seen.getClaimedStep()) {
      return new EntityDecision(
          "release-ignored", false, null, Map.of(), List.of(), List.of(), null);
    }
    List<RecentAttempt> recent = new ArrayList<>();
    for (RecentAttempt r : record.getRecentAttempts()) {
      // A retry of it from now on goes out as the wrong code it turned out to be.
      recent.add(
          r == seen ? RecentAttempt.newBuilder(r).setClaimed(false).setClaimedStep(-1).build() : r);
    }
    Map<String, FactorRecord> factors = new LinkedHashMap<>();
    factors.put(
        c.getFactorSid(),
        FactorRecord.newBuilder(record)
            .setLastAcceptedStepStart(seen.getStepBefore())
            .setRecentAttempts(recent)
            .build());
    return new EntityDecision("step-released", false, null, factors, List.of(), List.of(), null);
  }

  /** Whether the arbiter answers this code to the repeat of an attempt that approved. */
  private static boolean mayAnswerARepeatedApproval(int code) {
    return code == TwilioError.CHALLENGE_ALREADY_RESPONDED.code();
  }

  /**
   * The recent attempt of the factor with this id (a challenge attempt or a verification of the
   * factor: their ids are keyed apart), or null if none.
   */
  static RecentAttempt answered(FactorRecord record, String attemptId) {
    for (RecentAttempt r : record.getRecentAttempts()) {
      if (r.getAttemptId().equals(attemptId)) {
        return r;
      }
    }
    return null;
  }

  /**
   * {@code recent} with the attempt added, the oldest dropped beyond {@value #MAX_RECENT_ATTEMPTS}.
   */
  static List<RecentAttempt> remember(
      List<RecentAttempt> recent, String attemptId, boolean claimed) {
    List<RecentAttempt> next = new ArrayList<>(recent);
    next.add(RecentAttempt.newBuilder().setAttemptId(attemptId).setClaimed(claimed).build());
    return bounded(next);
  }

  private static List<RecentAttempt> bounded(List<RecentAttempt> recent) {
    while (recent.size() > MAX_RECENT_ATTEMPTS) {
      recent.remove(0);
    }
    return recent;
  }

  /** The latest matched step start, or -1 if the code matched none. */
  static long latestStep(List<Long> matchedStepStarts) {
    return matchedStepStarts.stream().mapToLong(Long::longValue).max().orElse(-1);
  }

  private static boolean overCreationLimit(FactorSnapshot factor, List<Long> lastDay, long time) {
    Integer length = factor.getTotpCodeLength();
    if (length != null && length <= SHORT_CODE_MAX_LENGTH) {
      return lastDay.size() >= SHORT_CODE_PER_DAY;
    }
    long lastHour = lastDay.stream().filter(t -> t > time - HOUR.toMillis()).count();
    return lastHour >= LONG_CODE_PER_HOUR || lastDay.size() >= LONG_CODE_PER_DAY;
  }

  private static VerificationAttempted attempt(
      ChallengeCreated challenge, TotpAttempt a, boolean approved) {
    return VerificationAttempted.newBuilder()
        .setSid(challenge.getSid())
        .setServiceSid(challenge.getServiceSid())
        .setIdentity(challenge.getIdentity())
        .setFactorSid(challenge.getFactorSid())
        .setAttemptId(a.getAttemptId())
        .setAttemptAt(a.getAttemptAt())
        .setOutcome(approved ? AttemptOutcome.APPROVED : AttemptOutcome.WRONG_CODE)
        .setMetadata(nullIfEmpty(a.getMetadata()))
        .build();
  }

  private static List<IdempotencyEntry> recentKeys(EntityRecord entity, long time) {
    List<IdempotencyEntry> keys = new ArrayList<>();
    if (entity != null) {
      long since = time - IDEMPOTENCY_RETENTION.toMillis();
      for (IdempotencyEntry k : entity.getIdempotencyKeys()) {
        if (k.getFirstAt() > since) {
          keys.add(k);
        }
      }
    }
    return keys;
  }

  private static List<Long> since(List<Long> times, long since) {
    List<Long> recent = new ArrayList<>();
    for (long t : times) {
      if (t > since) {
        recent.add(t);
      }
    }
    return recent;
  }

  private static Map<String, String> nullIfEmpty(Map<String, String> metadata) {
    return metadata == null || metadata.isEmpty() ? null : metadata;
  }

  private static String factorPath(String serviceSid, String identity, ChallengeCreated c) {
    return EntityDecider.entityPath(serviceSid, identity) + "/Factors/" + c.getFactorSid();
  }

  private static EntityDecision notFound(String requestId, String path) {
    return EntityDecision.refused(
        "rejected-20404", EntityDecider.rejected(requestId, ApiError.notFound(path)));
  }
}
