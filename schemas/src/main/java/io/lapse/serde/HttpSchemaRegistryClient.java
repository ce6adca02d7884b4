package io.lapse.serde;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;

/**
 * Speaks the Confluent Schema Registry REST API (register, lookup, by id, latest, compatibility,
 * subjects) over the JDK's HTTP client. Base URLs may carry a path (Apicurio serves the API under
 * {@code /apis/ccompat/v7}); with several URLs, a connection failure moves on to the next one. Ids
 * and schemas are cached, so the registry is asked once per schema.
 */
public final class HttpSchemaRegistryClient implements SchemaRegistryClient {
  private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final List<String> baseUrls;
  private final String authorization;
  private final boolean normalize;
  private final HttpClient http;
  private final Map<String, Map<Schema, Integer>> idsBySubject = new ConcurrentHashMap<>();
  private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();

  public HttpSchemaRegistryClient(
      List<String> baseUrls, String basicAuthUserInfo, boolean normalize) {
    if (baseUrls.isEmpty()) {
      throw new IllegalArgumentException("At least one schema registry URL is needed");
    }
    this.baseUrls = List.copyOf(baseUrls);
    this.authorization =
        basicAuthUserInfo == null
            ? null
            : "Basic "
                + Base64.getEncoder()
                    .encodeToString(basicAuthUserInfo.getBytes(StandardCharsets.UTF_8));
    this.normalize = normalize;
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  }

  @Override
  public int register(String subject, Schema schema) {
    Map<Schema, Integer> cache =
        idsBySubject.computeIfAbsent(subject, s -> new ConcurrentHashMap<>());
    Integer cached = cache.get(schema);
    if (cached != null) {
      return cached;
    }
    JsonNode response =
        send("POST", "/subjects/" + encode(subject) + "/versions" + normalizeQuery(), body(schema));
    int id = response.path("id").asInt();
    cache.put(schema, id);
    schemasById.putIfAbsent(id, schema);
    return id;
  }

  @Override
  public int lookup(String subject, Schema schema) {
    Map<Schema, Integer> cache =
        idsBySubject.computeIfAbsent(subject, s -> new ConcurrentHashMap<>());
    Integer cached = cache.get(schema);
    if (cached != null) {
      return cached;
    }
    JsonNode response =
        send("POST", "/subjects/" + encode(subject) + normalizeQuery(), body(schema));
    int id = response.path("id").asInt();
    cache.put(schema, id);
    return id;
  }

  @Override
  public Schema getById(int id) {
    return schemasById.computeIfAbsent(
        id,
        i -> {
          JsonNode response = send("GET", "/schemas/ids/" + i, null);
          requireAvro(response, "schema id " + i);
          return new Schema.Parser().parse(response.path("schema").asText());
        });
  }

  @Override
  public RegisteredSchema getLatest(String subject) {
    JsonNode response = send("GET", "/subjects/" + encode(subject) + "/versions/latest", null);
    requireAvro(response, "subject " + subject);
    Schema schema = new Schema.Parser().parse(response.path("schema").asText());
    int id = response.path("id").asInt();
    schemasById.putIfAbsent(id, schema);
    return new RegisteredSchema(
        response.path("subject").asText(subject), response.path("version").asInt(), id, schema);
  }

  @Override
  public boolean testCompatibility(String subject, Schema schema) {
    try {
      JsonNode response =
          send(
              "POST",
              "/compatibility/subjects/" + encode(subject) + "/versions/latest",
              body(schema));
      return response.path("is_compatible").asBoolean(false);
    } catch (SchemaRegistryException e) {
      if (e.errorCode() == SchemaRegistryException.SUBJECT_NOT_FOUND
          || e.errorCode() == SchemaRegistryException.VERSION_NOT_FOUND) {
        return true; // nothing registered yet: anything is compatible
      }
      throw e;
    }
  }

  @Override
  public List<String> getSubjects() {
    JsonNode response = send("GET", "/subjects", null);
    List<String> subjects = new ArrayList<>();
    response.forEach(n -> subjects.add(n.asText()));
    return subjects;
  }

  private String normalizeQuery() {
    return normalize ? "?normalize=true" : "";
  }

  private static void requireAvro(JsonNode response, String what) {
    String type = response.path("schemaType").asText("AVRO");
    if (!"AVRO".equalsIgnoreCase(type)) {
      throw new SchemaRegistryException(
          "The registry holds a " + type + " schema for " + what + ", not Avro", 200, -1);
    }
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

  private JsonNode send(String method, String path, String body) {
    IOException lastFailure = null;
    for (String base : baseUrls) {
      HttpRequest.Builder request =
          HttpRequest.newBuilder(URI.create(base + path))
              .timeout(Duration.ofSeconds(30))
              .header("Accept", CONTENT_TYPE + ", application/json")
              .header("Confluent-Accept-Unknown-Properties", "true");
      if (authorization != null) {
        request.header("Authorization", authorization);
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
        throw new SchemaRegistryException("Interrupted while calling the schema registry", e);
      }
      return parse(method, base + path, response);
    }
    throw new SchemaRegistryException(
        "Schema registry unreachable at " + baseUrls + ": " + lastFailure, lastFailure);
  }

  private static JsonNode parse(String method, String url, HttpResponse<String> response) {
    int status = response.statusCode();
    JsonNode node;
    try {
      node = response.body().isEmpty() ? JSON.nullNode() : JSON.readTree(response.body());
    } catch (IOException e) {
      node = null;
    }
    if (status >= 200 && status < 300) {
      if (node == null) {
        throw new SchemaRegistryException(
            method + " " + url + " answered a body that is not JSON", status, -1);
      }
      return node;
    }
    if (node == null || !node.has("error_code")) {
      throw new SchemaRegistryException(
          method + " " + url + " failed: " + abbreviate(response.body()),
          status,
          SchemaRegistryException.UNPARSEABLE_ERROR);
    }
    throw new SchemaRegistryException(
        method + " " + url + ": " + node.path("message").asText(),
        status,
        node.path("error_code").asInt());
  }

  private static String abbreviate(String body) {
    return body.length() > 200 ? body.substring(0, 200) + "…" : body;
  }
}
