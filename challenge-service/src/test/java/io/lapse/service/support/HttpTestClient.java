package io.lapse.service.support;

import com.fasterxml.jackson.databind.JsonNode;
import io.lapse.service.domain.Json;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** A small form-posting, JSON-reading HTTP client with Basic auth, for API tests. */
public class HttpTestClient {
  private final HttpClient http = HttpClient.newHttpClient();
  private final String base;
  private final String basic;

  /** A reply: status, parsed JSON body (null if empty), headers. */
  public record Reply(int status, JsonNode json, HttpHeaders headers) {
    public String text(String field) {
      return json.path(field).asText(null);
    }
  }

  public HttpTestClient(String baseUrl, String accountSid, String authToken) {
    this.base = baseUrl;
    this.basic =
        "Basic "
            + Base64.getEncoder()
                .encodeToString((accountSid + ":" + authToken).getBytes(StandardCharsets.UTF_8));
  }

  public String baseUrl() {
    return base;
  }

  /** POST form pairs: name, value, name, value… */
  public Reply post(String path, String... pairs) {
    return send(form(path, pairs).build());
  }

  public Reply postWithHeader(String path, String header, String value, String... pairs) {
    return send(form(path, pairs).header(header, value).build());
  }

  public Reply get(String pathAndQuery) {
    return send(authed(pathAndQuery).GET().build());
  }

  public Reply delete(String path) {
    return send(authed(path).DELETE().build());
  }

  /** A request with other credentials (or none when {@code authorization} is null). */
  public Reply getWithAuthorization(String path, String authorization) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url(path))).GET();
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    return send(b.build());
  }

  /**
   * The value of one sample of the service's {@code /metrics}, named with its labels as Prometheus
   * prints them (e.g. {@code lapse_forwards_total{result="answered"}}); 0 while it is absent.
   */
  public double metric(String sample) {
    try {
      String body =
          http.send(
                  HttpRequest.newBuilder(URI.create(url("/metrics"))).GET().build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      return body.lines()
          .filter(l -> l.startsWith(sample + " "))
          .mapToDouble(l -> Double.parseDouble(l.substring(sample.length() + 1).trim()))
          .findFirst()
          .orElse(0);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public String url(String pathAndQuery) {
    return pathAndQuery.startsWith("http") ? pathAndQuery : base + pathAndQuery;
  }

  private HttpRequest.Builder form(String path, String... pairs) {
    StringBuilder body = new StringBuilder();
    for (int i = 0; i < pairs.length; i += 2) {
      if (body.length() > 0) {
        body.append('&');
      }
      body.append(URLEncoder.encode(pairs[i], StandardCharsets.UTF_8))
          .append('=')
          .append(URLEncoder.encode(pairs[i + 1], StandardCharsets.UTF_8));
    }
    return authed(path)
        .header("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8")
        .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
  }

  private HttpRequest.Builder authed(String path) {
    return HttpRequest.newBuilder(URI.create(url(path))).header("Authorization", basic);
  }

  private Reply send(HttpRequest request) {
    try {
      HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
      JsonNode json = r.body().isEmpty() ? null : Json.parse(r.body()).orElse(null);
      return new Reply(r.statusCode(), json, r.headers());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
