package io.lapse.service.api;

import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.lapse.contract.TwilioError;
import io.lapse.service.domain.ApiError;
import io.lapse.service.domain.Challenges;
import io.lapse.service.domain.Factors;
import io.lapse.state.v1.FactorSnapshot;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a device token may do: exactly the calls the Verify mobile SDKs make with a token signed by
 * push factor F, and only on F's own resources. The request is judged on the route it matched (its
 * template and path parameters), never on a prefix of its path:
 *
 * <ul>
 *   <li>fetch F's service;
 *   <li>fetch, update (and so verify) and delete F;
 *   <li>list F's entity's challenges filtered on {@code FactorSid=F}, as the SDKs always send it;
 *   <li>fetch and answer a challenge whose {@code factor_sid} is F.
 * </ul>
 *
 * A token of an unverified F may only verify F (update F with an {@code AuthPayload}). Everything
 * else (enrolling factors, entities, notifications, other factors' challenges, a path with a
 * trailing or doubled slash, which the SDKs never send) is refused like a bad token: 401 with
 * Twilio's {@link TwilioError#AUTHENTICATION_FAILED}.
 */
final class DeviceScope {
  private static final Logger LOG = LoggerFactory.getLogger(DeviceScope.class);

  /** One call the SDKs make, and what the request must name to be F's own. */
  private enum Operation {
    FETCH_SERVICE,
    FETCH_FACTOR,
    UPDATE_FACTOR,
    DELETE_FACTOR,
    LIST_CHALLENGES,
    FETCH_CHALLENGE,
    ANSWER_CHALLENGE
  }

  private record Call(HandlerType method, String route) {}

  private static final Map<Call, Operation> SDK_CALLS =
      Map.of(
          new Call(HandlerType.GET, Routes.SERVICE), Operation.FETCH_SERVICE,
          new Call(HandlerType.GET, Routes.FACTOR), Operation.FETCH_FACTOR,
          new Call(HandlerType.POST, Routes.FACTOR), Operation.UPDATE_FACTOR,
          new Call(HandlerType.DELETE, Routes.FACTOR), Operation.DELETE_FACTOR,
          new Call(HandlerType.GET, Routes.CHALLENGES), Operation.LIST_CHALLENGES,
          new Call(HandlerType.GET, Routes.CHALLENGE), Operation.FETCH_CHALLENGE,
          new Call(HandlerType.POST, Routes.CHALLENGE), Operation.ANSWER_CHALLENGE);

  private final Challenges challenges;

  DeviceScope(Challenges challenges) {
    this.challenges = challenges;
  }

  /**
   * Lets the request through if the device of {@code factor} may make it.
   *
   * @throws ApiError 401 otherwise
   */
  void authorize(Context ctx, FactorSnapshot factor) {
    Optional<String> refusal = refusal(ctx, factor);
    if (refusal.isPresent()) {
      LOG.info(
          "Device token of factor {} refused for {} {}: {}",
          factor.getSid(),
          ctx.method(),
          ctx.endpointHandlerPath(),
          refusal.get());
      ctx.header("WWW-Authenticate", BasicAuth.CHALLENGE);
      throw new ApiError(TwilioError.AUTHENTICATION_FAILED);
    }
  }

  private Optional<String> refusal(Context ctx, FactorSnapshot factor) {
    if (ctx.path().endsWith("/") || ctx.path().contains("//")) {
      return Optional.of("not a path the SDKs send");
    }
    Operation op = SDK_CALLS.get(new Call(ctx.method(), ctx.endpointHandlerPath()));
    if (op == null) {
      return Optional.of("not a call the SDKs make with a device token");
    }
    Map<String, String> path = ctx.pathParamMap();
    if (!factor.getServiceSid().equals(path.get("serviceSid"))) {
      return Optional.of("another service");
    }
    if (op != Operation.FETCH_SERVICE && !factor.getIdentity().equals(path.get("identity"))) {
      return Optional.of("another entity");
    }
    if (!Factors.VERIFIED.equals(factor.getStatus()) && !isOwnVerification(ctx, op)) {
      return Optional.of("the factor is unverified");
    }
    return switch (op) {
      case FETCH_SERVICE -> Optional.empty();
      case FETCH_FACTOR, UPDATE_FACTOR, DELETE_FACTOR ->
          factor.getSid().equals(path.get("factorSid"))
              ? Optional.empty()
              : Optional.of("another factor");
      case LIST_CHALLENGES -> {
        List<String> filter = Form.query(ctx).all("FactorSid");
        yield filter.size() == 1 && filter.get(0).equals(factor.getSid())
            ? Optional.empty()
            : Optional.of("a list not filtered on the token's factor");
      }
      case FETCH_CHALLENGE, ANSWER_CHALLENGE -> challengeOf(ctx, path, factor);
    };
  }

  /** The one call an unverified factor's device makes: verifying that factor. */
  private static boolean isOwnVerification(Context ctx, Operation op) {
    return op == Operation.UPDATE_FACTOR && Form.body(ctx).opt("AuthPayload").isPresent();
  }

  /**
   * A challenge of the token's factor passes; a challenge of another factor of the same entity is
   * refused. An unknown challenge passes, so the handler answers 404 as for the account.
   */
  private Optional<String> challengeOf(
      Context ctx, Map<String, String> path, FactorSnapshot factor) {
    try {
      String owner =
          challenges
              .get(path.get("serviceSid"), path.get("identity"), path.get("challengeSid"))
              .created()
              .getFactorSid();
      return owner.equals(factor.getSid())
          ? Optional.empty()
          : Optional.of("a challenge of another factor");
    } catch (ApiError notFound) {
      return Optional.empty();
    }
  }
}
