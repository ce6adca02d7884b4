package io.lapse.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lapse.serde.ScriptedRegistryServer.Response;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The REST client's side of the protocol: paths, headers, caching, error mapping, failover. */
class HttpSchemaRegistryClientTest {
  private static final String BASE = "/apis/ccompat/v7";
  private static final Schema SCHEMA =
      SchemaBuilder.record("Thing")
          .namespace("io.lapse.test")
          .fields()
          .requiredString("a")
          .endRecord();
  private static final String SCHEMA_RESPONSE = "{\"schema\":" + quoted(SCHEMA.toString()) + "}";

  private final List<ScriptedRegistryServer> servers = new ArrayList<>();

  @AfterEach
  void stopServers() {
    servers.forEach(ScriptedRegistryServer::close);
  }

  private ScriptedRegistryServer server(int status, String body) throws IOException {
    ScriptedRegistryServer server =
        new ScriptedRegistryServer(BASE, request -> Response.json(status, body));
    servers.add(server);
    return server;
  }

  private static HttpSchemaRegistryClient client(String url) {
    return new HttpSchemaRegistryClient(List.of(url), null, false);
  }

  @Test
  void shouldAppendRestPathsToTheBaseUrlPathAndSendConfluentHeadersAndBody() throws IOException {
    ScriptedRegistryServer server = server(200, "{\"id\":7}");

    int id = client(server.url(BASE) + "/").register("challenge-created-value", SCHEMA);

    assertThat(id).isEqualTo(7);
    ScriptedRegistryServer.Request request = server.requests().get(0);
    assertThat(request.method()).isEqualTo("POST");
    assertThat(request.pathAndQuery()).isEqualTo("/subjects/challenge-created-value/versions");
    assertThat(request.contentType()).isEqualTo("application/vnd.schemaregistry.v1+json");
    assertThat(request.body())
        .isEqualTo("{\"schemaType\":\"AVRO\",\"schema\":" + quoted(SCHEMA.toString()) + "}");
  }

  @Test
  void shouldPercentEncodeSubjectsAndAskForNormalizationWhenConfigured() throws IOException {
    ScriptedRegistryServer server = server(200, "{\"id\":1,\"version\":1,\"subject\":\"s\"}");
    HttpSchemaRegistryClient client =
        new HttpSchemaRegistryClient(List.of(server.url(BASE)), null, true);

    client.lookup("a b/c", SCHEMA);

    assertThat(server.requests().get(0).pathAndQuery())
        .isEqualTo("/subjects/a%20b%2Fc?normalize=true");
  }

  @Test
  void shouldRegisterEachSchemaOncePerSubjectAndKnowItsIdWithoutAsking() throws IOException {
    ScriptedRegistryServer server = server(200, "{\"id\":3}");
    HttpSchemaRegistryClient client = client(server.url(BASE));

    client.register("s-value", SCHEMA);
    client.register("s-value", SCHEMA);
    Schema byId = client.getById(3);

    assertThat(byId).isEqualTo(SCHEMA);
    assertThat(server.requests()).hasSize(1);
  }

  @Test
  void shouldRegisterTheSameSchemaAgainUnderAnotherSubject() throws IOException {
    ScriptedRegistryServer server = server(200, "{\"id\":3}");
    HttpSchemaRegistryClient client = client(server.url(BASE));

    client.register("a-value", SCHEMA);
    client.register("b-value", SCHEMA);

    assertThat(server.requests())
        .extracting(ScriptedRegistryServer.Request::pathAndQuery)
        .containsExactly("/subjects/a-value/versions", "/subjects/b-value/versions");
  }

  @Test
  void shouldFetchASchemaByIdOnceAndReadAMissingSchemaTypeAsAvro() throws IOException {
    ScriptedRegistryServer server = server(200, SCHEMA_RESPONSE);
    HttpSchemaRegistryClient client = client(server.url(BASE));

    assertThat(client.getById(11)).isEqualTo(SCHEMA);
    assertThat(client.getById(11)).isEqualTo(SCHEMA);

    assertThat(server.requests())
        .extracting(ScriptedRegistryServer.Request::pathAndQuery)
        .containsExactly("/schemas/ids/11");
  }

  @Test
  void shouldCacheLookupsPerSubject() throws IOException {
    ScriptedRegistryServer server = server(200, "{\"id\":4,\"version\":1,\"subject\":\"s\"}");
    HttpSchemaRegistryClient client = client(server.url(BASE));

    assertThat(client.lookup("s", SCHEMA)).isEqualTo(4);
    assertThat(client.lookup("s", SCHEMA)).isEqualTo(4);

    assertThat(server.requests()).hasSize(1);
  }

  @Test
  void shouldCacheTheLatestVersionForEverByDefault() throws IOException {
    ScriptedRegistryServer server =
        server(
            200,
            "{\"subject\":\"s\",\"version\":2,\"id\":9,\"schema\":"
                + quoted(SCHEMA.toString())
                + "}");
    HttpSchemaRegistryClient client = client(server.url(BASE));

    SchemaRegistryClient.RegisteredSchema latest = client.getLatest("s");
    client.getLatest("s");

    assertThat(latest).isEqualTo(new SchemaRegistryClient.RegisteredSchema("s", 2, 9, SCHEMA));
    assertThat(server.requests())
        .extracting(ScriptedRegistryServer.Request::pathAndQuery)
        .containsExactly("/subjects/s/versions/latest");
  }

  @Test
  void shouldAskForTheLatestVersionAgainOnceItsCacheTtlHasPassed() throws IOException {
    ScriptedRegistryServer server =
        server(
            200,
            "{\"subject\":\"s\",\"version\":2,\"id\":9,\"schema\":"
                + quoted(SCHEMA.toString())
                + "}");
    HttpSchemaRegistryClient client =
        new HttpSchemaRegistryClient(List.of(server.url(BASE)), null, null, false, 0);

    client.getLatest("s");
    client.getLatest("s");

    assertThat(server.requests()).hasSize(2);
  }

  @ParameterizedTest(name = "error_code {0}")
  @ValueSource(ints = {409, 40901})
  void shouldReportHttp409AsIncompatibleWhateverTheErrorCode(int code) throws IOException {
    ScriptedRegistryServer server =
        server(
            409,
            "{\"error_code\":"
                + code
                + ",\"message\":\"Schema being registered is incompatible\"}");

    assertThatThrownBy(() -> client(server.url(BASE)).register("s", SCHEMA))
        .isInstanceOfSatisfying(
            SchemaRegistryException.class,
            e -> {
              assertThat(e.isIncompatible()).isTrue();
              assertThat(e.httpStatus()).isEqualTo(409);
              assertThat(e.errorCode()).isEqualTo(code);
            })
        .hasMessageContaining("incompatible with an earlier schema of the subject")
        .hasMessageContaining("POST " + server.url(BASE) + "/subjects/s/versions");
  }

  @Test
  void shouldTellAMissingSubjectFromAMissingSchemaOnLookup() throws IOException {
    ScriptedRegistryServer noSubject =
        server(404, "{\"error_code\":40401,\"message\":\"Subject 's' not found.\"}");
    ScriptedRegistryServer noSchema =
        server(404, "{\"error_code\":40403,\"message\":\"Schema not found\"}");

    assertThatThrownBy(() -> client(noSubject.url(BASE)).lookup("s", SCHEMA))
        .isInstanceOfSatisfying(
            SchemaRegistryException.class, e -> assertThat(e.isSubjectNotFound()).isTrue())
        .hasMessageContaining("subject not found");
    assertThatThrownBy(() -> client(noSchema.url(BASE)).lookup("s", SCHEMA))
        .isInstanceOfSatisfying(
            SchemaRegistryException.class,
            e -> {
              assertThat(e.isSchemaNotFound()).isTrue();
              assertThat(e.isSubjectNotFound()).isFalse();
            })
        .hasMessageContaining("schema not found");
  }

  @Test
  void shouldReportAnInvalidSchemaByItsCode() throws IOException {
    ScriptedRegistryServer server =
        server(422, "{\"error_code\":42201,\"message\":\"Invalid schema\"}");

    assertThatThrownBy(() -> client(server.url(BASE)).register("s", SCHEMA))
        .isInstanceOfSatisfying(
            SchemaRegistryException.class, e -> assertThat(e.isInvalidSchema()).isTrue())
        .hasMessageContaining("invalid schema");
  }

  @Test
  void shouldMapAnErrorBodyThatIsNotJsonToCode50005AndQuoteIt() throws IOException {
    ScriptedRegistryServer server =
        new ScriptedRegistryServer(
            BASE, r -> new Response(502, "text/html", "<html><body>Bad Gateway</body></html>"));
    servers.add(server);

    assertThatThrownBy(() -> client(server.url(BASE)).getById(1))
        .isInstanceOfSatisfying(
            SchemaRegistryException.class,
            e -> {
              assertThat(e.httpStatus()).isEqualTo(502);
              assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.UNPARSEABLE_ERROR);
            })
        .hasMessageContaining("Bad Gateway")
        .hasMessageContaining("registry server error");
  }

  @Test
  void shouldHintAtTheBasePathWhenAnEmpty404Answers() throws IOException {
    ScriptedRegistryServer server = server(404, "");

    assertThatThrownBy(() -> client(server.url("")).getById(1))
        .isInstanceOfSatisfying(
            SchemaRegistryException.class, e -> assertThat(e.isNotFound()).isTrue())
        .hasMessageContaining("is the base URL right?")
        .hasMessageContaining("(empty)");
  }

  @Test
  void shouldRefuseASuccessAnswerWithoutAnId() throws IOException {
    ScriptedRegistryServer server = server(200, "{}");

    assertThatThrownBy(() -> client(server.url(BASE)).register("s", SCHEMA))
        .isInstanceOf(SchemaRegistryException.class)
        .hasMessageContaining("without \"id\"");
  }

  @Test
  void shouldRefuseASuccessAnswerThatIsNotJson() throws IOException {
    ScriptedRegistryServer server =
        new ScriptedRegistryServer(BASE, r -> new Response(200, "text/html", "<html/>"));
    servers.add(server);

    assertThatThrownBy(() -> client(server.url(BASE)).register("s", SCHEMA))
        .isInstanceOf(SchemaRegistryException.class)
        .hasMessageContaining("not JSON");
  }

  @Test
  void shouldRefuseANonAvroSchemaById() throws IOException {
    ScriptedRegistryServer server =
        server(200, "{\"schema\":\"syntax = \\\"proto3\\\";\",\"schemaType\":\"PROTOBUF\"}");

    assertThatThrownBy(() -> client(server.url(BASE)).getById(2))
        .isInstanceOf(SchemaRegistryException.class)
        .hasMessageContaining("PROTOBUF schema for schema id 2, not Avro");
  }

  @Test
  void shouldFailOverToTheNextUrlWhenAConnectionIsRefused() throws IOException {
    ScriptedRegistryServer live = server(200, SCHEMA_RESPONSE);
    HttpSchemaRegistryClient client =
        new HttpSchemaRegistryClient(List.of(deadUrl(), live.url(BASE)), null, false);

    assertThat(client.getById(5)).isEqualTo(SCHEMA);
    assertThat(live.requests()).hasSize(1);
  }

  @Test
  void shouldStayOnTheUrlThatAnsweredForLaterCalls() throws IOException {
    ScriptedRegistryServer first = server(200, SCHEMA_RESPONSE);
    ScriptedRegistryServer second = server(200, SCHEMA_RESPONSE);
    HttpSchemaRegistryClient client =
        new HttpSchemaRegistryClient(
            List.of(deadUrl(), first.url(BASE), second.url(BASE)), null, false);

    client.getById(1);
    client.getById(2);

    assertThat(first.requests()).hasSize(2);
    assertThat(second.requests()).isEmpty();
  }

  @Test
  void shouldNameEveryUrlWhenNoneIsReachable() throws IOException {
    String dead = deadUrl();
    HttpSchemaRegistryClient client = new HttpSchemaRegistryClient(List.of(dead), null, false);

    assertThatThrownBy(() -> client.getById(1))
        .isInstanceOfSatisfying(
            SchemaRegistryException.class, e -> assertThat(e.isUnreachable()).isTrue())
        .hasMessageContaining("unreachable")
        .hasMessageContaining(dead);
  }

  @Test
  void shouldSendBasicAuthFromUserInfo() throws IOException {
    ScriptedRegistryServer server = server(200, SCHEMA_RESPONSE);
    HttpSchemaRegistryClient client =
        new HttpSchemaRegistryClient(List.of(server.url(BASE)), "alice:s3cret", false);

    client.getById(1);

    assertThat(server.requests().get(0).authorization()).isEqualTo(basic("alice:s3cret"));
  }

  @Test
  void shouldTakeBasicAuthFromTheUrlAndKeepTheSecretOutOfMessages() throws IOException {
    ScriptedRegistryServer server =
        server(500, "{\"error_code\":50001,\"message\":\"Error in the backend data store\"}");
    String url = server.url(BASE).replace("http://", "http://alice:s3cret@");
    HttpSchemaRegistryClient client = new HttpSchemaRegistryClient(List.of(url), null, false);

    assertThatThrownBy(() -> client.getById(1))
        .hasMessageContaining("registry store error")
        .hasMessageNotContaining("s3cret");
    assertThat(server.requests().get(0).authorization()).isEqualTo(basic("alice:s3cret"));
    assertThat(client.baseUrls()).containsExactly(server.url(BASE));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "http://alice:s3 cret@127.0.0.1:1/apis", // not a URI: the JDK's message echoes it
        "http://alice:s3@cret@127.0.0.1:1/apis" // the '@' in the password is not encoded
      })
  void shouldRefuseABadUrlWithoutRepeatingItsPassword(String url) {
    assertThatThrownBy(() -> new HttpSchemaRegistryClient(List.of(url), null, false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("****@")
        .hasMessageNotContainingAny("s3", "cret", "alice")
        .hasNoCause();
  }

  @Test
  void shouldKeepTheUserInfoOutOfTheUnreachableMessage() throws IOException {
    String dead = deadUrl();
    HttpSchemaRegistryClient client =
        new HttpSchemaRegistryClient(
            List.of(dead.replace("http://", "http://alice:s3cret@")), null, false);

    assertThatThrownBy(() -> client.getById(1))
        .hasMessageContaining(dead)
        .hasMessageNotContainingAny("s3cret", "alice");
  }

  @Test
  void shouldSendAStaticBearerToken() throws IOException {
    ScriptedRegistryServer server = server(200, SCHEMA_RESPONSE);
    HttpSchemaRegistryClient client =
        new HttpSchemaRegistryClient(List.of(server.url(BASE)), null, "tok-123", false, -1);

    client.getById(1);

    assertThat(server.requests().get(0).authorization()).isEqualTo("Bearer tok-123");
  }

  @Test
  void shouldReadCompatibilityAnswersAndTreatAMissingSubjectAsCompatible() throws IOException {
    ScriptedRegistryServer incompatible = server(200, "{\"is_compatible\":false}");
    ScriptedRegistryServer missing =
        server(404, "{\"error_code\":40401,\"message\":\"Subject 's' not found.\"}");

    assertThat(client(incompatible.url(BASE)).testCompatibility("s", SCHEMA)).isFalse();
    assertThat(client(missing.url(BASE)).testCompatibility("s", SCHEMA)).isTrue();
    assertThat(incompatible.requests().get(0).pathAndQuery())
        .isEqualTo("/compatibility/subjects/s/versions/latest");
  }

  @Test
  void shouldGiveTheRegistrysReasonsForAnIncompatibleSchema() throws IOException {
    ScriptedRegistryServer verbose =
        server(
            200,
            "{\"is_compatible\":false,\"messages\":[\"READER_FIELD_MISSING_DEFAULT_VALUE: a\"]}");
    ScriptedRegistryServer terse = server(200, "{\"is_compatible\":false}");
    ScriptedRegistryServer compatible = server(200, "{\"is_compatible\":true}");
    ScriptedRegistryServer missing =
        server(404, "{\"error_code\":40401,\"message\":\"Subject 's' not found.\"}");

    assertThat(client(verbose.url(BASE)).incompatibilities("s", SCHEMA))
        .containsExactly("READER_FIELD_MISSING_DEFAULT_VALUE: a");
    assertThat(client(terse.url(BASE)).incompatibilities("s", SCHEMA))
        .containsExactly(SchemaRegistryClient.NO_DETAILS);
    assertThat(client(compatible.url(BASE)).incompatibilities("s", SCHEMA)).isEmpty();
    assertThat(client(missing.url(BASE)).incompatibilities("s", SCHEMA)).isEmpty();
    assertThat(verbose.requests().get(0).pathAndQuery())
        .isEqualTo("/compatibility/subjects/s/versions/latest?verbose=true");
  }

  @Test
  void shouldListSubjects() throws IOException {
    ScriptedRegistryServer server = server(200, "[\"a-value\",\"b-value\"]");

    assertThat(client(server.url(BASE)).getSubjects()).containsExactly("a-value", "b-value");
  }

  @ParameterizedTest(name = "HTTP {0}")
  @ValueSource(ints = {500, 502, 503, 504, 429, 408})
  void shouldReportStatusesThatMeanNotNowAsRegistryUnavailableAfterRetryingTheCall(int status)
      throws IOException {
    ScriptedRegistryServer server = server(status, "");
    HttpSchemaRegistryClient client = fastRetrying(server.url(BASE), 3);

    assertThatThrownBy(() -> client.getById(1))
        .isInstanceOfSatisfying(
            RegistryUnavailableException.class, e -> assertThat(e.httpStatus()).isEqualTo(status));
    assertThat(server.requests()).hasSize(3);
    assertThat(client.unavailableSince()).isPresent();
  }

  @ParameterizedTest(name = "HTTP {0}")
  @ValueSource(ints = {400, 401, 403, 404, 409, 422})
  void shouldReportOtherRefusalsAsPlainRegistryErrorsWithoutRetrying(int status)
      throws IOException {
    ScriptedRegistryServer server = server(status, "{\"error_code\":" + status + "01}");
    HttpSchemaRegistryClient client = fastRetrying(server.url(BASE), 3);

    assertThatThrownBy(() -> client.getById(1))
        .isInstanceOf(SchemaRegistryException.class)
        .isNotInstanceOf(RegistryUnavailableException.class);
    assertThat(server.requests()).hasSize(1);
    assertThat(client.unavailableSince()).isEmpty();
  }

  @Test
  void shouldReportAnUnknownSchemaIdAsASchemaNotFoundAndNotAsAnOutage() throws IOException {
    ScriptedRegistryServer server =
        server(404, "{\"error_code\":40403,\"message\":\"Schema 9 not found\"}");
    HttpSchemaRegistryClient client = fastRetrying(server.url(BASE), 3);

    assertThatThrownBy(() -> client.getById(9))
        .isInstanceOfSatisfying(
            SchemaRegistryException.class,
            e -> {
              assertThat(e.isSchemaNotFound()).isTrue();
              assertThat(RegistryUnavailableException.isCauseOf(e)).isFalse();
            });
    assertThat(server.requests()).hasSize(1);
  }

  @Test
  void shouldReportARefusedConnectionAsRegistryUnavailable() throws IOException {
    HttpSchemaRegistryClient client = fastRetrying(deadUrl(), 2);

    assertThatThrownBy(() -> client.getById(1))
        .isInstanceOfSatisfying(
            RegistryUnavailableException.class, e -> assertThat(e.isUnreachable()).isTrue());
    assertThat(client.unavailableSince()).isPresent();
  }

  @Test
  void shouldReportAConnectionClosedWithoutAnAnswerAsRegistryUnavailable() throws IOException {
    try (DroppingServer dropping = new DroppingServer()) {
      HttpSchemaRegistryClient client = fastRetrying(dropping.url(), 2);

      assertThatThrownBy(() -> client.getById(1))
          .isInstanceOfSatisfying(
              RegistryUnavailableException.class, e -> assertThat(e.isUnreachable()).isTrue());
      assertThat(dropping.accepted()).isGreaterThanOrEqualTo(2);
    }
  }

  @Test
  void shouldRideOutABlipWithinOneCall() throws IOException {
    AtomicInteger calls = new AtomicInteger();
    ScriptedRegistryServer server =
        new ScriptedRegistryServer(
            BASE,
            r ->
                calls.incrementAndGet() == 1
                    ? Response.json(503, "")
                    : Response.json(200, SCHEMA_RESPONSE));
    servers.add(server);

    assertThat(fastRetrying(server.url(BASE), 3).getById(1)).isEqualTo(SCHEMA);
    assertThat(calls).hasValue(2);
  }

  @Test
  void shouldStopRetryingOnceTheBudgetIsSpent() throws IOException {
    ScriptedRegistryServer server = server(503, "");
    HttpSchemaRegistryClient client =
        new HttpSchemaRegistryClient(
            List.of(server.url(BASE)),
            null,
            null,
            false,
            -1,
            new HttpSchemaRegistryClient.Retry(10, Duration.ofMillis(40), Duration.ofMillis(100)));

    assertThatThrownBy(() -> client.getById(1)).isInstanceOf(RegistryUnavailableException.class);
    // Ten tries are allowed, but a third (at 0, 40, then 120 ms) would exceed the 100 ms budget:
    // at most two are sent. On a loaded machine the first answer alone may take past 60 ms, and
    // then the budget leaves no room for a second: one is right too.
    assertThat(server.requests()).hasSizeBetween(1, 2);
  }

  @Test
  void shouldSayTheRegistryIsAvailableAgainOnceACallIsAnswered() throws IOException {
    AtomicBoolean down = new AtomicBoolean(true);
    ScriptedRegistryServer server =
        new ScriptedRegistryServer(
            BASE, r -> down.get() ? Response.json(503, "") : Response.json(200, SCHEMA_RESPONSE));
    servers.add(server);
    HttpSchemaRegistryClient client = fastRetrying(server.url(BASE), 1);

    assertThatThrownBy(() -> client.getById(1)).isInstanceOf(RegistryUnavailableException.class);
    assertThat(client.unavailableSince()).isPresent();
    down.set(false);

    assertThat(client.getById(1)).isEqualTo(SCHEMA);
    assertThat(client.unavailableSince()).isEmpty();
  }

  @Test
  void shouldNotRetryWhenTheCallingThreadIsInterrupted() throws IOException {
    ScriptedRegistryServer server = server(503, "");
    HttpSchemaRegistryClient client = fastRetrying(server.url(BASE), 3);

    Thread.currentThread().interrupt();
    try {
      assertThatThrownBy(() -> client.getById(1)).isInstanceOf(RegistryUnavailableException.class);
    } finally {
      Thread.interrupted();
    }
    assertThat(server.requests()).hasSizeLessThanOrEqualTo(1);
  }

  private static HttpSchemaRegistryClient fastRetrying(String url, int attempts) {
    return new HttpSchemaRegistryClient(
        List.of(url),
        null,
        null,
        false,
        -1,
        new HttpSchemaRegistryClient.Retry(attempts, Duration.ofMillis(1), Duration.ofSeconds(5)));
  }

  /** A URL on which nothing listens: a port the OS just handed out and took back. */
  private static String deadUrl() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return "http://127.0.0.1:" + socket.getLocalPort() + BASE;
    }
  }

  private static String basic(String userInfo) {
    return "Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8));
  }

  private static String quoted(String text) {
    return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
