package io.lapse.service.api;

import io.javalin.http.Context;
import io.lapse.contract.TwilioError;
import io.lapse.service.crypto.ApiKeys;
import io.lapse.service.domain.AccessTokens;
import io.lapse.service.domain.ApiError;
import io.lapse.state.v1.FactorSnapshot;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Optional;

/**
 * HTTP Basic authentication. Three kinds of caller:
 *
 * <ul>
 *   <li>the account: its SID and auth token, or an API key ({@code SK…:secret}, {@link ApiKeys});
 *       it may call everything;
 *   <li>a device of the Verify mobile SDKs: {@code token:<JWT>} signed by a push factor ({@link
 *       DeviceAuth}), then held to its factor's calls by {@link DeviceScope};
 *   <li>a phone enrolling: {@code token:<access token>} issued by {@code …/AccessTokens} ({@link
 *       AccessTokens}), then held to the one enrolment by {@link AccessTokenScope}.
 * </ul>
 *
 * A failure is 401 with a Twilio body ({@link TwilioError#AUTHENTICATION_FAILED}) and a {@code
 * WWW-Authenticate} challenge; the {@code Date} header every answer carries lets the mobile SDKs
 * resync their clock. Authentication only says who is calling; the scopes judge the matched route.
 */
final class BasicAuth {
  static final String CHALLENGE = "Basic realm=\"Lapse\"";
  private static final String DEVICE_FACTOR = "lapse.device-factor";
  private static final String ACCESS_GRANT = "lapse.access-grant";
  private static final byte[] DEVICE_USER = "token:".getBytes(StandardCharsets.UTF_8);

  private final byte[] expected;
  private final ApiKeys apiKeys;
  private final DeviceAuth devices;
  private final AccessTokens accessTokens;

  BasicAuth(
      String accountSid,
      String authToken,
      ApiKeys apiKeys,
      DeviceAuth devices,
      AccessTokens accessTokens) {
    this.expected = (accountSid + ":" + authToken).getBytes(StandardCharsets.UTF_8);
    this.apiKeys = apiKeys;
    this.devices = devices;
    this.accessTokens = accessTokens;
  }

  void check(Context ctx) {
    String header = ctx.header("Authorization");
    if (header != null && header.regionMatches(true, 0, "Basic ", 0, 6)) {
      try {
        byte[] given = Base64.getDecoder().decode(header.substring(6).trim());
        if (MessageDigest.isEqual(given, expected) || isApiKey(given)) {
          return;
        }
        if (startsWith(given, DEVICE_USER)) {
          String jwt = jwt(given);
          Optional<FactorSnapshot> factor = devices.authenticate(jwt);
          if (factor.isPresent()) {
            ctx.attribute(DEVICE_FACTOR, factor.get());
            return;
          }
          Optional<AccessTokens.Grant> grant = accessTokens.authenticate(jwt);
          if (grant.isPresent()) {
            ctx.attribute(ACCESS_GRANT, grant.get());
            return;
          }
        }
      } catch (IllegalArgumentException e) {
        // Not Base64: the same 401 as a wrong password.
      }
    }
    ctx.header("WWW-Authenticate", CHALLENGE);
    throw new ApiError(TwilioError.AUTHENTICATION_FAILED);
  }

  /** The factor whose device token authenticated this request; empty otherwise. */
  static Optional<FactorSnapshot> deviceFactor(Context ctx) {
    return Optional.ofNullable(ctx.attribute(DEVICE_FACTOR));
  }

  /** The grant of the access token that authenticated this request; empty otherwise. */
  static Optional<AccessTokens.Grant> accessGrant(Context ctx) {
    return Optional.ofNullable(ctx.attribute(ACCESS_GRANT));
  }

  private boolean isApiKey(byte[] credentials) {
    if (apiKeys.size() == 0) {
      return false;
    }
    String text = new String(credentials, StandardCharsets.UTF_8);
    int colon = text.indexOf(':');
    return colon > 0
        && text.startsWith(ApiKeys.PREFIX)
        && apiKeys.accepts(text.substring(0, colon), text.substring(colon + 1));
  }

  private static String jwt(byte[] credentials) {
    return new String(
        credentials,
        DEVICE_USER.length,
        credentials.length - DEVICE_USER.length,
        StandardCharsets.UTF_8);
  }

  private static boolean startsWith(byte[] data, byte[] prefix) {
    if (data.length < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (data[i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }
}
