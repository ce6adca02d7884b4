package io.lapse.service.api;

import io.javalin.http.Context;
import io.lapse.service.domain.Notifications;

/** {@code …/Challenges/{ChallengeSid}/Notifications}. */
final class NotificationHandlers {
  private static final int DEFAULT_TTL = 300;

  private final Notifications notifications;
  private final Representations json;
  private final WaitedAnswers waited;

  NotificationHandlers(Notifications notifications, Representations json, WaitedAnswers waited) {
    this.notifications = notifications;
    this.json = json;
    this.waited = waited;
  }

  void create(Context ctx) {
    int ttl = Form.body(ctx).optInt("Ttl", 0, 300).orElse(DEFAULT_TTL);
    String serviceSid = ctx.pathParam("serviceSid");
    String identity = ctx.pathParam("identity");
    String challengeSid = ctx.pathParam("challengeSid");
    waited.answer(
        ctx,
        () -> notifications.create(serviceSid, identity, challengeSid, ttl),
        n -> Responses.json(ctx, 201, json.notification(n)));
  }
}
