package io.lapse.service.api;

import io.javalin.http.Context;
import io.lapse.service.domain.ApiError;
import io.lapse.service.domain.PageRequest;
import io.lapse.service.domain.SortKey;
import io.lapse.service.domain.WebhookChanges;
import io.lapse.service.domain.Webhooks;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code /v2/Services/{ServiceSid}/Webhooks[/{Sid}]}: Twilio's parameters ({@code FriendlyName},
 * {@code EventTypes} repeated, {@code WebhookUrl}, {@code Status}, {@code Version}), checked here
 * so that nothing malformed is stored or later called. Writes are answered once durable, without
 * holding the request thread ({@link WaitedAnswers}).
 */
final class WebhookHandlers {
  /** Long enough for any real endpoint, short enough to keep snapshots and logs small. */
  static final int MAX_URL_LENGTH = 2048;

  static final int MAX_FRIENDLY_NAME_LENGTH = 64;

  private final Webhooks webhooks;
  private final Representations json;
  private final WaitedAnswers waited;

  WebhookHandlers(Webhooks webhooks, Representations json, WaitedAnswers waited) {
    this.webhooks = webhooks;
    this.json = json;
    this.waited = waited;
  }

  void create(Context ctx) {
    String serviceSid = ctx.pathParam("serviceSid");
    WebhookChanges changes = changes(Form.body(ctx));
    waited.answer(
        ctx,
        () -> webhooks.create(serviceSid, changes),
        w -> Responses.json(ctx, 201, json.webhook(w)));
  }

  void fetch(Context ctx) {
    Responses.json(
        ctx, 200, json.webhook(webhooks.get(ctx.pathParam("serviceSid"), ctx.pathParam("sid"))));
  }

  void list(Context ctx) {
    String serviceSid = ctx.pathParam("serviceSid");
    PageRequest request = Responses.pageRequest(Form.query(ctx));
    Responses.json(
        ctx,
        200,
        PageEnvelope.render(
            "webhooks",
            json.urls().webhooks(serviceSid),
            Map.of(),
            request,
            webhooks.list(serviceSid, request),
            json::webhook,
            w -> SortKey.of(w.getCreatedAt(), w.getSid())));
  }

  void update(Context ctx) {
    String serviceSid = ctx.pathParam("serviceSid");
    String sid = ctx.pathParam("sid");
    WebhookChanges changes = changes(Form.body(ctx));
    waited.answer(
        ctx,
        () -> webhooks.update(serviceSid, sid, changes),
        w -> Responses.json(ctx, 200, json.webhook(w)));
  }

  void delete(Context ctx) {
    String serviceSid = ctx.pathParam("serviceSid");
    String sid = ctx.pathParam("sid");
    waited.answer(ctx, () -> webhooks.delete(serviceSid, sid), v -> ctx.status(204));
  }

  private static WebhookChanges changes(Form form) {
    form.opt("WebhookMethod")
        .filter(m -> !Webhooks.POST.equals(m.toUpperCase(Locale.ROOT)))
        .ifPresent(
            m -> {
              throw ApiError.invalidParam("WebhookMethod", "must be POST");
            });
    return new WebhookChanges(
        form.opt("FriendlyName", MAX_FRIENDLY_NAME_LENGTH).map(WebhookHandlers::notBlank),
        eventTypes(form.all("EventTypes")),
        form.opt("WebhookUrl", MAX_URL_LENGTH).map(WebhookHandlers::url),
        oneOf(form, "Status", Webhooks.STATUSES),
        oneOf(form, "Version", Webhooks.VERSIONS));
  }

  private static String notBlank(String name) {
    if (name.isBlank()) {
      throw ApiError.invalidParam("FriendlyName", "must not be blank");
    }
    return name;
  }

  /** Each value a known event type; repeats dropped, order kept. */
  private static List<String> eventTypes(List<String> given) {
    Set<String> types = new LinkedHashSet<>();
    for (String t : given) {
      String type = t.trim();
      if (!Webhooks.EVENT_TYPES.contains(type)) {
        throw ApiError.invalidParam(
            "EventTypes",
            "'" + type + "' is not one of " + String.join(", ", Webhooks.EVENT_TYPES));
      }
      types.add(type);
    }
    return new ArrayList<>(types);
  }

  /**
   * An absolute http(s) URL with a host and no user info: the dispatcher posts to it as given and
   * signs exactly this string.
   */
  static String url(String value) {
    URI uri;
    try {
      uri = new URI(value);
    } catch (URISyntaxException e) {
      throw ApiError.invalidParam("WebhookUrl", "must be an absolute http or https URL");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!(scheme.equals("http") || scheme.equals("https"))
        || uri.getHost() == null
        || uri.getRawUserInfo() != null
        || uri.getRawFragment() != null) {
      throw ApiError.invalidParam(
          "WebhookUrl", "must be an absolute http or https URL with a host, no user info or #");
    }
    return value;
  }

  private static Optional<String> oneOf(Form form, String name, Set<String> allowed) {
    Optional<String> v = form.opt(name);
    if (v.isPresent() && !allowed.contains(v.get())) {
      throw ApiError.invalidParam(
          name, "must be one of " + String.join(", ", allowed.stream().sorted().toList()));
    }
    return v;
  }
}
