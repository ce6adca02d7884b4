package io.lapse.service.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lapse.contract.AttemptMacKeys;
import io.lapse.events.v1.AttemptOutcome;
import io.lapse.events.v1.ChallengeExpired;
import io.lapse.events.v1.VerificationAttempted;
import io.lapse.infra.KafkaBroker;
import io.lapse.infra.SchemaRegistry;
import io.lapse.service.support.HttpTestClient;
import io.lapse.service.support.HttpTestClient.Reply;
import io.lapse.service.support.LapseSystem;
import io.lapse.service.support.Scenario;
import io.lapse.testkit.KafkaHelpers;
import io.lapse.testkit.LapseIntegration;
import io.lapse.topics.LapseTopics;
import io.lapse.topics.TopicNames;
import io.lapse.topics.TopicProvisioner;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Whoever can write to {@code challenge-responses} still cannot decide a challenge: forged {@code
 * VerificationAttempted} records, produced straight to the topic of the running system (real
 * broker, registry, service and processor), leave their challenges pending until they expire, and
 * land in {@code challenge-responses-dlq} with their reason; a genuine attempt through the service
 * still approves.
 */
@LapseIntegration
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ForgedResponseIT {
  private KafkaBroker broker;
  private LapseSystem system;
  private HttpTestClient api;
  private Scenario scenario;
  private LapseTopics topics;
  private AttemptMacKeys serviceKeys;

  @BeforeAll
  void start(KafkaBroker broker, SchemaRegistry registry) {
    this.broker = broker;
    system = new LapseSystem(broker, registry);
    api = system.http();
    scenario = new Scenario(api, Clock.systemUTC());
    topics = system.kafka.topics();
    serviceKeys = AttemptMacKeys.parse(system.env.get("LAPSE_RESPONSE_MAC_KEYS"));
  }

  @AfterAll
  void stop() {
    system.close();
  }

  /** A pending TOTP challenge of its own factor, expiring {@code lifetime} from now. */
  private record Target(String path, String sid, Scenario.TotpFactor totp) {}

  private Target challenge(Duration lifetime) {
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
            Instant.now().plus(lifetime).truncatedTo(ChronoUnit.SECONDS).toString());
    assertThat(created.status()).isEqualTo(201);
    return new Target(challenges + "/" + created.text("sid"), created.text("sid"), totp);
  }

  /** The approval the service would write for this challenge, before any signing. */
  private VerificationAttempted.Builder approvalOf(Target t) {
    Reply c = api.get(t.path());
    return VerificationAttempted.newBuilder()
        .setSid(t.sid())
        .setServiceSid(c.text("service_sid"))
        .setIdentity(c.text("identity"))
        .setFactorSid(c.text("factor_sid"))
        .setAttemptId("AT" + HexFormat.of().formatHex(random(16)))
        .setAttemptAt(Instant.now())
        .setOutcome(AttemptOutcome.APPROVED);
  }

  private static byte[] random(int n) {
    byte[] b = new byte[n];
    new SecureRandom().nextBytes(b);
    return b;
  }

  /** One forgery: the reason the processor must give, the record key, the attempt. */
  private record Forgery(String reason, String key, VerificationAttempted attempt) {}

  private Map<String, Function<Target, Forgery>> forgeries() {
    Map<String, Function<Target, Forgery>> f = new LinkedHashMap<>();
    f.put("mac-missing", t -> new Forgery("mac-missing", t.sid(), approvalOf(t).build()));
    f.put(
        "mac-invalid",
        t ->
            new Forgery(
                "mac-invalid",
                t.sid(),
                approvalOf(t)
                    .setMacKeyId(serviceKeys.signingKeyId())
                    .setMac(ByteBuffer.wrap(random(32)))
                    .build()));
    f.put(
        "mac-key-unknown",
        t ->
            new Forgery(
                "mac-key-unknown",
                t.sid(),
                AttemptMacKeys.of("attacker", random(32)).sign(approvalOf(t).build())));
    f.put(
        "key-not-sid",
        t ->
            new Forgery(
                "key-not-sid",
                t.sid(),
                serviceKeys.sign(
                    approvalOf(t).setSid("YC" + HexFormat.of().formatHex(random(16))).build())));
    f.put(
        "challenge-mismatch",
        t ->
            new Forgery(
                "challenge-mismatch",
                t.sid(),
                serviceKeys.sign(
                    approvalOf(t)
                        .setFactorSid("YF" + HexFormat.of().formatHex(random(16)))
                        .build())));
    f.put(
        "attempt-in-future",
        t ->
            new Forgery(
                "attempt-in-future",
                t.sid(),
                serviceKeys.sign(
                    approvalOf(t)
                        .setAttemptAt(Instant.now().plus(Duration.ofMinutes(2)))
                        .build())));
    return f;
  }

  @Test
  void shouldDeadLetterEveryForgedAttemptAndLetItsChallengeExpire() {
    Map<String, Target> targets = new LinkedHashMap<>();
    Map<String, Forgery> sent = new LinkedHashMap<>();
    forgeries().forEach((reason, forge) -> targets.put(reason, challenge(Duration.ofSeconds(20))));
    Set<String> sids = targets.values().stream().map(Target::sid).collect(Collectors.toSet());
    Map<String, Double> countedBefore = new LinkedHashMap<>();
    targets
        .keySet()
        .forEach(r -> countedBefore.put(r, system.processor.metrics().untrustedCount(r)));
    try (KafkaProducer<String, VerificationAttempted> producer = responsesProducer()) {
      forgeries()
          .forEach(
              (reason, forge) -> {
                Forgery f = forge.apply(targets.get(reason));
                sent.put(reason, f);
                producer.send(
                    new ProducerRecord<>(
                        topics.names().challengeResponses(), f.key(), f.attempt()));
              });
    }

    List<ConsumerRecord<String, byte[]>> dead = deadLettersOf(sids);

    Map<String, VerificationAttempted> byReason =
        dead.stream()
            .collect(
                Collectors.toMap(
                    r -> header(r, "lapse.dlq.reason"),
                    r ->
                        topics
                            .challengeResponses()
                            .valueDeserializer()
                            .deserialize(topics.names().challengeResponses(), r.value())));
    assertThat(byReason.keySet()).containsExactlyInAnyOrderElementsOf(sent.keySet());
    sent.forEach(
        (reason, f) -> {
          assertThat(byReason.get(reason).getAttemptId())
              .as(reason)
              .isEqualTo(f.attempt().getAttemptId());
          assertThat(system.processor.metrics().untrustedCount(reason))
              .as(reason)
              .isEqualTo(countedBefore.get(reason) + 1.0);
        });
    for (Target t : targets.values()) {
      assertThat(api.get(t.path()).text("status")).as("after its forgery").isEqualTo("pending");
    }

    List<String> expired = expiredAmong(sids, Duration.ofSeconds(60));
    assertThat(expired).as("each expired once").containsExactlyInAnyOrderElementsOf(sids);
    for (Target t : targets.values()) {
      assertThat(api.get(t.path()).text("status")).isEqualTo("expired");
    }
  }

  @Test
  void shouldStillApproveAGenuineAttemptAfterAForgedApproval() {
    Target t = challenge(Duration.ofMinutes(5));
    Forgery forged = forgeries().get("mac-missing").apply(t);
    double before = system.processor.metrics().untrustedCount("mac-missing");
    try (KafkaProducer<String, VerificationAttempted> producer = responsesProducer()) {
      producer.send(
          new ProducerRecord<>(
              topics.names().challengeResponses(), forged.key(), forged.attempt()));
    }
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> system.processor.metrics().untrustedCount("mac-missing") > before);
    assertThat(api.get(t.path()).text("status")).isEqualTo("pending");

    Reply r = api.post(t.path(), "AuthPayload", t.totp().codeNow());

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.text("status")).isEqualTo("approved");
  }

  @Test
  void shouldHaveTheBrokerDateEveryAttempt() throws Exception {
    try (Admin admin = KafkaHelpers.admin(broker)) {
      ConfigResource responses =
          new ConfigResource(ConfigResource.Type.TOPIC, topics.names().challengeResponses());
      String type =
          admin
              .describeConfigs(List.of(responses))
              .all()
              .get()
              .get(responses)
              .get(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG)
              .value();

      assertThat(type).isEqualTo(TopicProvisioner.BROKER_TIME);
    }
  }

  private KafkaProducer<String, VerificationAttempted> responsesProducer() {
    return new KafkaProducer<>(
        KafkaHelpers.producerConfig(broker),
        topics.challengeResponses().keySerializer(),
        topics.challengeResponses().valueSerializer());
  }

  /** The dead letters of {@code challenge-responses} keyed by these SIDs, once one per SID came. */
  private List<ConsumerRecord<String, byte[]>> deadLettersOf(Set<String> sids) {
    String dlq = TopicNames.deadLetter(topics.names().challengeResponses());
    try (KafkaConsumer<String, byte[]> consumer =
        KafkaHelpers.readCommittedConsumer(
            broker, List.of(dlq), new StringDeserializer(), new ByteArrayDeserializer())) {
      return KafkaHelpers.drainUntil(
              consumer,
              seen -> seen.stream().filter(r -> sids.contains(r.key())).count() >= sids.size(),
              Duration.ofSeconds(30))
          .stream()
          .filter(r -> sids.contains(r.key()))
          .toList();
    }
  }

  /** The keys of the ChallengeExpired events of these SIDs, once each has one. */
  private List<String> expiredAmong(Set<String> sids, Duration timeout) {
    try (KafkaConsumer<String, ChallengeExpired> consumer =
        KafkaHelpers.readCommittedConsumer(
            broker,
            List.of(topics.names().challengeExpired()),
            topics.challengeExpired().keyDeserializer(),
            topics.challengeExpired().valueDeserializer())) {
      return KafkaHelpers.drainUntil(
              consumer,
              seen ->
                  seen.stream()
                      .map(ConsumerRecord::key)
                      .collect(Collectors.toSet())
                      .containsAll(sids),
              timeout)
          .stream()
          .map(ConsumerRecord::key)
          .filter(sids::contains)
          .toList();
    }
  }

  private static String header(ConsumerRecord<?, ?> r, String name) {
    return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
  }
}
