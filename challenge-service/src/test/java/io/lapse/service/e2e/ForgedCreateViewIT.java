package io.lapse.service.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lapse.contract.AttemptMacKeys;
import io.lapse.events.v1.ChallengeCreated;
import io.lapse.infra.KafkaBroker;
import io.lapse.infra.SchemaRegistry;
import io.lapse.service.support.HttpTestClient;
import io.lapse.service.support.HttpTestClient.Reply;
import io.lapse.service.support.LapseSystem;
import io.lapse.service.support.Scenario;
import io.lapse.testkit.KafkaHelpers;
import io.lapse.testkit.LapseIntegration;
import io.lapse.topics.LapseTopics;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Whoever can write to {@code challenge-created} cannot make the API show a challenge: forged
 * creates for a real factor, produced straight to the topic of the running system, are never
 * readable (404 after the read caught up with the log) and are counted by reason, while a create
 * signed with the challenge key (a trusted producer, as {@code example-services} is) is shown.
 */
@LapseIntegration
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ForgedCreateViewIT {
  private static final Duration BOUND = Duration.ofSeconds(60);

  private KafkaBroker broker;
  private LapseSystem system;
  private HttpTestClient api;
  private Scenario scenario;
  private LapseTopics topics;
  private AttemptMacKeys challengeKeys;

  @BeforeAll
  void start(KafkaBroker broker, SchemaRegistry registry) {
    this.broker = broker;
    system = new LapseSystem(broker, registry);
    api = system.http();
    scenario = new Scenario(api, Clock.systemUTC());
    topics = system.kafka.topics();
    String keys = system.env.get("LAPSE_CHALLENGE_MAC_KEYS");
    challengeKeys =
        AttemptMacKeys.parse(keys != null ? keys : system.env.get("LAPSE_RESPONSE_MAC_KEYS"));
  }

  @AfterAll
  void stop() {
    system.close();
  }

  @Test
  void shouldNeverShowAForgedCreateButShowOneSignedByATrustedProducer() {
    String service = scenario.service();
    String identity = Scenario.identity();
    Scenario.TotpFactor totp = scenario.verifiedTotp(service, identity);
    String challenges = Scenario.entityPath(service, identity) + "/Challenges";
    Reply created =
        api.post(
            challenges,
            "FactorSid",
            totp.sid(),
            "ExpirationDate",
            Instant.now().plus(Duration.ofMinutes(5)).truncatedTo(ChronoUnit.SECONDS).toString(),
            "Details.Message",
            "Genuine");
    assertThat(created.status()).isEqualTo(201);
    ChallengeCreated genuine = createdRecord(created.text("sid"));

    // Each forgery: its reason, and the record key it is written under.
    Map<String, ProducerRecord<String, ChallengeCreated>> forgeries = new LinkedHashMap<>();
    ChallengeCreated missing = copy(genuine).setMacKeyId(null).setMac(null).build();
    forgeries.put("mac-missing", record(missing.getSid(), missing));
    ChallengeCreated invalid =
        copy(genuine)
            .setMacKeyId(challengeKeys.signingKeyId())
            .setMac(ByteBuffer.wrap(random(32)))
            .build();
    forgeries.put("mac-invalid", record(invalid.getSid(), invalid));
    ChallengeCreated unknown =
        AttemptMacKeys.of("attacker", random(32)).sign(copy(genuine).build());
    forgeries.put("mac-key-unknown", record(unknown.getSid(), unknown));
    ChallengeCreated misKeyed = challengeKeys.sign(copy(genuine).build());
    forgeries.put("key-not-sid", record(newSid(), misKeyed));
    ChallengeCreated trusted =
        challengeKeys.sign(copy(genuine).setDetailsMessage("From a trusted producer").build());

    Map<String, Double> before = new LinkedHashMap<>();
    forgeries.keySet().forEach(reason -> before.put(reason, untrusted(reason)));
    try (KafkaProducer<String, ChallengeCreated> producer =
        new KafkaProducer<>(
            KafkaHelpers.producerConfig(broker),
            topics.challengeCreated().keySerializer(),
            topics.challengeCreated().valueSerializer())) {
      forgeries.values().forEach(producer::send);
      producer.send(record(trusted.getSid(), trusted));
    }

    // The signed create shows, as any challenge does.
    await()
        .atMost(BOUND)
        .untilAsserted(
            () -> {
              Reply shown = api.get(challenges + "/" + trusted.getSid());
              assertThat(shown.status()).isEqualTo(200);
              assertThat(shown.json().at("/details/message").asText())
                  .isEqualTo("From a trusted producer");
            });
    // Every forgery was read and refused, for its reason.
    await()
        .atMost(BOUND)
        .untilAsserted(
            () ->
                forgeries
                    .keySet()
                    .forEach(
                        reason ->
                            assertThat(untrusted(reason))
                                .as(reason)
                                .isEqualTo(before.get(reason) + 1.0)));
    forgeries.forEach(
        (reason, r) -> {
          assertThat(api.get(challenges + "/" + r.value().getSid()).status())
              .as(reason + ": the forged create's SID")
              .isEqualTo(404);
          assertThat(api.get(challenges + "/" + r.key()).status())
              .as(reason + ": the record's key")
              .isEqualTo(404);
        });
    List<String> listed =
        api.get(challenges + "?PageSize=50").json().path("challenges").findValuesAsText("sid");
    assertThat(listed)
        .contains(genuine.getSid(), trusted.getSid())
        .doesNotContainAnyElementsOf(
            forgeries.values().stream().map(r -> r.value().getSid()).toList());
  }

  private ChallengeCreated createdRecord(String sid) {
    try (KafkaConsumer<String, ChallengeCreated> consumer =
        KafkaHelpers.readCommittedConsumer(
            broker,
            List.of(topics.names().challengeCreated()),
            topics.challengeCreated().keyDeserializer(),
            topics.challengeCreated().valueDeserializer())) {
      return KafkaHelpers.drainUntil(
              consumer, seen -> seen.stream().anyMatch(r -> sid.equals(r.key())), BOUND)
          .stream()
          .filter(r -> sid.equals(r.key()))
          .map(ConsumerRecord::value)
          .findFirst()
          .orElseThrow();
    }
  }

  /** The genuine create under a new SID, its MAC still the genuine one's. */
  private static ChallengeCreated.Builder copy(ChallengeCreated genuine) {
    return ChallengeCreated.newBuilder(genuine).setSid(newSid());
  }

  private ProducerRecord<String, ChallengeCreated> record(String key, ChallengeCreated value) {
    return new ProducerRecord<>(topics.names().challengeCreated(), key, value);
  }

  private static String newSid() {
    return "YC" + HexFormat.of().formatHex(random(16));
  }

  private static byte[] random(int n) {
    byte[] b = new byte[n];
    new SecureRandom().nextBytes(b);
    return b;
  }

  private double untrusted(String reason) {
    return api.metric("lapse_view_untrusted_creates_total{reason=\"" + reason + "\"}");
  }
}
