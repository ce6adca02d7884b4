package io.lapse.service.api;

import io.javalin.http.Context;
import io.lapse.contract.TwilioError;
import io.lapse.service.domain.ApiError;

/**
 * Refuses a path whose percent-escapes are malformed ({@code %zz}, a lone {@code %}) with 400
 * before routing: Jetty lets such a path through, and decoding its parameters would otherwise fail
 * inside the router, as a 500.
 */
final class PathEncoding {
  private PathEncoding() {}

  /**
   * @throws ApiError 400 {@link TwilioError#INVALID_REQUEST} for a malformed escape
   */
  static void check(Context ctx) {
    String path = ctx.req().getRequestURI();
    for (int i = path.indexOf('%'); i >= 0; i = path.indexOf('%', i + 1)) {
      if (i + 2 >= path.length() || !isHex(path.charAt(i + 1)) || !isHex(path.charAt(i + 2))) {
        throw new ApiError(
            TwilioError.INVALID_REQUEST,
            TwilioError.INVALID_REQUEST.message() + ": malformed percent-encoding in the path");
      }
    }
  }

  private static boolean isHex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }
}
