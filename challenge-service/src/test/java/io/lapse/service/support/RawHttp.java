package io.lapse.service.support;

import com.fasterxml.jackson.databind.JsonNode;
import io.lapse.service.domain.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;

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

  /**
   * Sends a request with a {@code Content-Length} body (UTF-8) and {@code Connection: close}, the
   * header values as given.
   */
  public Answer send(String method, String target, Map<String, String> headers, byte[] body) {
    StringBuilder head = new StringBuilder();
    head.append(method).append(' ').append(target).append(" HTTP/1.1\r\nHost: ").append(host);
    headers.forEach((k, v) -> head.append("\r\n").append(k).append(": ").append(v));
    head.append("\r\nContent-Length: ").append(body.length).append("\r\nConnection: close\r\n\r\n");
    byte[] h = head.toString().getBytes(StandardCharsets.UTF_8);
    byte[] all = new byte[h.length + body.length];
    System.arraycopy(h, 0, all, 0, h.length);
    System.arraycopy(body, 0, all, h.length, body.length);
    return send(all);
  }

  /** Sends {@code request} (ISO-8859-1 bytes) on a new connection and reads until it closes. */
  public Answer send(String request) {
    return send(request.getBytes(StandardCharsets.ISO_8859_1));
  }

  private Answer send(byte[] request) {
    try (Socket s = new Socket(host, port)) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(request);
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
