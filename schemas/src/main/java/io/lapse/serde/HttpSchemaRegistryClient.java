package io.lapse.serde;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lapse.config.Masking;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

/**
 * Speaks the Confluent Schema Registry REST API (register, lookup, by id, latest, compatibility,
 * subjects) over the JDK's HTTP client, and nothing else of the registry's. Responsibilities:
 *
 * <ul>
 *   <li>Base URLs may carry a path (Apicurio serves the API under {@code /apis/ccompat/v7}); REST
 *       paths are appended to it, never built from host and port.
 *   <li>With several URLs, a connection failure moves on to the next one and later calls start at
 *       the one that answered, as Confluent's client does.
 *   <li>Basic auth from {@code basic.auth.user.info} or from each URL's user info; or a static
 *       bearer token. Credentials never appear in messages.
 *   <li>(subject, schema) to id, id to schema and a subject's latest version are cached, so the
 *       registry is asked once per schema.
 *   <li>Errors become {@link SchemaRegistryException}s carrying HTTP status and {@code error_code},
 *       with the meaning spelled out; a body that is not a registry error maps to code 50005.
 *   <li>A registry that cannot answer now (no URL reachable, HTTP 5xx, 429, 408) is a {@link
 *       RegistryUnavailableException}, after a short bounded retry of the call ({@link Retry}):
 *       long enough to ride out a blip, short enough that a consumer thread never stalls for long
 *       (a Streams thread must poll again within {@code max.poll.interval.ms}); longer outages are
 *       the caller's to retry. {@link #unavailableSince()} tells health checks.
 * </ul>
 */
public final class HttpSchemaRegistryClient implements SchemaRegistryClient {
  private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final List<Endpoint> endpoints;
  private final AtomicInteger preferred = new AtomicInteger();
  private final boolean normalize;
  private final long latestTtlNanos;
  private final HttpClient http;
  private final Map<String, Map<Schema, Integer>> idsBySubject = new ConcurrentHashMap<>();
  private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();
  private final Map<String, CachedLatest> latestBySubject = new ConcurrentHashMap<>();
  private final Retry retry;
  private final AtomicReference<Instant> unavailableSince = new AtomicReference<>();

  /**
   * How one call is retried while the registry is unavailable: at most {@code attempts} tries, the
   * first pause {@code firstBackoff}, doubled each time, and no new try once {@code budget} would
   * be exceeded (a try that times out uses up the budget by itself).
   */
  record Retry(int attempts, Duration firstBackoff, Duration budget) {
    static final Retry DEFAULT = new Retry(3, Duration.ofMillis(200), Duration.ofSeconds(2));
  }

  /** One base URL, without user info, and the Authorization header to send to it (or null). */
  private record Endpoint(String baseUrl, String authorization) {}

  private record CachedLatest(RegisteredSchema schema, long fetchedAtNanos) {}

  public HttpSchemaRegistryClient(
      List<String> baseUrls, String basicAuthUserInfo, boolean normalize) {
    this(baseUrls, basicAuthUserInfo, null, normalize, -1);
  }

  /**
   * A client for the given base URLs.
   *
   * @param basicAuthUserInfo {@code user:password} for every URL, or null to use each URL's own
   *     user info (if any)
   * @param bearerToken a static bearer token, or null
   * @param normalize send {@code ?normalize=true} on register and lookup
   * @param latestCacheTtlSeconds how long a subject's latest version is cached; -1 for ever
   */
  public HttpSchemaRegistryClient(
      List<String> baseUrls,
      String basicAuthUserInfo,
      String bearerToken,
      boolean normalize,
      long latestCacheTtlSeconds) {
    this(baseUrls, basicAuthUserInfo, bearerToken, normalize, latestCacheTtlSeconds, Retry.DEFAULT);
  }

  /** As above, with the retry of unavailable calls given (tests make it fast). */
  HttpSchemaRegistryClient(
      List<String> baseUrls,
      String basicAuthUserInfo,
      String bearerToken,
      boolean normalize,
      long latestCacheTtlSeconds,
      Retry retry) {
    this.retry = retry;
    if (baseUrls.isEmpty()) {
      throw new IllegalArgumentException("At least one schema registry URL is needed");
    }
    List<Endpoint> list = new ArrayList<>();
    for (String url : baseUrls) {
      list.add(endpoint(url, basicAuthUserInfo, bearerToken));
    }
    this.endpoints = List.copyOf(list);
    this.normalize = normalize;
    this.latestTtlNanos =
        latestCacheTtlSeconds < 0 ? Long.MAX_VALUE : latestCacheTtlSeconds * 1_000_000_000L;
    // HTTP/1.1: no h2c upgrade dance with registries or proxies that mishandle it.
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
  }

  private static Endpoint endpoint(String url, String basicAuthUserInfo, String bearerToken) {
    String base = url.trim();
    while (base.endsWith("/")) {
      base = base.substring(0, base.length() - 1); // REST paths start with their own slash
    }
    URI uri;
    try {
      uri = URI.create(base);
    } catch (IllegalArgumentException e) {
      // Not chained: the parser's message repeats the whole URL, password included.
      throw new IllegalArgumentException(masked("Not a valid schema registry URL: " + base));
    }
    if (uri.getHost() == null) {
      // E.g. an unencoded '@' in the password: the JDK would echo the URL on every request.
      throw new IllegalArgumentException(
          masked("Not a schema registry URL with a host: " + base)
              + " (percent-encode '@', ':' and '/' in a user name or password)");
    }
    String userInfo = basicAuthUserInfo;
    if (uri.getRawUserInfo() != null) {
      if (userInfo == null) {
        userInfo = URLDecoder.decode(uri.getRawUserInfo(), StandardCharsets.UTF_8);
      }
      base = base.replace(uri.getRawUserInfo() + "@", "");
    }
    String authorization = null;
    if (bearerToken != null) {
      authorization = "Bearer " + bearerToken;
    } else if (userInfo != null) {
      authorization =
          "Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8));
    }
    return new Endpoint(base, authorization);
  }

  /** The base URLs, without user info, in configuration order. */
  public List<String> baseUrls() {
    return endpoints.stream().map(Endpoint::baseUrl).toList();
  }

  @Override
  public int register(String subject, Schema schema) {
    Map<Schema, Integer> cache = subjectCache(subject);
    Integer cached = cache.get(schema);
    if (cached != null) {
      return cached;
    }
    JsonNode response =
        send("POST", "/subjects/" + encode(subject) + "/versions" + normalizeQuery(), body(schema));
    int id = requireInt(response, "id", "register under subject " + subject);
    cache.put(schema, id);
    schemasById.putIfAbsent(id, schema);
    return id;
  }

  @Override
  public int lookup(String subject, Schema schema) {
    Map<Schema, Integer> cache = subjectCache(subject);
    Integer cached = cache.get(schema);
    if (cached != null) {
      return cached;
    }
    JsonNode response =
        send("POST", "/subjects/" + encode(subject) + normalizeQuery(), body(schema));
    int id = requireInt(response, "id", "lookup under subject " + subject);
    cache.put(schema, id);
    schemasById.putIfAbsent(id, schema);
    return id;
  }

  @Override
  public Schema getById(int id) {
    Schema cached = schemasById.get(id);
    if (cached != null) {
      return cached;
    }
    // Concurrent first reads of one id wait for a single request rather than each sending one.
    return schemasById.computeIfAbsent(
        id,
        i -> {
          JsonNode response = send("GET", "/schemas/ids/" + i, null);
          return parseSchema(response, "schema id " + i);
        });
  }

  @Override
  public RegisteredSchema getLatest(String subject) {
    CachedLatest cached = latestBySubject.get(subject);
    if (cached != null && System.nanoTime() - cached.fetchedAtNanos() < latestTtlNanos) {
      return cached.schema();
    }
    JsonNode response = send("GET", "/subjects/" + encode(subject) + "/versions/latest", null);
    Schema schema = parseSchema(response, "the latest version of subject " + subject);
    int id = requireInt(response, "id", "latest version of subject " + subject);
    schemasById.putIfAbsent(id, schema);
    RegisteredSchema latest =
        new RegisteredSchema(
            response.path("subject").asText(subject), response.path("version").asInt(), id, schema);
    latestBySubject.put(subject, new CachedLatest(latest, System.nanoTime()));
    return latest;
  }

  @Override
  public boolean testCompatibility(String subject, Schema schema) {
    try {
      JsonNode response =
          send(
              "POST",
              "/compatibility/subjects/" + encode(subject) + "/versions/latest",
              body(schema));
      if (!response.path("is_compatible").isBoolean()) {
        throw new SchemaRegistryException(
            "Compatibility check for subject "
                + subject
                + " answered without is_compatible: "
                + abbreviate(response.toString()),
            200,
            -1);
      }
      return response.path("is_compatible").asBoolean();
    } catch (SchemaRegistryException e) {
      if (e.isSubjectNotFound() || e.isVersionNotFound()) {
        return true; // nothing registered yet: anything is compatible
      }
      throw e;
    }
  }

  /** Asks with {@code verbose=true}, which Confluent and Apicurio answer with their reasons. */
  @Override
  public List<String> incompatibilities(String subject, Schema schema) {
    JsonNode response;
    try {
      response =
          send(
              "POST",
              "/compatibility/subjects/" + encode(subject) + "/versions/latest?verbose=true",
              body(schema));
    } catch (SchemaRegistryException e) {
      if (e.isSubjectNotFound() || e.isVersionNotFound()) {
        return List.of(); // nothing registered yet: anything is compatible
      }
      throw e;
    }
    JsonNode verdict = response.path("is_compatible");
    if (!verdict.isBoolean()) {
      throw new SchemaRegistryException(
          "Compatibility check for subject "
              + subject
              + " answered without is_compatible: "
              + abbreviate(response.toString()),
          200,
          -1);
    }
    if (verdict.asBoolean()) {
      return List.of();
    }
    List<String> reasons = new ArrayList<>();
    response.path("messages").forEach(m -> reasons.add(m.isTextual() ? m.asText() : m.toString()));
    return reasons.isEmpty() ? List.of(NO_DETAILS) : List.copyOf(reasons);
  }

  @Override
  public List<String> getSubjects() {
    JsonNode response = send("GET", "/subjects", null);
    List<String> subjects = new ArrayList<>();
    response.forEach(n -> subjects.add(n.asText()));
    return subjects;
  }

  private Map<Schema, Integer> subjectCache(String subject) {
    return idsBySubject.computeIfAbsent(subject, s -> new ConcurrentHashMap<>());
  }

  private String normalizeQuery() {
    return normalize ? "?normalize=true" : "";
  }

  private static Schema parseSchema(JsonNode response, String what) {
    String type = response.path("schemaType").asText("AVRO");
    if (!"AVRO".equalsIgnoreCase(type)) {
      throw new SchemaRegistryException(
          "The registry holds a " + type + " schema for " + what + ", not Avro", 200, -1);
    }
    if (response.path("references").size() > 0) {
      throw new SchemaRegistryException(
          "The schema for "
              + what
              + " uses schema references, which this client does not resolve: "
              + response.path("references"),
          200,
          -1);
    }
    JsonNode text = response.get("schema");
    if (text == null || !text.isTextual()) {
      throw new SchemaRegistryException(
          "The registry answered for " + what + " without a schema: " + abbreviate(response),
          200,
          -1);
    }
    try {
      return new Schema.Parser().parse(text.asText());
    } catch (SchemaParseException e) {
      throw new SchemaRegistryException(
          "The registry's schema for " + what + " is not valid Avro: " + e.getMessage(), e);
    }
  }

  private static int requireInt(JsonNode response, String field, String what) {
    JsonNode value = response.get(field);
    if (value == null || !value.canConvertToInt()) {
      throw new SchemaRegistryException(
          "The registry answered " + what + " without \"" + field + "\": " + abbreviate(response),
          200,
          -1);
    }
    return value.asInt();
  }

  private static String body(Schema schema) {
    ObjectNode node = JSON.createObjectNode();
    node.put("schemaType", "AVRO");
    node.put("schema", schema.toString());
    return node.toString();
  }

  private static String encode(String subject) {
    return URLEncoder.encode(subject, StandardCharsets.UTF_8).replace("+", "%20");
  }

  @Override
  public Optional<Instant> unavailableSince() {
    return Optional.ofNullable(unavailableSince.get());
  }

  /** One call, retried (bounded) while the registry is unavailable. */
  private JsonNode send(String method, String path, String body) {
    long startNanos = System.nanoTime();
    long backoffMillis = retry.firstBackoff().toMillis();
    for (int attempt = 1; ; attempt++) {
      try {
        JsonNode answer = sendOnce(method, path, body);
        unavailableSince.set(null);
        return answer;
      } catch (RegistryUnavailableException e) {
        if (Thread.currentThread().isInterrupted()) {
          throw e; // our own thread is stopping: the registry may well be fine
        }
        long elapsedMillis = (System.nanoTime() - startNanos) / 1_000_000;
        if (attempt >= retry.attempts()
            || elapsedMillis + backoffMillis > retry.budget().toMillis()) {
          unavailableSince.compareAndSet(null, Instant.now());
          throw e;
        }
        if (!pause(backoffMillis)) {
          throw e;
        }
        backoffMillis *= 2;
      } catch (SchemaRegistryException e) {
        unavailableSince.set(null); // it answered, if only to refuse
        throw e;
      }
    }
  }

  /** Sleeps; false if the thread was interrupted (the interrupt is kept). */
  private static boolean pause(long millis) {
    try {
      Thread.sleep(millis);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private JsonNode sendOnce(String method, String path, String body) {
    IOException lastFailure = null;
    int start = preferred.get();
    for (int attempt = 0; attempt < endpoints.size(); attempt++) {
      int index = (start + attempt) % endpoints.size();
      Endpoint endpoint = endpoints.get(index);
      HttpRequest.Builder request =
          HttpRequest.newBuilder(URI.create(endpoint.baseUrl() + path))
              .timeout(Duration.ofSeconds(30))
              .header("Accept", CONTENT_TYPE + ", application/json")
              .header("Confluent-Accept-Unknown-Properties", "true");
      if (endpoint.authorization() != null) {
        request.header("Authorization", endpoint.authorization());
      }
      if (body == null) {
        request.method(method, HttpRequest.BodyPublishers.noBody());
      } else {
        request
            .header("Content-Type", CONTENT_TYPE)
            .method(method, HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
      }
      HttpResponse<String> response;
      try {
        response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      } catch (IOException e) {
        lastFailure = e; // try the next URL, as Confluent's client does
        continue;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        // Not the record's fault: whoever reads it must not dead-letter it for this.
        throw new RegistryUnavailableException("Interrupted while calling the schema registry", e);
      }
      preferred.set(index);
      return parse(method, masked(endpoint.baseUrl() + path), response);
    }
    throw new RegistryUnavailableException(
        masked(
            "Schema registry unreachable at "
                + baseUrls()
                + " ("
                + method
                + " "
                + path
                + "): "
                + lastFailure),
        lastFailure);
  }

  private static JsonNode parse(String method, String url, HttpResponse<String> response) {
    int status = response.statusCode();
    String bodyText = response.body() == null ? "" : response.body();
    JsonNode node;
    try {
      node = bodyText.isBlank() ? JSON.nullNode() : JSON.readTree(bodyText);
    } catch (IOException e) {
      node = null;
    }
    if (status >= 200 && status < 300) {
      if (node == null) {
        throw new SchemaRegistryException(
            method + " " + url + " answered a body that is not JSON: " + abbreviate(bodyText),
            status,
            -1);
      }
      return node;
    }
    boolean transientStatus = RegistryUnavailableException.isTransient(status);
    if (node == null || !node.path("error_code").canConvertToInt()) {
      String message =
          method
              + " "
              + url
              + ": "
              + SchemaRegistryException.describe(status, SchemaRegistryException.UNPARSEABLE_ERROR)
              + "; the body is not a registry error: "
              + (bodyText.isBlank() ? "(empty)" : abbreviate(bodyText));
      throw transientStatus
          ? new RegistryUnavailableException(
              message, status, SchemaRegistryException.UNPARSEABLE_ERROR)
          : new SchemaRegistryException(message, status, SchemaRegistryException.UNPARSEABLE_ERROR);
    }
    int code = node.path("error_code").asInt();
    String message =
        method
            + " "
            + url
            + ": "
            + SchemaRegistryException.describe(status, code)
            + ": "
            + node.path("message").asText("");
    throw transientStatus
        ? new RegistryUnavailableException(message, status, code)
        : new SchemaRegistryException(message, status, code);
  }

  /**
   * A message with the user info of any URL in it masked: the base URLs are stored without it, this
   * also covers one the JDK could not split into user info and host (an unencoded {@code @}).
   */
  private static String masked(String message) {
    return Masking.maskUserInfo(message);
  }

  private static String abbreviate(Object body) {
    String text = String.valueOf(body);
    return text.length() > 200 ? text.substring(0, 200) + "…" : text;
  }
}
