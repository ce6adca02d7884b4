package io.lapse.service.api;

import io.javalin.http.Context;
import io.lapse.contract.TwilioError;
import io.lapse.service.domain.ApiError;
import io.lapse.state.v1.FactorSnapshot;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Optional;

/**
 * HTTP Basic authentication with the account SID and auth token, or, for the Verify mobile SDKs,
 * {@code token:<JWT>} signed by a push factor (see {@link DeviceAuth}). A failure is 401 with a
 * Twilio body ({@link TwilioError#AUTHENTICATION_FAILED}) and a {@code WWW-Authenticate} challenge;
 * the {@code Date} header every answer carries lets the mobile SDKs resync their clock.
 *
 * <p>Authentication only says who is calling: the account may call everything, a device is then
 * held to its factor's calls by {@link DeviceScope} once the route is matched ({@link
 * #deviceFactor}).
 */
final class BasicAuth {
  static final String CHALLENGE = "Basic realm=\"Lapse\"";
  private static final String DEVICE_FACTOR = "lapse.device-factor";
  private static final byte[] DEVICE_USER = "token:".getBytes(StandardCharsets.UTF_8);

  private final byte[] expected;
  private final DeviceAuth devices;

  BasicAuth(String accountSid, String authToken, DeviceAuth devices) {
    this.expected = (accountSid + ":" + authToken).getBytes(StandardCharsets.UTF_8);
    this.devices = devices;
  }

  void check(Context ctx) {
    String header = ctx.header("Authorization");
    if (header != null && header.regionMatches(true, 0, "Basic ", 0, 6)) {
      try {
        byte[] given = Base64.getDecoder().decode(header.substring(6).trim());
        if (MessageDigest.isEqual(given, expected)) {
          return;
        }
        if (startsWith(given, DEVICE_USER)) {
          Optional<FactorSnapshot> factor = devices.authenticate(jwt(given));
          if (factor.isPresent()) {
            ctx.attribute(DEVICE_FACTOR, factor.get());
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

  /** The factor whose device token authenticated this request; empty for the account. */
  static Optional<FactorSnapshot> deviceFactor(Context ctx) {
    return Optional.ofNullable(ctx.attribute(DEVICE_FACTOR));
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
