package io.lapse.service.domain;

import io.lapse.commands.v1.RequestNotification;
import io.lapse.events.v1.ChallengeCreated;
import io.lapse.events.v1.NotificationRequested;
import io.lapse.service.decision.EntityDecider;
import io.lapse.state.v1.FactorSnapshot;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;

/**
 * Push notifications for pending challenges: checks what it can alone (a push factor with a
 * platform, a challenge still pending on this instance's view), then has the entity task decide the
 * limit of {@value #MAX_PER_CHALLENGE} per challenge (60309) and publish the NotificationRequested
 * for a push-delivery service (docs/decisions/0008-single-writers-on-the-log.md).
 */
public final class Notifications {
  static final int MAX_PER_CHALLENGE = EntityDecider.MAX_NOTIFICATIONS_PER_CHALLENGE;

  private final Catalog catalog;
  private final ChallengeView view;
  private final Challenges challenges;
  private final EntityWriter writer;
  private final Clock clock;

  public Notifications(
      Catalog catalog,
      ChallengeView view,
      Challenges challenges,
      EntityWriter writer,
      Clock clock) {
    this.catalog = catalog;
    this.view = view;
    this.challenges = challenges;
    this.writer = writer;
    this.clock = clock;
  }

  /**
   * Requests a notification; completes once the entity task accepted it (no thread waits), or fails
   * with its refusal.
   *
   * @throws ApiError a refusal decided here at once (not pending, no platform, too many waiting)
   */
  public CompletableFuture<NotificationRequested> create(
      String serviceSid, String identity, String challengeSid, int ttlSeconds) {
    ViewedChallenge current = challenges.get(serviceSid, identity, challengeSid);
    ChallengeCreated c = current.created();
    FactorSnapshot factor = Lookups.factor(catalog, serviceSid, identity, c.getFactorSid());
    if (!Factors.PUSH.equals(factor.getFactorType())
        || "none".equals(factor.getNotificationPlatform())) {
      throw ApiError.pushNotAllowedForPlatformNone();
    }
    Instant now = clock.instant();
    switch (current.statusAt(now)) {
      case EXPIRED -> throw ApiError.challengeExpired();
      case APPROVED, DENIED -> throw ApiError.challengeAlreadyResponded();
      case PENDING -> {}
    }
    // A cheap refusal when this instance already knows the limit is reached; the task decides.
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
    String requestId = EntityWriter.newRequestId();
    RequestNotification command =
        RequestNotification.newBuilder()
            .setRequestId(requestId)
            .setIssuedAt(now)
            .setServiceSid(serviceSid)
            .setIdentity(identity)
            .setChallengeDeadline(c.getExpirationDate())
            .setNotification(event)
            .build();
    return writer.admit(
        () ->
            writer
                .decide(serviceSid, identity, requestId, command)
                .thenApply(
                    reply -> {
                      view.applyNotification(event);
                      return event;
                    }));
  }
}
