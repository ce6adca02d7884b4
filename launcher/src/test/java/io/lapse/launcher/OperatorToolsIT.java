package io.lapse.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lapse.examples.TotpCodes;
import io.lapse.expiry.ExpiryConfig;
import io.lapse.expiry.ExpiryProcessorApp;
import io.lapse.infra.KafkaBroker;
import io.lapse.infra.SchemaRegistry;
import io.lapse.service.ChallengeServiceApp;
import io.lapse.service.ServiceConfig;
import io.lapse.testkit.KafkaHelpers;
import io.lapse.testkit.LapseIntegration;
import io.lapse.topics.TopicNames;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code ./lapse timeline} and {@code ./lapse status} against the running system (real broker, real
 * registry, both services): a challenge expires through the API, and a record that cannot be
 * decoded is dead-lettered; the tools must show both as they happened.
 */
@LapseIntegration
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OperatorToolsIT {
  private static final String ACCOUNT = "AC" + "c".repeat(32);
  private static final String TOKEN = "operator-tools-token-0123456789abcdef";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Map<String, String> env = new HashMap<>();
  private final HttpClient http = HttpClient.newHttpClient();
  private ExpiryProcessorApp processor;
  private ChallengeServiceApp service;
  private RunningSystem system;
  private TopicNames names;
  private String expiredSid;

  OperatorToolsIT(KafkaBroker broker, SchemaRegistry registry) {
    String id = KafkaHelpers.uniqueName("ops");
    SecureRandom random = new SecureRandom();
    byte[] seedKey = new byte[32];
    byte[] macKey = new byte[32];
    random.nextBytes(seedKey);
    random.nextBytes(macKey);
    env.put("KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers());
    env.put("SCHEMA_REGISTRY_URL", registry.url());
    env.put("LAPSE_PARTITIONS", "3");
    env.put("LAPSE_TOPIC_PREFIX", id + ".");
    env.put("HTTP_PORT", "0");
    env.put("LAPSE_ACCOUNT_SID", ACCOUNT);
    env.put("LAPSE_AUTH_TOKEN", TOKEN);
    env.put("LAPSE_SECRET_KEY", Base64.getEncoder().encodeToString(seedKey));
    byte[] clusterKey = new byte[32];
    random.nextBytes(clusterKey);
    env.put("LAPSE_CLUSTER_KEY", Base64.getEncoder().encodeToString(clusterKey));
    env.put("LAPSE_INTERNAL_PORT", "0");
    env.put("LAPSE_RESPONSE_MAC_KEYS", "ops1:" + Base64.getEncoder().encodeToString(macKey));
    env.put("LAPSE_EXPIRY_APPLICATION_ID", id + "-expiry");
    env.put("LAPSE_EXPIRY_HTTP_PORT", "0");
    // Tests start many processors: no warm-up rehearsal (ExpiryWarmUpIT covers it).
    env.put("LAPSE_EXPIRY_WARM_UP_MS", "0");
    env.put("LAPSE_STATE_DIR", Path.of("target", "it-state", id).toAbsolutePath().toString());
    env.put("LAPSE_SERVICE_APPLICATION_ID", id + "-service");
    env.put(
        "LAPSE_SERVICE_STATE_DIR",
        Path.of("target", "it-state", id + "-service").toAbsolutePath().toString());
    names = TopicNames.fromEnv(env);
  }

  @BeforeAll
  void startAndExpireAChallenge() throws Exception {
    processor = ExpiryProcessorApp.start(ExpiryConfig.fromEnv(env));
    service = ChallengeServiceApp.start(ServiceConfig.fromEnv(env));
    system =
        new RunningSystem(
            ProcessHandle.current().pid(),
            service.baseUrl(),
            env.get("KAFKA_BOOTSTRAP_SERVERS"),
            env.get("SCHEMA_REGISTRY_URL"),
            "http://127.0.0.1:" + processor.httpPort());

    String vs = post("/v2/Services", "FriendlyName", "Ops").path("sid").asText();
    String entity = "/v2/Services/" + vs + "/Entities/ops-user";
    JsonNode factor = post(entity + "/Factors", "FriendlyName", "Phone", "FactorType", "totp");
    String factorSid = factor.path("sid").asText();
    String secret = factor.path("binding").path("secret").asText();
    // The previous step's code: the step used here must stay free for nothing else to claim.
    post(
        entity + "/Factors/" + factorSid,
        "AuthPayload",
        TotpCodes.code(secret, Instant.now().minusSeconds(30)));
    String deadline = Instant.now().plusSeconds(3).truncatedTo(ChronoUnit.SECONDS).toString();
    expiredSid =
        post(entity + "/Challenges", "FactorSid", factorSid, "ExpirationDate", deadline)
            .path("sid")
            .asText();
    String challenge = entity + "/Challenges/" + expiredSid;
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> get(challenge).path("status").asText(), "expired"::equals);
  }

  @AfterAll
  void stop() {
    if (service != null) {
      service.close();
    }
    if (processor != null) {
      processor.close();
    }
  }

  @Test
  void timelineShouldShowTheCreateAndTheExpiryInOrderWithItsLateness() {
    List<Timeline.Event> events =
        Timeline.read(expiredSid, system.bootstrap(), system.registry(), names);

    assertThat(events)
        .extracting(Timeline.Event::type)
        .containsExactly("ChallengeCreated", "ChallengeExpired");
    assertThat(events.get(0).topic()).isEqualTo(names.challengeCreated());
    assertThat(events.get(1).topic()).isEqualTo(names.challengeExpired());
    assertThat(events.get(1).detail()).matches("late by \\d+ ms \\(expiredAt − expirationDate\\)");
    assertThat(events.get(0).time()).isBefore(events.get(1).time());
  }

  @Test
  void timelineShouldShowADeadLetteredRecordWithItsReason() throws Exception {
    String sid = "YC" + "d".repeat(32);
    try (KafkaProducer<byte[], byte[]> producer = rawProducer()) {
      producer
          .send(
              new ProducerRecord<>(
                  names.challengeCreated(),
                  sid.getBytes(StandardCharsets.UTF_8),
                  "not avro".getBytes(StandardCharsets.UTF_8)))
          .get();
    }

    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () ->
                assertThat(Timeline.read(sid, system.bootstrap(), system.registry(), names))
                    .anySatisfy(
                        e -> {
                          assertThat(e.topic())
                              .isEqualTo(TopicNames.deadLetter(names.challengeCreated()));
                          assertThat(e.type()).isEqualTo("(dead letter)");
                          assertThat(e.detail()).isNotBlank();
                        }));
    // Every reader of the topic that could not decode it dead-lettered it (the processor and the
    // service's followers); status counts the same records as the timeline shows, not offsets.
    String dlq = TopicNames.deadLetter(names.challengeCreated());
    try (Admin admin = admin()) {
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> {
                long shown =
                    Timeline.read(sid, system.bootstrap(), system.registry(), names).stream()
                        .filter(e -> e.topic().equals(dlq))
                        .count();
                assertThat(Status.gather(system, http, admin).deadLetters())
                    .containsEntry(dlq, shown);
              });
    }
  }

  @Test
  void timelineShouldSaySoForAChallengeThatNeverExisted() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    RunningSystem defaults =
        new RunningSystem(system.pid(), system.api(), system.bootstrap(), system.registry(), "");

    int status =
        Timeline.print(
            "YC" + "e".repeat(32), defaults, new PrintStream(out, true, StandardCharsets.UTF_8));

    assertThat(status).isEqualTo(1);
    assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("No event of YCeeee");
  }

  @Test
  void statusShouldShowHealthLatenessAndTheProcessorsGroupWithoutLag() {
    try (Admin admin = admin()) {
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> {
                Status.Report r = Status.gather(system, http, admin);
                assertThat(r.apiHealth()).isEqualTo("UP");
                assertThat(r.processorHealth()).isEqualTo("UP");
                assertThat(r.lateness().lastEntry().getValue()).isGreaterThanOrEqualTo(1.0);
                assertThat(PrometheusText.quantile(r.lateness(), 0.99)).isPresent();
                assertThat(r.groups())
                    .filteredOn(g -> g.group().equals(env.get("LAPSE_EXPIRY_APPLICATION_ID")))
                    .singleElement()
                    .satisfies(
                        g -> {
                          assertThat(g.members()).isGreaterThanOrEqualTo(1);
                          assertThat(g.lag()).isZero();
                        });
              });
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      Status.print(
          system,
          Status.gather(system, http, admin),
          new TreeMap<>(),
          new PrintStream(out, true, StandardCharsets.UTF_8));
      String text = out.toString(StandardCharsets.UTF_8);
      System.out.println(text); // the sample the README shows
      assertThat(text)
          .contains("challenge service UP, expiry processor UP")
          .contains(env.get("LAPSE_EXPIRY_APPLICATION_ID"))
          .containsPattern("lateness +p50 \\d+ ms, p99 \\d+ ms over \\d+ expiries since start");
    }
  }

  @Test
  void alertRulesShouldNameSeriesTheRunningServicesServe() throws Exception {
    String served =
        http.send(
                    HttpRequest.newBuilder(URI.create(system.processor() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString())
                .body()
            + http.send(
                    HttpRequest.newBuilder(URI.create(system.api() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString())
                .body();
    java.util.Set<String> names =
        served
            .lines()
            .filter(l -> !l.startsWith("#") && !l.isBlank())
            .map(l -> l.split("[{ ]")[0])
            .collect(Collectors.toSet());

    // lapse_expiry_* counters that appear with their first event are checked in AlertRulesTest.
    assertThat(
            AlertRulesTest.seriesInRules().stream()
                .filter(n -> !n.startsWith("lapse_expiry_"))
                .toList())
        .isNotEmpty()
        .allSatisfy(n -> assertThat(names).contains(n));
  }

  @Test
  void statusShouldSayUnreachableForAServiceThatIsDown() {
    RunningSystem half =
        new RunningSystem(
            system.pid(),
            "http://127.0.0.1:1",
            system.bootstrap(),
            system.registry(),
            "http://127.0.0.1:1");
    try (Admin admin = admin()) {
      Status.Report r = Status.gather(half, http, admin);
      assertThat(r.apiHealth()).isEqualTo("unreachable");
      assertThat(r.processorHealth()).isEqualTo("unreachable");
      assertThat(r.lateness()).isEmpty();
    }
  }

  private KafkaProducer<byte[], byte[]> rawProducer() {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, system.bootstrap());
    return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  private Admin admin() {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, system.bootstrap());
    return Admin.create(p);
  }

  private JsonNode post(String path, String... form) throws Exception {
    Map<String, String> fields = new TreeMap<>();
    for (int i = 0; i < form.length; i += 2) {
      fields.put(form[i], form[i + 1]);
    }
    String body =
        fields.entrySet().stream()
            .map(
                e ->
                    URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)
                        + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
            .collect(Collectors.joining("&"));
    HttpRequest post =
        request(path)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    // 503 / 20503 says "retry" (a just-started instance still joining its group, on a loaded
    // machine), and a client of Twilio's API retries it.
    HttpResponse<String> r =
        await()
            .atMost(Duration.ofSeconds(90))
            .until(
                () -> http.send(post, HttpResponse.BodyHandlers.ofString()),
                response -> response.statusCode() != 503);
    assertThat(r.statusCode()).as("POST %s: %s", path, r.body()).isBetween(200, 201);
    return JSON.readTree(r.body());
  }

  private JsonNode get(String path) throws Exception {
    HttpResponse<String> r =
        http.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
    return JSON.readTree(r.body());
  }

  private HttpRequest.Builder request(String path) {
    String basic =
        Base64.getEncoder()
            .encodeToString((ACCOUNT + ":" + TOKEN).getBytes(StandardCharsets.UTF_8));
    return HttpRequest.newBuilder(URI.create(service.baseUrl() + path))
        .header("Authorization", "Basic " + basic);
  }
}
