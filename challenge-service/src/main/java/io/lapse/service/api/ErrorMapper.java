package io.lapse.service.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.lapse.service.domain.ApiError;
import io.lapse.service.domain.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that turns failures into Twilio error bodies {@code {code, message, more_info,
 * status}}. Domain refusals keep their code; Javalin's own HTTP errors and unmatched routes get the
 * nearest Twilio code; anything else is logged and answered 500 without a stack trace.
 */
final class ErrorMapper {
  private static final Logger LOG = LoggerFactory.getLogger(ErrorMapper.class);

  private ErrorMapper() {}

  static void install(Javalin app) {
    app.exception(ApiError.class, (e, ctx) -> write(ctx, e));
    app.exception(
        HttpResponseException.class,
        (e, ctx) ->
            write(ctx, new ApiError(codeFor(e.getStatus()), e.getStatus(), e.getMessage())));
    app.exception(
        Exception.class,
        (e, ctx) -> {
          LOG.error("Unhandled error on {} {}", ctx.method(), ctx.path(), e);
          write(ctx, new ApiError(20500, 500, "Internal Server Error"));
        });
    app.error(
        404,
        ctx -> {
          if (ctx.result() == null || ctx.result().isEmpty()) {
            write(ctx, ApiError.notFound(ctx.path().replaceFirst("^/v2", "")));
          }
        });
    app.error(
        405,
        ctx -> {
          if (ctx.result() == null || ctx.result().isEmpty()) {
            write(ctx, new ApiError(20405, 405, "Method not allowed"));
          }
        });
  }

  static void write(Context ctx, ApiError e) {
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

  private static int codeFor(int status) {
    return switch (status) {
      case 400 -> 60300;
      case 401 -> 20003;
      case 404 -> 20404;
      case 405 -> 20405;
      case 413 -> 20413;
      default -> status >= 500 ? 20500 : 20000 + status;
    };
  }
}
