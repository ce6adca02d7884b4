package io.lapse.service.api;

import io.javalin.http.Context;
import io.lapse.service.domain.PageRequest;
import io.lapse.service.domain.ServiceChanges;
import io.lapse.service.domain.Services;
import io.lapse.service.domain.SortKey;
import java.util.Map;

/**
 * {@code /v2/Services[/{ServiceSid}]}, with Twilio's parameters and the Lapse extension parameters
 * of a strict policy ({@link StrictPolicy}).
 */
final class ServiceHandlers {
  static final String LAPSE_MAX_CHALLENGE_LIFETIME = ServiceParams.LAPSE_MAX_CHALLENGE_LIFETIME;
  static final String LAPSE_MAX_TOTP_SKEW = ServiceParams.LAPSE_MAX_TOTP_SKEW;

  private final Services services;
  private final Representations json;
  private final WaitedAnswers waited;

  ServiceHandlers(Services services, Representations json, WaitedAnswers waited) {
    this.services = services;
    this.json = json;
    this.waited = waited;
  }

  void create(Context ctx) {
    ServiceChanges changes = changes(Form.body(ctx));
    waited.answer(
        ctx, () -> services.create(changes), s -> Responses.json(ctx, 201, json.service(s)));
  }

  void fetch(Context ctx) {
    Responses.json(ctx, 200, json.service(services.get(ctx.pathParam("serviceSid"))));
  }

  void list(Context ctx) {
    PageRequest request = Responses.pageRequest(Form.query(ctx));
    Responses.json(
        ctx,
        200,
        PageEnvelope.render(
            "services",
            json.urls().services(),
            Map.of(),
            request,
            services.list(request),
            json::service,
            s -> SortKey.of(s.getCreatedAt(), s.getSid())));
  }

  void update(Context ctx) {
    String sid = ctx.pathParam("serviceSid");
    ServiceChanges changes = changes(Form.body(ctx));
    waited.answer(
        ctx, () -> services.update(sid, changes), s -> Responses.json(ctx, 200, json.service(s)));
  }

  void delete(Context ctx) {
    String sid = ctx.pathParam("serviceSid");
    waited.answer(ctx, () -> services.delete(sid), v -> ctx.status(204));
  }

  private static ServiceChanges changes(Form form) {
    return ServiceParams.changes(form);
  }
}
