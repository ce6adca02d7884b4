package io.lapse.service.api;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.lapse.service.crypto.ApiKeys;
import io.lapse.service.domain.Domain;
import io.lapse.service.routing.Forwarder;
import io.lapse.service.routing.InternalAuth;
import io.lapse.service.routing.OwnerRouter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import jakarta.servlet.DispatcherType;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.eclipse.jetty.servlet.FilterHolder;

/**
 * The HTTP server: the Twilio-compatible API under {@code /v2} (Basic auth), plus unauthenticated
 * {@code /health}, {@code /metrics} (Prometheus) and the static authenticator page ({@link
 * AuthenticatorPage}) on the same port. Every answer carries a {@code Date} header and every
 * request is timed per route.
 *
 * <p>A request passes, in order: the body cap ({@link BodySizeFilter}, 413), authentication ({@link
 * BasicAuth}, 401), and once its route is matched, the body type ({@link FormContentType}, 415) and
 * a device token's or access token's scope ({@link DeviceScope}, {@link AccessTokenScope}, 401).
 * What Jetty refuses before that is answered in the same Twilio shape ({@link JettyErrorHandler}).
 */
public final class HttpApi {
  /**
   * The largest request body read, in bytes. The largest legitimate one, a push approval JWS or a
   * challenge with twenty detail fields, is a few kilobytes even URL-encoded.
   */
  public static final int MAX_BODY_BYTES = 64 * 1024;

  /**
   * What the server needs besides the domain.
   *
   * @param publicBaseUrl base of the absolute URLs in answers; null for {@code http://host:port} of
   *     the bound server
   */
  public record Settings(
      String accountSid, String authToken, String publicBaseUrl, Clock clock, ApiKeys apiKeys) {
    /** Without API keys. */
    public Settings(String accountSid, String authToken, String publicBaseUrl, Clock clock) {
      this(accountSid, authToken, publicBaseUrl, clock, ApiKeys.none());
    }
  }

  /**
   * How this listener takes part in a cluster of instances (docs/decisions/0009).
   *
   * @param instanceId named in every answer's {@value OwnerRouter#SERVED_BY} header
   * @param router runs entity routes on their owner
   * @param gate for the internal listener: every request must carry a valid {@value
   *     InternalAuth#HEADER}; null for the public one
   * @param publicBaseUrl for the internal listener without a configured public base URL: the
   *     instance's public listener, whose URLs its answers show (never the internal address, which
   *     no client can call); null for the public one
   */
  public record Cluster(
      String instanceId, OwnerRouter router, InternalAuth gate, Supplier<String> publicBaseUrl) {}

  private final Javalin app;
  private volatile String boundBaseUrl;

  private HttpApi(Javalin app) {
    this.app = app;
  }

  /**
   * Builds the server (not started).
   *
   * @param ready whether the instance has caught up and may serve (for {@code /health})
   */
  public static HttpApi create(
      Domain domain, Settings settings, PrometheusMeterRegistry metrics, BooleanSupplier ready) {
    return create(domain, settings, metrics, ready, null);
  }

  /**
   * Builds one listener of an instance among others (not started): entity routes run on their
   * owner.
   *
   * @param cluster null for an instance on its own (every route served here)
   */
  public static HttpApi create(
      Domain domain,
      Settings settings,
      PrometheusMeterRegistry metrics,
      BooleanSupplier ready,
      Cluster cluster) {
    HttpApi[] self = new HttpApi[1];
    Representations json =
        new Representations(
            new Urls(
                () ->
                    settings.publicBaseUrl() != null
                        ? settings.publicBaseUrl()
                        : cluster != null && cluster.publicBaseUrl() != null
                            ? cluster.publicBaseUrl().get()
                            : self[0].boundBaseUrl));
    Javalin app =
        Javalin.create(
            config -> {
              config.showJavalinBanner = false;
              config.router.ignoreTrailingSlashes = true;
              // A known path with another method is "method not allowed", as at Twilio.
              config.http.prefer405over404 = true;
              config.jetty.modifyServer(server -> server.setErrorHandler(new JettyErrorHandler()));
              config.jetty.modifyServletContextHandler(
                  handler -> {
                    handler.setErrorHandler(new JettyErrorHandler());
                    handler.addFilter(
                        new FilterHolder(new BodySizeFilter(MAX_BODY_BYTES)),
                        "/*",
                        EnumSet.of(DispatcherType.REQUEST));
                  });
              // Timers only: a logged request line, header or body would carry the auth token,
              // device tokens and codes.
              String timer =
                  cluster != null && cluster.gate() != null
                      ? "lapse.http.internal.requests"
                      : "lapse.http.server.requests";
              config.requestLogger.http((ctx, ms) -> record(metrics, timer, ctx, ms));
              if (cluster == null || cluster.gate() == null) {
                // The public listener's page; the internal one serves forwarded API requests only.
                AuthenticatorPage.install(config);
              }
            });
    DateTimeFormatter rfc1123 = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);
    app.before(ctx -> ctx.header("Date", rfc1123.format(settings.clock().instant())));
    if (cluster != null) {
      app.before(ctx -> ctx.header(OwnerRouter.SERVED_BY, cluster.instanceId()));
      if (cluster.gate() != null) {
        app.before(
            ctx ->
                cluster
                    .gate()
                    .verify(
                        ctx.header(InternalAuth.HEADER),
                        ctx.method().name(),
                        Forwarder.Request.of(ctx).target(),
                        ctx.bodyAsBytes()));
      }
    }
    app.before(PathEncoding::check);
    BasicAuth auth =
        new BasicAuth(
            settings.accountSid(),
            settings.authToken(),
            settings.apiKeys(),
            new DeviceAuth(domain.catalog(), settings.accountSid(), settings.clock()),
            domain.accessTokens());
    app.before("/v2/*", auth::check);
    DeviceScope deviceScope = new DeviceScope(domain.challenges());
    app.beforeMatched(
        "/v2/*",
        ctx -> {
          FormContentType.check(ctx);
          BasicAuth.deviceFactor(ctx).ifPresent(f -> deviceScope.authorize(ctx, f));
          BasicAuth.accessGrant(ctx).ifPresent(g -> AccessTokenScope.authorize(ctx, g));
        });
    WaitedAnswers waited = new WaitedAnswers(domain.misses().executor());
    List<Routes.Route> table =
        Routes.table(
            new ServiceHandlers(domain.services(), json, waited),
            new EntityHandlers(domain.entities(), json, waited),
            new FactorHandlers(domain.factors(), domain.accessTokens(), json, waited),
            new ChallengeHandlers(
                domain.challenges(),
                domain.challengeCreation(),
                domain.challengeVerification(),
                json,
                domain.misses().executor()),
            new NotificationHandlers(domain.notifications(), json, waited),
            new AccessTokenHandlers(domain.accessTokens(), json),
            new WebhookHandlers(domain.webhooks(), json, waited));
    Routes.install(app, table, domain.misses(), cluster == null ? null : cluster.router());
    app.get(
        "/health",
        ctx -> {
          boolean up = ready.getAsBoolean();
          ctx.status(up ? 200 : 503)
              .contentType(Responses.JSON)
              .result(up ? "{\"status\":\"UP\"}" : "{\"status\":\"DOWN\"}");
        });
    app.get(
        "/metrics",
        ctx ->
            ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape()));
    ErrorMapper.install(app);
    self[0] = new HttpApi(app);
    return self[0];
  }

  private static void record(PrometheusMeterRegistry metrics, String timer, Context ctx, Float ms) {
    String route;
    try {
      route = ctx.endpointHandlerPath();
    } catch (RuntimeException e) {
      // No endpoint: the authenticator page's static files (one label for all), or a 404.
      route = AuthenticatorPage.serves(ctx.path()) ? AuthenticatorPage.PATH : "unmatched";
    }
    if (route.equals("/metrics") || route.equals("/health")) {
      return;
    }
    Timer.builder(timer)
        .description("HTTP request latency per route")
        .tag("method", ctx.method().name())
        .tag("route", route)
        .tag("status", Integer.toString(ctx.statusCode()))
        .publishPercentileHistogram()
        .register(metrics)
        .record((long) (ms * 1_000_000L), TimeUnit.NANOSECONDS);
  }

  /** Starts listening; port 0 picks a free one. */
  public HttpApi start(String host, int port) {
    app.start(host, port);
    boundBaseUrl = "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + app.port();
    return this;
  }

  /** {@code http://host:port} of the bound server. */
  public String baseUrl() {
    return boundBaseUrl;
  }

  /** The bound port. */
  public int port() {
    return app.port();
  }

  public void stop() {
    app.stop();
  }
}
