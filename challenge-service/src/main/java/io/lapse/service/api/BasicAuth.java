package io.lapse.service.api;

import io.javalin.http.Context;
import io.lapse.service.domain.ApiError;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;

/**
 * HTTP Basic authentication with the account SID and auth token. A failure is 401 with a Twilio
 * body (20003) and a {@code WWW-Authenticate} challenge; the {@code Date} header every answer
 * carries lets the mobile SDKs resync their clock.
 */
final class BasicAuth {
  private final byte[] expected;

  BasicAuth(String accountSid, String authToken) {
    this.expected = (accountSid + ":" + authToken).getBytes(StandardCharsets.UTF_8);
  }

  void check(Context ctx) {
    String header = ctx.header("Authorization");
    if (header != null && header.regionMatches(true, 0, "Basic ", 0, 6)) {
      try {
        byte[] given = Base64.getDecoder().decode(header.substring(6).trim());
        if (MessageDigest.isEqual(given, expected)) {
          return;
        }
      } catch (IllegalArgumentException e) {
        // Not Base64: the same 401 as a wrong password.
      }
    }
    ctx.header("WWW-Authenticate", "Basic realm=\"Lapse\"");
    throw new ApiError(20003, 401, "Authenticate");
  }
}
