package io.lapse.service.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lapse.infra.KafkaBroker;
import io.lapse.infra.SchemaRegistry;
import io.lapse.service.support.HttpTestClient;
import io.lapse.service.support.HttpTestClient.Reply;
import io.lapse.service.support.LapseSystem;
import io.lapse.service.support.Scenario;
import io.lapse.service.support.SystemEnv;
import io.lapse.service.support.WebhookReceiver;
import io.lapse.service.support.WebhookReceiver.Received;
import io.lapse.service.webhook.WebhookDispatcher;
import io.lapse.testkit.KafkaHelpers;
import io.lapse.testkit.LapseIntegration;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Webhooks delivered by the running system (broker, registry, challenge service with its
 * dispatcher, expiry processor) to a local receiver that checks every signature with Twilio's own
 * {@code RequestValidator}: every event type, retries, the dead-letter topic, and a dispatcher
 * crashed in the middle of a delivery and restarted.
 */
@LapseIntegration
class WebhookDeliveryIT {
  private static final Duration BOUND = Duration.ofSeconds(60);

  private LapseSystem system;
  private HttpTestClient http;
  private Scenario scenario;
  private WebhookReceiver receiver;
  private KafkaBroker broker;

  @BeforeEach
  void start(KafkaBroker broker, SchemaRegistry registry) {
    this.broker = broker;
    system =
        new LapseSystem(
            broker,
            registry,
            Map.of(
                "LAPSE_WEBHOOK_MAX_ATTEMPTS", "3",
                "LAPSE_WEBHOOK_RETRY_BACKOFF_MS", "200",
                "LAPSE_WEBHOOK_MAX_BACKOFF_MS", "400",
                "LAPSE_WEBHOOK_TIMEOUT_MS", "5000",
                "LAPSE_WEBHOOK_SESSION_TIMEOUT_MS", "6000"));
    http = system.http();
    scenario = new Scenario(http, Clock.systemUTC());
    receiver = new WebhookReceiver(SystemEnv.TOKEN);
  }

  @AfterEach
  void stop() {
    receiver.close();
    system.close();
  }

  private String webhook(String service, String path, String... more) {
    List<String> form =
        new ArrayList<>(List.of("FriendlyName", path, "WebhookUrl", receiver.url(path)));
    form.addAll(List.of(more));
    Reply r = http.post("/v2/Services/" + service + "/Webhooks", form.toArray(String[]::new));
    assertThat(r.status()).as(r.json().toString()).isEqualTo(201);
    return r.text("sid");
  }

  private String pushChallenge(String service, String identity, String factor, String... more) {
    List<String> form = new ArrayList<>(List.of("FactorSid", factor, "Details.Message", "Login?"));
    form.addAll(List.of(more));
    Reply r =
        http.post(
            Scenario.entityPath(service, identity) + "/Challenges", form.toArray(String[]::new));
    assertThat(r.status()).as(r.json().toString()).isEqualTo(201);
    return r.text("sid");
  }

  private void answer(
      String service, String identity, String challenge, Scenario.PushFactor f, String status) {
    String path = Scenario.entityPath(service, identity) + "/Challenges/" + challenge;
    Reply get = http.get(path);
    Reply r = http.post(path, "AuthPayload", Scenario.approvalJws(f.keys(), get, status));
    assertThat(r.text("status")).as(r.json().toString()).isEqualTo(status);
  }

  @Test
  void shouldDeliverEveryEventTypeSignedRetryTransientFailuresAndDeadLetterAfterTheBound() {
    String service = scenario.service();
    String all = webhook(service, "/all", "EventTypes", "*");
    String flaky = webhook(service, "/flaky", "EventTypes", "challenge.approved");
    String down = webhook(service, "/down", "EventTypes", "factor.verified");
    webhook(service, "/off", "EventTypes", "*", "Status", "disabled");
    receiver.answer("/flaky", (uuid, before) -> before < 2 ? 500 : 200);
    receiver.answer("/down", (uuid, before) -> 500);
    String identity = Scenario.identity();

    Scenario.PushFactor factor = scenario.verifiedPush(service, identity, "none");
    String approved = pushChallenge(service, identity, factor.sid());
    answer(service, identity, approved, factor, "approved");
    String denied = pushChallenge(service, identity, factor.sid());
    answer(service, identity, denied, factor, "denied");
    String expiring =
        pushChallenge(
            service,
            identity,
            factor.sid(),
            "ExpirationDate",
            Instant.now().plusSeconds(5).truncatedTo(ChronoUnit.SECONDS).toString());
    await()
        .atMost(BOUND)
        .until(
            () ->
                receiver.received("/all").stream()
                    .anyMatch(r -> "challenge.expired".equals(r.type())));
    assertThat(
            http.delete(Scenario.entityPath(service, identity) + "/Factors/" + factor.sid())
                .status())
        .isEqualTo(204);

    List<String> types =
        List.of(
            "factor.created",
            "factor.verified",
            "challenge.approved",
            "challenge.denied",
            "challenge.expired",
            "factor.deleted");
    // The restarted dispatcher rejoins its group and re-reads from the last commit; on a busy
    // machine that took over a minute once (the last event arrived just after a 60 s bound).
    await()
        .atMost(BOUND.multipliedBy(3))
        .untilAsserted(
            () ->
                assertThat(receiver.received("/all"))
                    .extracting(Received::type)
                    .containsExactlyInAnyOrderElementsOf(types));
    List<Received> toAll = receiver.received("/all");
    assertThat(toAll).allSatisfy(r -> assertThat(r.signatureValid()).isTrue());
    assertThat(toAll)
        .allSatisfy(
            r -> {
              assertThat(r.params())
                  .containsEntry("account_sid", SystemEnv.ACCOUNT)
                  .containsEntry("service_sid", service)
                  .containsEntry("entity_identity", identity)
                  .containsEntry("factor_sid", factor.sid())
                  .containsEntry("factor_type", "push");
              assertThat(r.token()).isEqualTo(all + "-" + r.uuid());
            });
    Received approval = only(toAll, "challenge.approved");
    assertThat(approval.params())
        .containsEntry("challenge_sid", approved)
        .containsEntry("status", "approved")
        .containsEntry("factor_friendly_name", "device")
        .containsKey("challenge_details");
    assertThat(approval.params().get("challenge_details")).contains("\"message\":\"Login?\"");
    assertThat(only(toAll, "challenge.denied").params()).containsEntry("challenge_sid", denied);
    assertThat(only(toAll, "challenge.expired").params())
        .containsEntry("challenge_sid", expiring)
        .containsEntry("status", "expired")
        .containsKey("expiration_date");

    // Answered 500 twice, then 200: three attempts of one event, one token, accepted once.
    List<Received> toFlaky = receiver.received("/flaky");
    assertThat(toFlaky).extracting(Received::answered).containsExactly(500, 500, 200);
    assertThat(toFlaky).extracting(Received::uuid).containsOnly(approval.uuid());
    assertThat(toFlaky).extracting(Received::token).containsOnly(flaky + "-" + approval.uuid());
    assertThat(toFlaky).allSatisfy(r -> assertThat(r.signatureValid()).isTrue());

    // Always 500: the bound of three attempts, then the dead-letter topic with the reason.
    List<ConsumerRecord<String, String>> dead = deadLetters(1);
    assertThat(receiver.received("/down")).hasSize(3);
    ConsumerRecord<String, String> d = dead.get(0);
    assertThat(d.key()).isEqualTo(down);
    assertThat(header(d, "lapse.dlq.reason"))
        .contains("gave up after 3 attempts")
        .contains("HTTP 500");
    assertThat(header(d, "lapse.webhook.attempts")).isEqualTo("3");
    assertThat(header(d, "lapse.webhook.event")).isEqualTo("factor.verified");
    assertThat(d.value()).contains("type=factor.verified").contains(factor.sid());
    assertThat(receiver.received("/off")).isEmpty();

    WebhookDispatcher.Counters counters = system.service.webhooks().counters();
    System.out.printf(
        "WebhookDeliveryIT: delivered %d, retried %d, dead-lettered %d%n",
        counters.delivered(), counters.retried(), counters.deadLettered());
    assertThat(counters.deadLettered()).isEqualTo(1);
  }

  @Test
  void shouldDeliverEveryEventAtLeastOnceWhenTheDispatcherCrashesMidDelivery() throws Exception {
    String service = scenario.service();
    String hook =
        webhook(service, "/hold", "EventTypes", "factor.created", "EventTypes", "factor.verified");
    receiver.holdRequest(3);
    Set<String> factors = new HashSet<>();
    for (int i = 0; i < 4; i++) {
      factors.add(scenario.verifiedTotp(service, Scenario.identity()).sid());
    }
    assertThat(receiver.awaitHolding(60)).as("a delivery is in flight").isTrue();

    long crashedAt = System.nanoTime();
    system.service.webhooks().crash();
    // Events while no dispatcher runs.
    for (int i = 0; i < 3; i++) {
      factors.add(scenario.verifiedTotp(service, Scenario.identity()).sid());
    }
    system.service.webhooks().restart();

    Set<String> expected =
        factors.stream()
            .flatMap(f -> java.util.stream.Stream.of("factor.created " + f, "factor.verified " + f))
            .collect(Collectors.toSet());
    // The restarted dispatcher rejoins its group and re-reads from the last commit; on a busy
    // machine that took over a minute (the missing event arrived just after a 60 s bound, twice).
    await()
        .atMost(BOUND.multipliedBy(3))
        .untilAsserted(
            () ->
                assertThat(accepted(receiver.received("/hold")))
                    .containsExactlyInAnyOrderElementsOf(expected));
    long recoveredMs = Duration.ofNanos(System.nanoTime() - crashedAt).toMillis();
    receiver.release();

    List<Received> all = receiver.received("/hold");
    assertThat(all).allSatisfy(r -> assertThat(r.signatureValid()).isTrue());
    Map<String, List<Received>> byEvent =
        all.stream()
            .collect(Collectors.groupingBy(r -> r.type() + " " + r.params().get("factor_sid")));
    assertThat(byEvent.keySet()).isEqualTo(expected);
    byEvent.forEach(
        (event, copies) -> {
          assertThat(copies)
              .extracting(Received::uuid)
              .as(event)
              .containsOnly(copies.get(0).uuid());
          assertThat(copies)
              .extracting(Received::token)
              .as(event)
              .containsOnly(hook + "-" + copies.get(0).uuid());
        });
    long duplicated = byEvent.values().stream().filter(c -> c.size() > 1).count();
    // The held delivery was cut off by the crash, so its event came again.
    assertThat(duplicated).isGreaterThanOrEqualTo(1);
    System.out.printf(
        "WebhookDeliveryIT crash: %d events, %d requests, %d events delivered more than once,"
            + " all accepted %d ms after the crash%n",
        expected.size(), all.size(), duplicated, recoveredMs);
  }

  private static Set<String> accepted(List<Received> received) {
    return received.stream()
        .filter(r -> r.answered() == 200)
        .map(r -> r.type() + " " + r.params().get("factor_sid"))
        .collect(Collectors.toSet());
  }

  private static Received only(List<Received> received, String type) {
    List<Received> of = received.stream().filter(r -> type.equals(r.type())).toList();
    assertThat(of).as(type).hasSize(1);
    return of.get(0);
  }

  private List<ConsumerRecord<String, String>> deadLetters(int count) {
    try (KafkaConsumer<String, String> c =
        KafkaHelpers.readCommittedConsumer(
            broker,
            List.of(system.kafka.topicNames().webhookDeliveriesDlq()),
            new StringDeserializer(),
            new StringDeserializer())) {
      return KafkaHelpers.drain(c, count, BOUND);
    }
  }

  private static String header(ConsumerRecord<?, ?> r, String name) {
    return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
  }
}
