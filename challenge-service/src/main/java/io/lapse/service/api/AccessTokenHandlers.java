package io.lapse.service.api;

import io.javalin.http.Context;
import io.lapse.service.domain.AccessTokens;
import io.lapse.service.domain.ApiError;
import io.lapse.service.domain.Factors;
import java.util.Locale;

/** {@code …/Services/{ServiceSid}/AccessTokens[/{Sid}]}: enrolment tokens for the mobile SDKs. */
final class AccessTokenHandlers {
  private final AccessTokens tokens;
  private final Representations json;

  AccessTokenHandlers(AccessTokens tokens, Representations json) {
    this.tokens = tokens;
    this.json = json;
  }

  void create(Context ctx) {
    Form form = Form.body(ctx);
    String identity = form.required("Identity", 64);
    String factorType = form.required("FactorType", 16).toLowerCase(Locale.ROOT);
    // The spec's only access-token factor type: TOTP factors are made by the backend itself.
    if (!Factors.PUSH.equals(factorType)) {
      throw ApiError.invalidParam("FactorType", "must be push");
    }
    int ttl =
        form.optInt("Ttl", AccessTokens.MIN_TTL, AccessTokens.MAX_TTL)
            .orElse(AccessTokens.DEFAULT_TTL);
    Responses.json(
        ctx,
        201,
        json.accessToken(
            tokens.create(
                ctx.pathParam("serviceSid"),
                identity,
                factorType,
                form.opt("FactorFriendlyName", 64).orElse(null),
                ttl)));
  }

  void fetch(Context ctx) {
    Responses.json(
        ctx,
        200,
        json.accessToken(tokens.get(ctx.pathParam("serviceSid"), ctx.pathParam("accessTokenSid"))));
  }
}
