package io.lapse.service.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lapse.contract.TwilioError;
import io.lapse.service.domain.Json;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.handler.ErrorHandler;

/**
 * Twilio's error shape for what the server refuses before the API sees a request: a header block
 * over Jetty's limit (431), a URI too long (414) or malformed (400), a request line that is not
 * HTTP, and anything Jetty itself answers with an error page. The body is {@code {code, message,
 * more_info, status}} with the status Jetty chose, never an HTML page or a stack trace.
 */
final class JettyErrorHandler extends ErrorHandler {

  /** Every method gets a body; Jetty's default gives one to GET, POST and HEAD only. */
  @Override
  public boolean errorPageForMethod(String method) {
    return true;
  }

  /** Errors found while parsing, before a request exists (Jetty answers and closes). */
  @Override
  public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
    fields.put(HttpHeader.CONTENT_TYPE, Responses.JSON);
    return ByteBuffer.wrap(body(status, reason));
  }

  /** Errors Jetty sends for a request it parsed but will not dispatch. */
  @Override
  protected void generateAcceptableResponse(
      Request baseRequest,
      HttpServletRequest request,
      HttpServletResponse response,
      int code,
      String message)
      throws IOException {
    byte[] json = body(code, message);
    baseRequest.setHandled(true);
    response.setContentType(Responses.JSON);
    response.setContentLength(json.length);
    response.getOutputStream().write(json);
  }

  static byte[] body(int status, String reason) {
    TwilioError error = forStatus(status);
    ObjectNode n = Json.object();
    n.put("code", error.code());
    // Jetty's reasons are its own fixed texts; a server fault's is not shown.
    boolean show = reason != null && !reason.isBlank() && status < 500;
    n.put("message", error.message() + (show ? ": " + reason : ""));
    n.put("more_info", error.moreInfo());
    n.put("status", status);
    return Json.write(n).getBytes(StandardCharsets.UTF_8);
  }

  /** The Twilio code for a status of the HTTP layer; a malformed request is "Invalid Request". */
  private static TwilioError forStatus(int status) {
    return switch (status) {
      case 401 -> TwilioError.AUTHENTICATION_FAILED;
      case 404 -> TwilioError.NOT_FOUND;
      case 405 -> TwilioError.METHOD_NOT_ALLOWED;
      case 413 -> TwilioError.REQUEST_TOO_LARGE;
      case 414 -> TwilioError.URI_TOO_LONG;
      case 415 -> TwilioError.UNSUPPORTED_MEDIA_TYPE;
      case 431 -> TwilioError.HEADERS_TOO_LARGE;
      case 503 -> TwilioError.SERVICE_UNAVAILABLE;
      default -> status >= 500 ? TwilioError.INTERNAL_SERVER_ERROR : TwilioError.INVALID_REQUEST;
    };
  }
}
