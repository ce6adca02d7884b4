package io.lapse.service.api;

import io.javalin.Javalin;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import io.lapse.service.decision.EntityState;
import io.lapse.service.domain.MissedReads;
import io.lapse.service.routing.OwnerRouter;
import java.util.List;
import java.util.Optional;

/**
 * The route table: every API path in one place, exactly as Twilio Verify v2 spells it. Handlers
 * parse the request, call the domain and render.
 */
final class Routes {
  /** One row of the table. */
  record Route(HandlerType method, String path, Handler handler) {}

  static final String SERVICES = "/v2/Services";
  static final String SERVICE = SERVICES + "/{serviceSid}";
  static final String ENTITIES = SERVICE + "/Entities";
  static final String ENTITY = ENTITIES + "/{identity}";
  static final String FACTORS = ENTITY + "/Factors";
  static final String FACTOR = FACTORS + "/{factorSid}";
  static final String CHALLENGES = ENTITY + "/Challenges";
  static final String CHALLENGE = CHALLENGES + "/{challengeSid}";
  static final String NOTIFICATIONS = CHALLENGE + "/Notifications";
  static final String ACCESS_TOKENS = SERVICE + "/AccessTokens";
  static final String ACCESS_TOKEN = ACCESS_TOKENS + "/{accessTokenSid}";
  static final String WEBHOOKS = SERVICE + "/Webhooks";
  static final String WEBHOOK = WEBHOOKS + "/{sid}";

  /**
   * Lapse's own: re-seal every TOTP seed under the newest LAPSE_SECRET_KEY (README, Security).
   * Under /v2 so the account's authentication covers it; no device or access token may call it.
   */
  static final String RESEAL = "/v2/Lapse/Reseal";

  private Routes() {}

  static List<Route> table(
      ServiceHandlers services,
      EntityHandlers entities,
      FactorHandlers factors,
      ChallengeHandlers challenges,
      NotificationHandlers notifications,
      AccessTokenHandlers accessTokens,
      WebhookHandlers webhooks) {
    return List.of(
        new Route(HandlerType.POST, SERVICES, services::create),
        new Route(HandlerType.GET, SERVICES, services::list),
        new Route(HandlerType.GET, SERVICE, services::fetch),
        new Route(HandlerType.POST, SERVICE, services::update),
        new Route(HandlerType.DELETE, SERVICE, services::delete),
        new Route(HandlerType.POST, ENTITIES, entities::create),
        new Route(HandlerType.GET, ENTITIES, entities::list),
        new Route(HandlerType.GET, ENTITY, entities::fetch),
        new Route(HandlerType.DELETE, ENTITY, entities::delete),
        new Route(HandlerType.POST, FACTORS, factors::create),
        new Route(HandlerType.GET, FACTORS, factors::list),
        new Route(HandlerType.GET, FACTOR, factors::fetch),
        new Route(HandlerType.POST, FACTOR, factors::update),
        new Route(HandlerType.DELETE, FACTOR, factors::delete),
        new Route(HandlerType.POST, CHALLENGES, challenges::create),
        new Route(HandlerType.GET, CHALLENGES, challenges::list),
        new Route(HandlerType.GET, CHALLENGE, challenges::fetch),
        new Route(HandlerType.POST, CHALLENGE, challenges::update),
        new Route(HandlerType.POST, NOTIFICATIONS, notifications::create),
        new Route(HandlerType.POST, ACCESS_TOKENS, accessTokens::create),
        new Route(HandlerType.GET, ACCESS_TOKEN, accessTokens::fetch),
        new Route(HandlerType.POST, WEBHOOKS, webhooks::create),
        new Route(HandlerType.GET, WEBHOOKS, webhooks::list),
        new Route(HandlerType.GET, WEBHOOK, webhooks::fetch),
        new Route(HandlerType.POST, WEBHOOK, webhooks::update),
        new Route(HandlerType.DELETE, WEBHOOK, webhooks::delete),
        new Route(HandlerType.POST, RESEAL, factors::reseal));
  }

  /**
   * Installs the table; every GET finds what another instance just wrote ({@link SyncOnMiss}), and
   * with a {@code router}, every request about one entity runs on its owner.
   */
  static void install(Javalin app, List<Route> table, MissedReads misses, OwnerRouter router) {
    table.forEach(
        r -> {
          Handler h =
              r.method() == HandlerType.GET ? SyncOnMiss.wrap(r.handler(), misses) : r.handler();
          app.addHttpHandler(r.method(), r.path(), router == null ? h : routed(r, h, router));
        });
  }

  /** Entity routes by the path's identity, an entity's create by its {@code Identity}. */
  private static Handler routed(Route r, Handler h, OwnerRouter router) {
    if (r.path().startsWith(ENTITY)) {
      return router.route(
          ctx ->
              Optional.of(
                  EntityState.entityKey(ctx.pathParam("serviceSid"), ctx.pathParam("identity"))),
          h);
    }
    if (r.path().equals(ENTITIES) && r.method() == HandlerType.POST) {
      return router.route(
          ctx ->
              Form.body(ctx)
                  .opt("Identity")
                  .map(identity -> EntityState.entityKey(ctx.pathParam("serviceSid"), identity)),
          h);
    }
    return h;
  }
}
