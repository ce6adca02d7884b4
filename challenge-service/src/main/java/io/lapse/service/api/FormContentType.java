package io.lapse.service.api;

import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.lapse.contract.TwilioError;
import io.lapse.service.domain.ApiError;
import java.util.Locale;

/**
 * The one body type the API reads, as Twilio's: {@code application/x-www-form-urlencoded}, in UTF-8
 * when a charset is named. Any other body on a POST is refused with 415 before a handler parses it,
 * so a multipart body with a broken boundary, JSON, or XML never reaches a parser that could fail
 * on it. A POST without a body needs no type.
 */
final class FormContentType {
  static final String FORM = "application/x-www-form-urlencoded";

  private FormContentType() {}

  /**
   * @throws ApiError 415 for a POST body of another type
   */
  static void check(Context ctx) {
    if (ctx.method() != HandlerType.POST) {
      return;
    }
    String type = ctx.header("Content-Type");
    if (type == null || type.isBlank()) {
      if (ctx.req().getContentLengthLong() > 0) {
        throw refused("a body needs Content-Type: " + FORM);
      }
      return;
    }
    String[] parts = type.split(";", -1);
    if (!parts[0].trim().equalsIgnoreCase(FORM)) {
      throw refused("only " + FORM + " bodies are read");
    }
    for (int i = 1; i < parts.length; i++) {
      String param = parts[i].trim();
      int eq = param.indexOf('=');
      if (eq > 0 && param.substring(0, eq).trim().equalsIgnoreCase("charset")) {
        String charset = param.substring(eq + 1).trim();
        if (!charset.toLowerCase(Locale.ROOT).matches("utf-?8")) {
          throw refused("form bodies are read as UTF-8");
        }
      }
    }
  }

  private static ApiError refused(String why) {
    return new ApiError(
        TwilioError.UNSUPPORTED_MEDIA_TYPE,
        TwilioError.UNSUPPORTED_MEDIA_TYPE.message() + ": " + why);
  }
}
