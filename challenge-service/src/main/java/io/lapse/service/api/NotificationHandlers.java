package io.lapse.service.api;

import io.javalin.http.Context;
import io.lapse.service.domain.Notifications;

/** {@code …/Challenges/{ChallengeSid}/Notifications}. */
final class NotificationHandlers {
  private static final int DEFAULT_TTL = 300;

  private final Notifications notifications;
  private final Representations json;

  NotificationHandlers(Notifications notifications, Representations json) {
    this.notifications = notifications;
    this.json = json;
  }

  void create(Context ctx) {
    int ttl = Form.body(ctx).optInt("Ttl", 0, 300).orElse(DEFAULT_TTL);
    Responses.json(
        ctx,
        201,
        json.notification(
            notifications.create(
                ctx.pathParam("serviceSid"),
                ctx.pathParam("identity"),
                ctx.pathParam("challengeSid"),
                ttl)));
  }
}
