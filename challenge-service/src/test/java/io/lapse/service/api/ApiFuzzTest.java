package io.lapse.service.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.lapse.service.domain.Json;
import io.lapse.service.support.ApiFixture;
import io.lapse.service.support.DeviceTokens;
import io.lapse.service.support.HttpTestClient;
import io.lapse.service.support.RawHttp;
import io.lapse.service.support.Scenario;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Fuzzes the HTTP edge of the running in-process service: for every route, {@link #PER_ENDPOINT}
 * generated requests (form fields, SIDs, identities, dates, lengths, unicode, empty and huge
 * values, wrong methods, odd content types, framings and credentials), plus raw requests an HTTP
 * library would not send. Every answer must be below 500 and every error in Twilio's shape; the
 * service must be healthy and still do its work afterwards.
 *
 * <p>Generation is random but seeded: the seed is printed, and {@code -Dlapse.fuzz.seed=N} replays
 * a run. A failure names the exact request.
 */
class ApiFuzzTest {
  static final int PER_ENDPOINT = 1_000;
  static final int RAW_REQUESTS = 1_000;
  private static final long SEED = Long.getLong("lapse.fuzz.seed", 20260501L);

  /** Generated URLs stay under Jetty's 8 KiB request-line limit. */
  private static final int MAX_URL = 8000;

  /** Every route of {@link Routes}. */
  private static final List<Endpoint> ENDPOINTS =
      List.of(
          new Endpoint("POST", Routes.SERVICES),
          new Endpoint("GET", Routes.SERVICES),
          new Endpoint("GET", Routes.SERVICE),
          new Endpoint("POST", Routes.SERVICE),
          new Endpoint("DELETE", Routes.SERVICE),
          new Endpoint("POST", Routes.ENTITIES),
          new Endpoint("GET", Routes.ENTITIES),
          new Endpoint("GET", Routes.ENTITY),
          new Endpoint("DELETE", Routes.ENTITY),
          new Endpoint("POST", Routes.FACTORS),
          new Endpoint("GET", Routes.FACTORS),
          new Endpoint("GET", Routes.FACTOR),
          new Endpoint("POST", Routes.FACTOR),
          new Endpoint("DELETE", Routes.FACTOR),
          new Endpoint("POST", Routes.CHALLENGES),
          new Endpoint("GET", Routes.CHALLENGES),
          new Endpoint("GET", Routes.CHALLENGE),
          new Endpoint("POST", Routes.CHALLENGE),
          new Endpoint("POST", Routes.NOTIFICATIONS),
          new Endpoint("POST", Routes.RESEAL));

  private static final List<String> FORM_NAMES =
      Stream.concat(
              ServiceParams.PARAMS.stream().map(ServiceParams.Param::name),
              Stream.of(
                  "FriendlyName",
                  "Identity",
                  "FactorType",
                  "Binding.Alg",
                  "Binding.PublicKey",
                  "Binding.Secret",
                  "Config.AppId",
                  "Config.NotificationPlatform",
                  "Config.NotificationToken",
                  "Config.SdkVersion",
                  "Config.TimeStep",
                  "Config.Skew",
                  "Config.CodeLength",
                  "Config.Alg",
                  "Metadata",
                  "AuthPayload",
                  "FactorSid",
                  "ExpirationDate",
                  "Details.Message",
                  "Details.Fields",
                  "HiddenDetails",
                  "Ttl"))
          .distinct()
          .toList();

  private static final List<String> QUERY_NAMES =
      List.of("PageSize", "Page", "PageToken", "FactorSid", "Status", "Order");

  private static final List<String> CONTENT_TYPES =
      List.of(
          "multipart/form-data; boundary=",
          "multipart/form-data; boundary=----x",
          "multipart/form-data",
          "application/json",
          "text/plain; charset=utf-8",
          FormContentType.FORM + "; charset=latin1",
          FormContentType.FORM + "; charset=\"bogus\"",
          FormContentType.FORM + ";;;",
          "*/*",
          ";");

  private static final List<String> ODD_METHODS =
      List.of("GET", "POST", "PUT", "PATCH", "HEAD", "OPTIONS", "FOO", "PROPFIND", "DELETE");

  private static final List<String> SPECIAL_TEXT =
      List.of(
          "",
          " ",
          ".",
          "..",
          "%",
          "%zz",
          "%2F",
          "a/b",
          "\u0000",
          "\uFFFF",
          "\uD800",
          "😀",
          "é",
          "null",
          "user-12345678",
          "\r\n",
          "<script>",
          "'; DROP TABLE x; --");

  private static final List<String> ENUM_LIKE =
      List.of(
          "push",
          "totp",
          "PUSH",
          "sms",
          "fcm",
          "apn",
          "none",
          "ES256",
          "RS256",
          "sha1",
          "sha512",
          "md5",
          "true",
          "false",
          "TRUE",
          "yes",
          "asc",
          "desc",
          "pending",
          "approved",
          "expired",
          "denied",
          "canceled",
          "123456",
          "12345678",
          "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
          "A",
          "a.b.c",
          "eyJhbGciOiJFUzI1NiJ9.e30.AAAA",
          "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE");

  private static final List<String> JSON_LIKE =
      List.of(
          "{}",
          "[]",
          "{\"label\":\"a\",\"value\":\"b\"}",
          "{\"label\":1,\"value\":null}",
          "{\"a\":{\"b\":[1,2,{}]}}",
          "{\"a\":\"" + "x".repeat(2000) + "\"}",
          "{",
          "\"just a string\"",
          "[".repeat(5000) + "]".repeat(5000));

  private static final List<String> DATE_LIKE =
      List.of(
          "2026-05-01T12:05:00Z",
          "2026-05-01T12:00:00Z",
          "2026-05-01T13:01:00Z",
          "2026-05-01T14:10:00+02:00",
          "2026-05-01 12:05:00",
          "2026-13-45T99:99:99Z",
          "Fri, 1 May 2026 12:05:00 GMT",
          "1777636800",
          "+999999999-12-31T23:59:59Z",
          "-2026-05-01T12:05:00Z");

  private static ApiFixture api;
  private static HttpClient http;
  private static RawHttp raw;
  private static Seeded seeded;
  private static final Map<String, AtomicLong> sent = new ConcurrentHashMap<>();

  /** A route of the table. */
  record Endpoint(String method, String template) {
    String name() {
      return method + " " + template;
    }
  }

  /** Resources that exist, so that generated requests also reach the deep checks. */
  record Seeded(
      String service,
      String identity,
      List<String> factors,
      List<String> challenges,
      String deviceToken) {}

  @BeforeAll
  static void start() {
    api = new ApiFixture();
    http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    raw = new RawHttp(api.baseUrl());
    Scenario scenario = new Scenario(api);
    String service = scenario.service();
    String identity = Scenario.identity();
    String entity = Scenario.entityPath(service, identity);
    Scenario.TotpFactor totp = scenario.verifiedTotp(service, identity);
    Scenario.PushFactor push = scenario.verifiedPush(service, identity, "fcm");
    String credential =
        api.get(entity + "/Factors/" + push.sid())
            .json()
            .path("config")
            .path("credential_sid")
            .asText();
    seeded =
        new Seeded(
            service,
            identity,
            List.of(totp.sid(), push.sid()),
            List.of(
                api.post(entity + "/Challenges", "FactorSid", totp.sid()).text("sid"),
                api.post(entity + "/Challenges", "FactorSid", push.sid(), "Details.Message", "Hi?")
                    .text("sid")),
            DeviceTokens.sdkToken(push.keys(), credential, api.clock.instant()));
    System.out.println(
        "ApiFuzzTest seed " + SEED + " (replay with -Dlapse.fuzz.seed=" + SEED + ")");
  }

  @AfterAll
  static void checkHealthAndStop() {
    try {
      long total =
          ENDPOINTS.stream().mapToLong(e -> sent.get(e.name()).get()).sum()
              + sent.getOrDefault("raw", new AtomicLong()).get();
      System.out.println("ApiFuzzTest sent " + total + " requests: " + new TreeMap<>(sent));
      HttpTestClient.Reply health = api.getWithAuthorization("/health", null);
      assertThat(health.status()).isEqualTo(200);
      assertThat(health.text("status")).isEqualTo("UP");
      // Still correct, not merely up: a round of normal work succeeds.
      Scenario scenario = new Scenario(api);
      String service = scenario.service();
      String identity = Scenario.identity();
      Scenario.TotpFactor totp = scenario.verifiedTotp(service, identity);
      String challenges = Scenario.entityPath(service, identity) + "/Challenges";
      String sid = api.post(challenges, "FactorSid", totp.sid()).text("sid");
      api.clock.advance(Duration.ofSeconds(30));
      assertThat(api.post(challenges + "/" + sid, "AuthPayload", totp.codeNow()).text("status"))
          .isEqualTo("approved");
    } finally {
      api.close();
    }
  }

  @TestFactory
  Stream<DynamicTest> shouldAnswerEveryGeneratedRequestBelow500InTwilioShape() {
    return ENDPOINTS.stream()
        .map(
            e ->
                DynamicTest.dynamicTest(
                    e.name(),
                    () -> {
                      Random random = new Random(SEED ^ e.name().hashCode());
                      for (int i = 0; i < PER_ENDPOINT; i++) {
                        send(e, random);
                      }
                      assertThat(sent.get(e.name()).get()).isEqualTo(PER_ENDPOINT);
                    }));
  }

  @TestFactory
  Stream<DynamicTest> shouldAnswerMalformedRawRequestsBelow500InTwilioShape() {
    return Stream.of(
        DynamicTest.dynamicTest(
            "raw requests",
            () -> {
              Random random = new Random(SEED);
              for (int i = 0; i < RAW_REQUESTS; i++) {
                sendRaw(rawRequest(random));
              }
            }));
  }

  // ---- sending and judging ----

  private static void send(Endpoint endpoint, Random r) {
    String method = r.nextInt(5) == 0 ? pick(r, ODD_METHODS) : endpoint.method();
    String url = api.url(path(endpoint, method, r));
    if (r.nextInt(3) == 0) {
      String query = "?" + encode(params(r, QUERY_NAMES, 4));
      // Over Jetty's 8 KiB the answer is 414 and a reset connection: the raw requests cover it.
      if (url.length() + query.length() < MAX_URL) {
        url += query;
      }
    }
    HttpRequest.Builder b;
    try {
      b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
    } catch (IllegalArgumentException e) {
      throw new AssertionError("the fuzzer built an invalid URI: " + url, e);
    }
    Map<String, String> headers = new TreeMap<>();
    int ct = r.nextInt(20);
    if (ct < 15) {
      headers.put(
          "Content-Type",
          ct < 13 ? FormContentType.FORM : FormContentType.FORM + "; charset=UTF-8");
    } else if (ct < 19) {
      headers.put("Content-Type", pick(r, CONTENT_TYPES));
    }
    authorization(r).ifPresent(v -> headers.put("Authorization", v));
    if (r.nextInt(5) == 0) {
      headers.put("Idempotency-Key", printable(r, r.nextInt(41)));
    }
    headers.forEach(b::header);
    String form = encode(params(r, FORM_NAMES, 8));
    byte[] bytes = form.getBytes(StandardCharsets.UTF_8);
    int framing = r.nextInt(50);
    String described = form;
    if (framing < 44) {
      b.method(method, HttpRequest.BodyPublishers.ofByteArray(bytes));
    } else if (framing < 48) {
      byte[] chunked = bytes;
      b.method(
          method,
          HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(chunked)));
      described = "chunked: " + form;
    } else if (framing < 49) {
      bytes = new byte[r.nextInt(2000)];
      r.nextBytes(bytes);
      b.method(method, HttpRequest.BodyPublishers.ofByteArray(bytes));
      described = bytes.length + " random bytes";
    } else {
      bytes =
          ("FriendlyName=" + "z".repeat(HttpApi.MAX_BODY_BYTES + r.nextInt(10_000)))
              .getBytes(StandardCharsets.UTF_8);
      b.method(method, HttpRequest.BodyPublishers.ofByteArray(bytes));
      described = "a body over the cap";
    }
    sent.computeIfAbsent(endpoint.name(), k -> new AtomicLong()).incrementAndGet();
    String what = method + " " + url + " " + headers + " body=" + abbreviate(described);
    int status;
    String body;
    try {
      HttpResponse<String> res = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      status = res.statusCode();
      body = res.body();
    } catch (IOException e) {
      // A refusal that closes the connection before the body is read can reach this client as a
      // reset instead of the answer; the same bytes over a socket that reads the answer first
      // show what the server said.
      sent.computeIfAbsent("resent after a reset", k -> new AtomicLong()).incrementAndGet();
      RawHttp.Answer a = raw.send(method, url.substring(api.baseUrl().length()), headers, bytes);
      assertThat(a.head()).as(what + " was answered").isNotEmpty();
      status = a.status();
      body = a.body();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    sent.computeIfAbsent("answered " + status / 100 + "xx", k -> new AtomicLong())
        .incrementAndGet();
    assertThat(status).as(what + " -> " + body).isBetween(200, 499);
    if (status >= 400 && !method.equals("HEAD")) {
      assertTwilioShape(status, Json.parse(body).orElse(null), what);
    }
  }

  private static void sendRaw(String request) {
    RawHttp.Answer a = raw.send(request);
    sent.computeIfAbsent("raw", k -> new AtomicLong()).incrementAndGet();
    String what = abbreviate(request.replace("\r\n", "\\r\\n"));
    if (a.head().isEmpty()) {
      // Closed without an answer: what a server may do with a request cut short.
      sent.computeIfAbsent("raw, closed unanswered", k -> new AtomicLong()).incrementAndGet();
      return;
    }
    if (a.status() == 505) {
      // Jetty's parser answers a request line whose version it cannot read (HTTP/9, or a missing
      // target that shifts the version) with RFC 9110's 505 before any handler runs: the one 5xx
      // of the HTTP layer, and still in Twilio's shape. The API itself never answers 505.
      sent.computeIfAbsent("raw, 505 for the version", k -> new AtomicLong()).incrementAndGet();
      assertTwilioShape(a.status(), a.json(), what);
      return;
    }
    assertThat(a.status()).as(what + " -> " + a.head()).isBetween(100, 499);
    if (a.status() >= 400 && !request.startsWith("HEAD ")) {
      assertTwilioShape(a.status(), a.json(), what);
    }
  }

  private static void assertTwilioShape(int status, JsonNode json, String what) {
    assertThat(json).as("a JSON error body for " + what).isNotNull();
    assertThat(json.path("code").isInt()).as(what).isTrue();
    assertThat(json.path("status").asInt()).as(what).isEqualTo(status);
    assertThat(json.path("message").asText()).as(what).isNotBlank();
    assertThat(json.path("more_info").asText())
        .as(what)
        .isEqualTo("https://www.twilio.com/docs/errors/" + json.path("code").asInt());
  }

  // ---- generation ----

  private static String path(Endpoint endpoint, String method, Random r) {
    StringBuilder out = new StringBuilder();
    for (String segment : endpoint.template().substring(1).split("/")) {
      out.append('/').append(segment.startsWith("{") ? pathValue(segment, method, r) : segment);
    }
    return out.toString();
  }

  /**
   * An existing resource (most often, so requests reach the deep checks), a well-formed unknown
   * SID, or junk. A DELETE never names an existing resource: the seeded ones must stay for the
   * other requests, and deleting is what the endpoint tests cover.
   */
  private static String pathValue(String param, String method, Random r) {
    int choice = r.nextInt(10);
    if (choice < 6 && !method.equals("DELETE")) {
      return switch (param) {
        case "{serviceSid}" -> seeded.service();
        case "{identity}" -> seeded.identity();
        case "{factorSid}" -> pick(r, seeded.factors());
        case "{challengeSid}" -> pick(r, seeded.challenges());
        default -> throw new IllegalArgumentException(param);
      };
    }
    if (choice < 8) {
      String prefix =
          switch (param) {
            case "{serviceSid}" -> "VA";
            case "{identity}" -> "user-";
            case "{factorSid}" -> "YF";
            default -> "YC";
          };
      return prefix + hex(r, 32);
    }
    String junk = text(r);
    junk = junk.length() <= MAX_URL / 8 ? junk : junk.substring(0, MAX_URL / 8);
    return URLEncoder.encode(junk, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static List<Map.Entry<String, String>> params(Random r, List<String> names, int max) {
    List<Map.Entry<String, String>> out = new ArrayList<>();
    int n = r.nextInt(max + 1);
    for (int i = 0; i < n; i++) {
      out.add(Map.entry(r.nextInt(10) == 0 ? text(r) : pick(r, names), value(r)));
    }
    return out;
  }

  /** Values that look like what a parameter wants, and values that do not. */
  private static String value(Random r) {
    return switch (r.nextInt(7)) {
      case 0 ->
          pick(r, List.of("VA", "YE", "YF", "YC", "CR", "AC", "NT", "XX", "yf"))
              + hex(r, r.nextInt(35));
      case 1 ->
          r.nextBoolean()
              ? String.valueOf(r.nextInt(5006) - 5)
              : pick(
                  r, List.of("0", "-1", "2147483648", "99999999999999999999", "1e3", " 6", "NaN"));
      case 2 ->
          r.nextBoolean()
              ? pick(r, DATE_LIKE)
              : Instant.ofEpochSecond(r.nextLong() % 10_000_000_000L).toString();
      case 3 -> pick(r, JSON_LIKE);
      case 4 -> pick(r, ENUM_LIKE);
      default -> text(r);
    };
  }

  /** Any text: unicode (surrogates included), control characters, empty, long. */
  private static String text(Random r) {
    return switch (r.nextInt(4)) {
      case 0 -> pick(r, SPECIAL_TEXT);
      case 1 -> {
        StringBuilder s = new StringBuilder();
        int n = r.nextInt(25);
        for (int i = 0; i < n; i++) {
          s.append((char) r.nextInt(Character.MAX_VALUE + 1));
        }
        yield s.toString();
      }
      case 2 -> printable(r, r.nextInt(13));
      default -> "a".repeat(300 + r.nextInt(2700));
    };
  }

  private static Optional<String> authorization(Random r) {
    int a = r.nextInt(22);
    if (a < 16) {
      return Optional.of(basic(ApiFixture.ACCOUNT_SID, ApiFixture.AUTH_TOKEN));
    }
    if (a < 19) {
      return Optional.of(basic("token", seeded.deviceToken()));
    }
    return switch (a) {
      case 19 -> Optional.empty();
      case 20 -> Optional.of(basic(ApiFixture.ACCOUNT_SID, "wrong"));
      default -> Optional.of("Basic %%%" + printable(r, 10));
    };
  }

  private static String rawRequest(Random r) {
    String method =
        switch (r.nextInt(3)) {
          case 0 ->
              pick(
                  r,
                  List.of("GET", "POST", "DELETE", "PUT", "HEAD", "OPTIONS", "TRACE", "CONNECT"));
          case 1 -> letters(r, 1 + r.nextInt(12));
          default -> printable(r, r.nextInt(7));
        };
    String target =
        pick(
                r,
                List.of(
                    "/v2/Services",
                    "/v2/Services/",
                    "/v2/",
                    "/v2",
                    "",
                    "*",
                    "http://x/v2/Services",
                    "/health",
                    "/v2/Services/VA00/Entities/x/Factors/YF/",
                    "/%",
                    "/v2/%zz",
                    "/v2/..%2F..%2F",
                    "/v2/Services?PageSize=%zz",
                    "/v2/Services?Page=-1&PageToken=%00"))
            + printable(r, r.nextInt(21));
    String version =
        pick(
            r, List.of("HTTP/1.1", "HTTP/1.0", "HTTP/2.0", "HTTP/9", "http/1.1", "", "HTTP/1.1 x"));
    StringBuilder headers = new StringBuilder();
    int n = r.nextInt(5);
    for (int i = 0; i < n; i++) {
      headers.append(
          pick(
              r,
              List.of(
                  "Content-Length: 5\r\n",
                  "Content-Length: -1\r\n",
                  "Content-Length: 99999999999999999999\r\n",
                  "Content-Length: 3\r\nContent-Length: 4\r\n",
                  "Transfer-Encoding: chunked\r\n",
                  "Transfer-Encoding: gzip, chunked\r\n",
                  "Transfer-Encoding: bogus\r\n",
                  "Content-Type: application/x-www-form-urlencoded\r\n",
                  "Content-Type: multipart/form-data; boundary=\r\n",
                  "Authorization: Basic\r\n",
                  "Authorization: Basic " + "A".repeat(9000) + "\r\n",
                  "Expect: 100-continue\r\n",
                  "X-Odd: \u00ff\u0080\r\n",
                  "NoColonHeader\r\n",
                  " folded: header\r\n",
                  "Host: a\r\nHost: b\r\n")));
    }
    String body =
        r.nextBoolean()
            ? pick(r, List.of("", "abc", "FriendlyName=x", "5\r\nhello\r\n0\r\n\r\n", "zz\r\n"))
            : printable(r, r.nextInt(65));
    return method
        + " "
        + target
        + " "
        + version
        + "\r\nHost: x\r\nAuthorization: "
        + basic(ApiFixture.ACCOUNT_SID, ApiFixture.AUTH_TOKEN)
        + "\r\n"
        + headers
        + "Connection: close\r\n\r\n"
        + body;
  }

  // ---- small helpers ----

  private static <T> T pick(Random r, List<T> from) {
    return from.get(r.nextInt(from.size()));
  }

  private static String hex(Random r, int length) {
    StringBuilder s = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      s.append("0123456789abcdef".charAt(r.nextInt(16)));
    }
    return s.toString();
  }

  private static String printable(Random r, int length) {
    StringBuilder s = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      s.append((char) (' ' + r.nextInt(95)));
    }
    return s.toString();
  }

  private static String letters(Random r, int length) {
    StringBuilder s = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      s.append((char) ('A' + r.nextInt(26)));
    }
    return s.toString();
  }

  private static String encode(List<Map.Entry<String, String>> pairs) {
    StringBuilder s = new StringBuilder();
    for (Map.Entry<String, String> p : pairs) {
      if (s.length() > 0) {
        s.append('&');
      }
      s.append(URLEncoder.encode(p.getKey(), StandardCharsets.UTF_8))
          .append('=')
          .append(URLEncoder.encode(p.getValue(), StandardCharsets.UTF_8));
    }
    return s.toString();
  }

  private static String basic(String user, String password) {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  private static String abbreviate(String s) {
    return s.length() <= 600 ? s : s.substring(0, 600) + "…(" + s.length() + " chars)";
  }
}
