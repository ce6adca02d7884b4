package io.lapse.service.support;

import com.fasterxml.jackson.databind.JsonNode;
import io.lapse.service.domain.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * Sends bytes over a plain socket and reads the answer, for requests an HTTP client library will
 * not send: malformed request lines, oversized headers, unknown methods, odd framing.
 */
public final class RawHttp {
  /** An answer: status, the raw head, and the body parsed as JSON (null if it is not JSON). */
  public record Answer(int status, String head, String body) {
    public JsonNode json() {
      return Json.parse(body).orElse(null);
    }
  }

  private final String host;
  private final int port;

  public RawHttp(String baseUrl) {
    URI uri = URI.create(baseUrl);
    this.host = uri.getHost();
    this.port = uri.getPort();
  }

  /** Sends {@code request} (ISO-8859-1 bytes) on a new connection and reads until it closes. */
  public Answer send(String request) {
    try (Socket s = new Socket(host, port)) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      s.getOutputStream().flush();
      s.shutdownOutput();
      String all = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
      int split = all.indexOf("\r\n\r\n");
      String head = split < 0 ? all : all.substring(0, split);
      String body = split < 0 ? "" : all.substring(split + 4);
      String[] statusLine = head.split(" ", 3);
      int status = statusLine.length > 1 ? Integer.parseInt(statusLine[1]) : -1;
      return new Answer(status, head, body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
