package io.lapse.service.api;

import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.lapse.contract.TwilioError;
import io.lapse.service.domain.AccessTokens;
import io.lapse.service.domain.ApiError;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an enrolment access token may do: the one call the Verify mobile SDKs make with it, {@code
 * POST …/Entities/{Identity}/Factors} for the token's service and identity with the token's factor
 * type (Android {@code FactorAPIClient.create}, iOS {@code FactorAPIClient.create}). The request is
 * judged on the route it matched, never on a prefix of its path; everything else is refused like a
 * bad token: 401 with Twilio's {@link TwilioError#AUTHENTICATION_FAILED}. That the token enrols
 * only once is the entity task's rule (60313), since it must hold across instances.
 */
final class AccessTokenScope {
  private static final Logger LOG = LoggerFactory.getLogger(AccessTokenScope.class);

  private AccessTokenScope() {}

  static void authorize(Context ctx, AccessTokens.Grant grant) {
    Optional<String> refusal = refusal(ctx, grant);
    if (refusal.isPresent()) {
      LOG.info(
          "Access token {} refused for {} {}: {}",
          grant.sid(),
          ctx.method(),
          ctx.endpointHandlerPath(),
          refusal.get());
      ctx.header("WWW-Authenticate", BasicAuth.CHALLENGE);
      throw new ApiError(TwilioError.AUTHENTICATION_FAILED);
    }
  }

  private static Optional<String> refusal(Context ctx, AccessTokens.Grant grant) {
    if (ctx.path().endsWith("/") || ctx.path().contains("//")) {
      return Optional.of("not a path the SDKs send");
    }
    if (ctx.method() != HandlerType.POST || !Routes.FACTORS.equals(ctx.endpointHandlerPath())) {
      return Optional.of("an access token only enrols a factor");
    }
    Map<String, String> path = ctx.pathParamMap();
    if (!grant.serviceSid().equals(path.get("serviceSid"))) {
      return Optional.of("another service");
    }
    if (!grant.identity().equals(path.get("identity"))) {
      return Optional.of("another entity");
    }
    String type = Form.body(ctx).opt("FactorType").orElse("").toLowerCase(Locale.ROOT);
    if (!grant.factorType().equals(type)) {
      return Optional.of("another factor type");
    }
    return Optional.empty();
  }
}
