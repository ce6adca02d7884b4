package io.lapse.service.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import io.lapse.service.crypto.TotpAlgorithm;
import io.lapse.service.domain.AccessTokens;
import io.lapse.service.domain.ApiError;
import io.lapse.service.domain.FactorUpdate;
import io.lapse.service.domain.Factors;
import io.lapse.service.domain.Json;
import io.lapse.service.domain.NewFactor;
import io.lapse.service.domain.PageRequest;
import io.lapse.service.domain.SortKey;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** {@code …/Entities/{Identity}/Factors[/{FactorSid}]}. */
final class FactorHandlers {
  private final Factors factors;
  private final AccessTokens accessTokens;
  private final Representations json;
  private final WaitedAnswers waited;

  FactorHandlers(
      Factors factors, AccessTokens accessTokens, Representations json, WaitedAnswers waited) {
    this.factors = factors;
    this.accessTokens = accessTokens;
    this.json = json;
    this.waited = waited;
  }

  void create(Context ctx) {
    Form form = Form.body(ctx);
    NewFactor req =
        new NewFactor(
            form.required("FriendlyName", 64),
            form.required("FactorType", 16).toLowerCase(Locale.ROOT),
            form.opt("Binding.Alg"),
            form.opt("Binding.PublicKey", 1024),
            form.opt("Binding.Secret", 256),
            form.opt("Config.AppId", 100),
            form.opt("Config.NotificationPlatform"),
            notificationToken(form),
            form.opt("Config.SdkVersion", 64),
            form.optInt("Config.TimeStep", 20, 60),
            form.optInt("Config.Skew", 0, 2),
            form.optInt("Config.CodeLength", 3, 8),
            totpAlg(form),
            form.opt("Metadata").map(m -> Json.stringMap("Metadata", m, 1024)).orElse(null));
    // An access token's enrolment: the factor's SID comes from the token (AccessTokens).
    Optional<Factors.Enrolment> enrolment =
        BasicAuth.accessGrant(ctx)
            .map(g -> new Factors.Enrolment(g.sid(), accessTokens.factorSidFor(g)));
    String serviceSid = ctx.pathParam("serviceSid");
    String identity = ctx.pathParam("identity");
    waited.answer(
        ctx,
        () -> factors.create(serviceSid, identity, req, enrolment),
        f -> Responses.json(ctx, 201, json.createdFactor(f)));
  }

  void fetch(Context ctx) {
    Responses.json(
        ctx,
        200,
        json.factor(
            factors.get(
                ctx.pathParam("serviceSid"),
                ctx.pathParam("identity"),
                ctx.pathParam("factorSid"))));
  }

  void list(Context ctx) {
    String serviceSid = ctx.pathParam("serviceSid");
    String identity = ctx.pathParam("identity");
    PageRequest request = Responses.pageRequest(Form.query(ctx));
    Responses.json(
        ctx,
        200,
        PageEnvelope.render(
            "factors",
            json.urls().factors(serviceSid, identity),
            Map.of(),
            request,
            factors.list(serviceSid, identity, request),
            json::factor,
            f -> SortKey.of(f.getCreatedAt(), f.getSid())));
  }

  void update(Context ctx) {
    Form form = Form.body(ctx);
    FactorUpdate req =
        new FactorUpdate(
            form.opt("AuthPayload", 512),
            form.opt("FriendlyName", 64),
            notificationToken(form),
            form.opt("Config.SdkVersion", 64),
            form.opt("Config.NotificationPlatform"),
            form.optInt("Config.TimeStep", 20, 60),
            form.optInt("Config.Skew", 0, 2),
            form.optInt("Config.CodeLength", 3, 8),
            totpAlg(form));
    String serviceSid = ctx.pathParam("serviceSid");
    String identity = ctx.pathParam("identity");
    String factorSid = ctx.pathParam("factorSid");
    waited.answer(
        ctx,
        () -> factors.update(serviceSid, identity, factorSid, req),
        f -> Responses.json(ctx, 200, json.factor(f)));
  }

  void delete(Context ctx) {
    String serviceSid = ctx.pathParam("serviceSid");
    String identity = ctx.pathParam("identity");
    String factorSid = ctx.pathParam("factorSid");
    waited.answer(ctx, () -> factors.delete(serviceSid, identity, factorSid), v -> ctx.status(204));
  }

  private static Optional<String> notificationToken(Form form) {
    Optional<String> token = form.opt("Config.NotificationToken", 255);
    if (token.isPresent() && token.get().length() < 32) {
      throw ApiError.invalidParam("Config.NotificationToken", "must be 32 to 255 characters");
    }
    return token;
  }

  private static Optional<String> totpAlg(Form form) {
    return form.opt("Config.Alg")
        .map(
            a ->
                TotpAlgorithm.fromTwilioName(a)
                    .orElseThrow(
                        () -> ApiError.invalidParam("Config.Alg", "must be sha1, sha256 or sha512"))
                    .twilioName());
  }

  /**
   * {@code POST /v2/Lapse/Reseal}: re-seals every TOTP seed under the newest key (account only).
   */
  void reseal(Context ctx) {
    waited.answer(
        ctx,
        factors::resealAll,
        r -> {
          ObjectNode body = Json.object();
          body.put("key_id", r.keyId());
          body.put("resealed", r.resealed());
          body.put("already_current", r.alreadyCurrent());
          body.put("failed", r.failed());
          Responses.json(ctx, 200, body);
        });
  }
}
