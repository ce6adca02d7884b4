package io.lapse.service.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import io.lapse.contract.TwilioError;
import io.lapse.service.domain.ApiError;
import io.lapse.service.domain.Json;
import io.lapse.service.kafka.PublishFailedException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that turns failures into Twilio error bodies {@code {code, message, more_info,
 * status}}. Domain refusals keep their code; an adapter's failure to write the event log is
 * "service unavailable" (nothing was decided, the client may retry); Javalin's own HTTP errors and
 * unmatched routes get the nearest Twilio code; anything else is logged and answered 500 without a
 * stack trace.
 *
 * <p>The log of an unhandled error names the exception classes and their stack frames but never
 * their messages: a parser's message may quote what it could not read, and the request carries the
 * auth token, TOTP codes and seeds, and device tokens. Nor does it show the query string or any
 * header.
 */
final class ErrorMapper {
  private static final Logger LOG = LoggerFactory.getLogger(ErrorMapper.class);

  /** The codes that stand for a plain HTTP status, looked up by that status. */
  private static final List<TwilioError> HTTP_LEVEL =
      List.of(
          TwilioError.INVALID_PARAMETER,
          TwilioError.AUTHENTICATION_FAILED,
          TwilioError.NOT_FOUND,
          TwilioError.METHOD_NOT_ALLOWED,
          TwilioError.REQUEST_TOO_LARGE,
          TwilioError.URI_TOO_LONG,
          TwilioError.UNSUPPORTED_MEDIA_TYPE,
          TwilioError.HEADERS_TOO_LARGE,
          TwilioError.INTERNAL_SERVER_ERROR,
          TwilioError.SERVICE_UNAVAILABLE);

  private ErrorMapper() {}

  static void install(Javalin app) {
    app.exception(ApiError.class, (e, ctx) -> write(ctx, e));
    app.exception(
        PublishFailedException.class,
        (e, ctx) ->
            write(
                ctx,
                new ApiError(
                    TwilioError.SERVICE_UNAVAILABLE,
                    TwilioError.SERVICE_UNAVAILABLE.message()
                        + ": the event log could not be written")));
    app.exception(
        HttpResponseException.class,
        (e, ctx) -> write(ctx, new ApiError(forHttpStatus(e.getStatus()), e.getMessage())));
    app.exception(
        Exception.class,
        (e, ctx) -> {
          LOG.error("Unhandled error on {} {}", ctx.method(), ctx.path(), withoutMessages(e, 0));
          write(ctx, new ApiError(TwilioError.INTERNAL_SERVER_ERROR));
        });
    app.error(
        HttpStatus.NOT_FOUND,
        ctx -> {
          if (ctx.result() == null || ctx.result().isEmpty()) {
            write(ctx, ApiError.notFound(ctx.path().replaceFirst("^/v2", "")));
          }
        });
    app.error(
        HttpStatus.METHOD_NOT_ALLOWED,
        ctx -> {
          if (ctx.result() == null || ctx.result().isEmpty()) {
            write(ctx, new ApiError(TwilioError.METHOD_NOT_ALLOWED));
          }
        });
  }

  static void write(Context ctx, ApiError e) {
    if (e.retryAfterSeconds() > 0) {
      // Twilio's SDKs retry a 503 by themselves; the header tells any other client when.
      ctx.header("Retry-After", Integer.toString(e.retryAfterSeconds()));
    }
    Responses.json(ctx, e.status(), body(e));
  }

  static ObjectNode body(ApiError e) {
    ObjectNode n = Json.object();
    n.put("code", e.code());
    n.put("message", e.getMessage());
    n.put("more_info", e.moreInfo());
    n.put("status", e.status());
    return n;
  }

  /**
   * The failure as a chain of the same classes and stack frames, with no message: each link is a
   * {@link Withheld} naming the original class. Never throws: an exception thrown here would come
   * back to this handler.
   */
  private static Throwable withoutMessages(Throwable e, int depth) {
    Throwable cause = e.getCause();
    Throwable withheldCause =
        cause != null && cause != e && depth < 16 ? withoutMessages(cause, depth + 1) : null;
    return new Withheld(e, withheldCause);
  }

  /** Stands in for a logged exception whose message might quote request data. */
  private static final class Withheld extends Exception {
    private static final long serialVersionUID = 1L;

    Withheld(Throwable original, Throwable cause) {
      super(original.getClass().getName() + " (message withheld)", cause, false, true);
      setStackTrace(original.getStackTrace());
    }
  }

  /**
   * The Twilio code for an HTTP error Javalin raised itself: the one answered with that status, or
   * for a status no code stands for, a server fault or a bad parameter.
   */
  private static TwilioError forHttpStatus(int status) {
    for (TwilioError e : HTTP_LEVEL) {
      if (e.httpStatus() == status) {
        return e;
      }
    }
    return status >= TwilioError.INTERNAL_SERVER_ERROR.httpStatus()
        ? TwilioError.INTERNAL_SERVER_ERROR
        : TwilioError.INVALID_PARAMETER;
  }
}
