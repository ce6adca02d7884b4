package io.lapse.service.api;

import io.javalin.http.Context;
import io.lapse.service.domain.PageRequest;
import io.lapse.service.domain.ServiceChanges;
import io.lapse.service.domain.Services;
import io.lapse.service.domain.SortKey;
import io.lapse.state.v1.ServiceSnapshot;
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

  ServiceHandlers(Services services, Representations json) {
    this.services = services;
    this.json = json;
  }

  void create(Context ctx) {
    Responses.json(ctx, 201, json.service(services.create(changes(Form.body(ctx)))));
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
    ServiceSnapshot s = services.update(ctx.pathParam("serviceSid"), changes(Form.body(ctx)));
    Responses.json(ctx, 200, json.service(s));
  }

  void delete(Context ctx) {
    services.delete(ctx.pathParam("serviceSid"));
    ctx.status(204);
  }

  private static ServiceChanges changes(Form form) {
    return ServiceParams.changes(form);
  }
}
