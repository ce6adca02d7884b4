package io.lapse.service.api;

import java.util.function.Supplier;

/**
 * Absolute resource URLs, from the configured public base URL (what clients use to reach the API,
 * e.g. behind a proxy), so {@code url}, {@code links} and paging URLs work as given.
 */
final class Urls {
  private final Supplier<String> base;

  /** The base is resolved on use: with an ephemeral port it is known only once bound. */
  Urls(Supplier<String> publicBaseUrl) {
    this.base = publicBaseUrl;
  }

  String base() {
    String b = base.get();
    return b.endsWith("/") ? b.substring(0, b.length() - 1) : b;
  }

  String services() {
    return base() + "/v2/Services";
  }

  String service(String serviceSid) {
    return services() + "/" + serviceSid;
  }

  String entities(String serviceSid) {
    return service(serviceSid) + "/Entities";
  }

  String entity(String serviceSid, String identity) {
    return entities(serviceSid) + "/" + identity;
  }

  String factors(String serviceSid, String identity) {
    return entity(serviceSid, identity) + "/Factors";
  }

  String factor(String serviceSid, String identity, String factorSid) {
    return factors(serviceSid, identity) + "/" + factorSid;
  }

  String challenges(String serviceSid, String identity) {
    return entity(serviceSid, identity) + "/Challenges";
  }

  String challenge(String serviceSid, String identity, String challengeSid) {
    return challenges(serviceSid, identity) + "/" + challengeSid;
  }

  String accessToken(String serviceSid, String accessTokenSid) {
    return service(serviceSid) + "/AccessTokens/" + accessTokenSid;
  }

  String webhooks(String serviceSid) {
    return service(serviceSid) + "/Webhooks";
  }

  String webhook(String serviceSid, String webhookSid) {
    return webhooks(serviceSid) + "/" + webhookSid;
  }
}
