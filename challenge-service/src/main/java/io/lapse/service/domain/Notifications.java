package io.lapse.service.domain;

import io.lapse.events.v1.ChallengeCreated;
import io.lapse.events.v1.NotificationRequested;
import io.lapse.state.v1.FactorSnapshot;
import java.time.Clock;
import java.time.Instant;

/**
 * Push notifications for pending challenges: checks the limits and publishes a
 * NotificationRequested for a push-delivery service. The count per challenge comes from the view
 * (it follows challenge-notifications), so it survives restarts.
 */
public final class Notifications {
  static final int MAX_PER_CHALLENGE = 3;
  private static final int LOCK_STRIPES = 64;

  private final Catalog catalog;
  private final ChallengeView view;
  private final Challenges challenges;
  private final ChallengeLog log;
  private final Clock clock;
  private final StripedLocks locks = new StripedLocks(LOCK_STRIPES);

  public Notifications(
      Catalog catalog, ChallengeView view, Challenges challenges, ChallengeLog log, Clock clock) {
    this.catalog = catalog;
    this.view = view;
    this.challenges = challenges;
    this.log = log;
    this.clock = clock;
  }

  public NotificationRequested create(
      String serviceSid, String identity, String challengeSid, int ttlSeconds) {
    ChallengeCreated c = challenges.get(serviceSid, identity, challengeSid).created();
    FactorSnapshot factor = Lookups.factor(catalog, serviceSid, identity, c.getFactorSid());
    if (!Factors.PUSH.equals(factor.getFactorType())
        || "none".equals(factor.getNotificationPlatform())) {
      throw ApiError.pushNotAllowedForPlatformNone();
    }
    // One challenge's check-and-publish is serialized so the limit holds on this instance.
    return locks.withLock(challengeSid, () -> checkAndPublish(c, factor, ttlSeconds));
  }

  private NotificationRequested checkAndPublish(
      ChallengeCreated c, FactorSnapshot factor, int ttlSeconds) {
    ViewedChallenge current = view.get(c.getSid()).orElseThrow();
    Instant now = clock.instant();
    switch (current.statusAt(now)) {
      case EXPIRED -> throw ApiError.challengeExpired();
      case APPROVED, DENIED -> throw ApiError.challengeAlreadyResponded();
      case PENDING -> {}
    }
    if (current.notificationSids().size() >= MAX_PER_CHALLENGE) {
      throw ApiError.notificationsLimit();
    }
    NotificationRequested event =
        NotificationRequested.newBuilder()
            .setSid(c.getSid())
            .setNotificationSid(Sids.random(Sids.NOTIFICATION))
            .setAccountSid(c.getAccountSid())
            .setServiceSid(c.getServiceSid())
            .setEntitySid(c.getEntitySid())
            .setIdentity(c.getIdentity())
            .setFactorSid(c.getFactorSid())
            .setRequestedAt(now)
            .setTtlSeconds(ttlSeconds)
            .setPriority("high")
            .setMessage(c.getDetailsMessage())
            .setNotificationPlatform(factor.getNotificationPlatform())
            .setNotificationToken(factor.getNotificationToken())
            .build();
    log.publishNotification(event);
    view.applyNotification(event);
    return event;
  }
}
