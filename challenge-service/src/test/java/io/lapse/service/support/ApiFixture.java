package io.lapse.service.support;

import com.fasterxml.jackson.databind.JsonNode;
import io.lapse.service.api.HttpApi;
import io.lapse.service.crypto.SecretCipher;
import io.lapse.service.domain.Catalog;
import io.lapse.service.domain.ChallengeView;
import io.lapse.service.domain.Domain;
import io.lapse.service.domain.FactorCrypto;
import io.lapse.service.domain.Json;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

/**
 * The real HTTP API and domain on 127.0.0.1 (ephemeral port), with the Kafka side replaced by
 * in-memory test doubles ({@link InMemoryLogs}, {@link FakeDecider}) and a hand-moved clock.
 */
public final class ApiFixture implements AutoCloseable {
  public static final String ACCOUNT_SID = "AC" + "0".repeat(31) + "1";
  public static final String AUTH_TOKEN = "test-token";

  public final MutableClock clock = new MutableClock(Instant.parse("2026-05-01T12:00:00.250Z"));
  public final InMemoryLogs logs = new InMemoryLogs();
  public final ChallengeView view = new ChallengeView();
  public final FakeDecider decider = new FakeDecider(view, clock);
  public final Domain domain;
  private final HttpApi api;
  private final HttpClient http = HttpClient.newHttpClient();
  private final String base;

  /** A reply: status, parsed JSON body (null if empty), headers. */
  public record Reply(int status, JsonNode json, HttpHeaders headers) {
    public String text(String field) {
      return json.path(field).asText(null);
    }
  }

  public ApiFixture() {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    domain =
        Domain.wire(
            ACCOUNT_SID,
            new Catalog(),
            view,
            logs,
            logs,
            decider,
            new FactorCrypto(new SecretCipher(key)),
            clock,
            Duration.ofSeconds(1));
    api =
        HttpApi.create(
                domain,
                new HttpApi.Settings(ACCOUNT_SID, AUTH_TOKEN, null, clock),
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                () -> true)
            .start("127.0.0.1", 0);
    base = "http://127.0.0.1:" + api.port();
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
    String basic =
        Base64.getEncoder()
            .encodeToString((ACCOUNT_SID + ":" + AUTH_TOKEN).getBytes(StandardCharsets.UTF_8));
    return HttpRequest.newBuilder(URI.create(url(path))).header("Authorization", "Basic " + basic);
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

  @Override
  public void close() {
    api.stop();
  }
}
