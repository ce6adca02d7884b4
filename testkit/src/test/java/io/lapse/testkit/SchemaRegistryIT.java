package io.lapse.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.lapse.infra.SchemaRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

@LapseIntegration
class SchemaRegistryIT {

  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";

  private static final String V1 =
      "{\"type\":\"record\",\"name\":\"Probe\",\"namespace\":\"io.lapse.test\","
          + "\"fields\":[{\"name\":\"sid\",\"type\":\"string\"}]}";
  // Adds a field without a default: readers of V2 cannot read V1 data, so not BACKWARD.
  private static final String V2_INCOMPATIBLE =
      "{\"type\":\"record\",\"name\":\"Probe\",\"namespace\":\"io.lapse.test\","
          + "\"fields\":[{\"name\":\"sid\",\"type\":\"string\"},{\"name\":\"n\",\"type\":\"int\"}]}";
  private static final String V2_COMPATIBLE =
      "{\"type\":\"record\",\"name\":\"Probe\",\"namespace\":\"io.lapse.test\","
          + "\"fields\":[{\"name\":\"sid\",\"type\":\"string\"},"
          + "{\"name\":\"n\",\"type\":\"int\",\"default\":0}]}";

  @Test
  void shouldReturnTheRegisteredSchemaByItsId(SchemaRegistry registry) throws Exception {
    String subject = KafkaHelpers.uniqueName("probe") + "-value";

    HttpResponse<String> registered = register(registry, subject, V1);
    assertThat(registered.statusCode()).isEqualTo(200);
    long id = idOf(registered.body());

    HttpResponse<String> byId = get(registry, "/schemas/ids/" + id);
    assertThat(byId.statusCode()).isEqualTo(200);
    assertThat(byId.body()).contains("Probe").contains("\\\"sid\\\"");
  }

  @Test
  void shouldRejectABackwardIncompatibleSchemaWithConflictButAcceptACompatibleOne(
      SchemaRegistry registry) throws Exception {
    String subject = KafkaHelpers.uniqueName("evolving") + "-value";
    assertThat(register(registry, subject, V1).statusCode()).isEqualTo(200);

    assertThat(register(registry, subject, V2_INCOMPATIBLE).statusCode()).isEqualTo(409);
    assertThat(register(registry, subject, V2_COMPATIBLE).statusCode()).isEqualTo(200);

    HttpResponse<String> versions = get(registry, "/subjects/" + subject + "/versions");
    assertThat(versions.body()).isEqualTo("[1,2]");
  }

  @Test
  void shouldServeOnLoopbackUnderTheConfluentCompatiblePath(SchemaRegistry registry) {
    assertThat(registry.url()).startsWith("http://127.0.0.1:").endsWith("/apis/ccompat/v7");
  }

  static HttpResponse<String> register(SchemaRegistry registry, String subject, String schema)
      throws Exception {
    String body = "{\"schema\":" + jsonString(schema) + "}";
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(registry.url() + "/subjects/" + subject + "/versions"))
            .header("Content-Type", CONTENT_TYPE)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> get(SchemaRegistry registry, String path) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(registry.url() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static long idOf(String body) {
    Matcher m = Pattern.compile("\"id\"\\s*:\\s*(\\d+)").matcher(body);
    assertThat(m.find()).as("id in %s", body).isTrue();
    return Long.parseLong(m.group(1));
  }

  private static String jsonString(String raw) {
    return "\"" + raw.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
