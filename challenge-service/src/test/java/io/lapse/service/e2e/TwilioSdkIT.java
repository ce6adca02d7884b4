package io.lapse.service.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.twilio.base.Page;
import com.twilio.base.ResourceSet;
import com.twilio.exception.ApiException;
import com.twilio.http.TwilioRestClient;
import com.twilio.rest.verify.v2.Service;
import com.twilio.rest.verify.v2.service.entity.Challenge;
import com.twilio.rest.verify.v2.service.entity.Factor;
import com.twilio.rest.verify.v2.service.entity.NewFactor;
import com.twilio.rest.verify.v2.service.entity.challenge.Notification;
import io.lapse.events.v1.ChallengeApproved;
import io.lapse.events.v1.ChallengeDenied;
import io.lapse.events.v1.ChallengeExpired;
import io.lapse.examples.DeviceSigner;
import io.lapse.examples.TotpCodes;
import io.lapse.infra.KafkaBroker;
import io.lapse.infra.SchemaRegistry;
import io.lapse.service.support.HttpTestClient;
import io.lapse.service.support.LapseSystem;
import io.lapse.service.support.Scenario;
import io.lapse.testkit.KafkaHelpers;
import io.lapse.testkit.LapseIntegration;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Twilio's own Java SDK (13.0.1) against the running system, changed only in its HTTP client's base
 * URL; TOTP codes come from an implementation independent of the service's.
 */
@LapseIntegration
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TwilioSdkIT {
  /**
   * Every challenge the tests create, with the terminal event it must end with (null: none yet).
   */
  private final Map<String, Optional<String>> challenges = new ConcurrentHashMap<>();

  private KafkaBroker broker;
  private LapseSystem system;
  private TwilioRestClient client;

  @BeforeAll
  void start(KafkaBroker broker, SchemaRegistry registry) {
    this.broker = broker;
    system = new LapseSystem(broker, registry);
    client = system.sdk();
  }

  @AfterAll
  void stop() throws Exception {
    system.close();
  }

  /**
   * A service and an identity with a verified TOTP factor; returns {sid, identity, factor, secret}.
   */
  private String[] totpSetup() {
    Service service = Service.creator("SDK test").create(client);
    String identity = "user-" + UUID.randomUUID();
    NewFactor factor =
        NewFactor.creator(service.getSid(), identity, "phone", NewFactor.FactorTypes.TOTP)
            .create(client);
    String secret = String.valueOf(((Map<?, ?>) factor.getBinding()).get("secret"));
    // The previous step's code (inside the default skew): the current step stays free for the
    // test's challenges, since a step is accepted once per factor.
    Factor verified =
        Factor.updater(service.getSid(), identity, factor.getSid())
            .setAuthPayload(TotpCodes.code(secret, Instant.now().minusSeconds(30)))
            .update(client);
    assertThat(verified.getStatus()).isEqualTo(Factor.FactorStatuses.VERIFIED);
    return new String[] {service.getSid(), identity, factor.getSid(), secret};
  }

  @Test
  void shouldCreateFetchAndUpdateAServiceWithTheSdk() {
    Service created = Service.creator("My app").setTotpIssuer("My Co").create(client);
    assertThat(created.getSid()).startsWith("VA");
    assertThat(created.getDateCreated()).isNotNull();
    assertThat(Service.fetcher(created.getSid()).fetch(client).getFriendlyName())
        .isEqualTo("My app");
    Service updated = Service.updater(created.getSid()).setFriendlyName("Renamed").update(client);
    assertThat(updated.getFriendlyName()).isEqualTo("Renamed");
  }

  @Test
  void shouldVerifyATotpFactorAndApproveAChallengeBeforeItsDeadline() {
    String[] s = totpSetup();
    Challenge challenge = Challenge.creator(s[0], s[1], s[2]).create(client);
    assertThat(challenge.getStatus()).isEqualTo(Challenge.ChallengeStatuses.PENDING);
    assertThat(challenge.getExpirationDate()).isAfter(ZonedDateTime.now(ZoneOffset.UTC));

    Challenge approved =
        Challenge.updater(s[0], s[1], challenge.getSid())
            .setAuthPayload(TotpCodes.code(s[3], Instant.now()))
            .setMetadata(Map.of("os", "Android"))
            .update(client);

    assertThat(approved.getStatus()).isEqualTo(Challenge.ChallengeStatuses.APPROVED);
    assertThat(approved.getDateResponded()).isNotNull();
    challenges.put(challenge.getSid(), Optional.of("ChallengeApproved"));
    assertThat(Challenge.fetcher(s[0], s[1], challenge.getSid()).fetch(client).getStatus())
        .isEqualTo(Challenge.ChallengeStatuses.APPROVED);
  }

  @Test
  void shouldRaise60323ForAVerificationAfterTheDeadlineAndReadItBackExpired() {
    String[] s = totpSetup();
    ZonedDateTime deadline =
        ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(2).truncatedTo(ChronoUnit.SECONDS);
    Challenge challenge =
        Challenge.creator(s[0], s[1], s[2]).setExpirationDate(deadline).create(client);
    assertThat(challenge.getExpirationDate().toInstant()).isEqualTo(deadline.toInstant());
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> !Instant.now().isBefore(deadline.toInstant()));

    ApiException late =
        catchThrowableOfType(
            ApiException.class,
            () ->
                Challenge.updater(s[0], s[1], challenge.getSid())
                    .setAuthPayload(TotpCodes.code(s[3], Instant.now()))
                    .update(client));

    challenges.put(challenge.getSid(), Optional.of("ChallengeExpired"));
    assertThat(late.getCode()).isEqualTo(60323);
    assertThat(late.getStatusCode()).isEqualTo(403);
    assertThat(late.getMessage()).isEqualTo("Challenge expired");
    assertThat(late.getMoreInfo()).isEqualTo("https://www.twilio.com/docs/errors/60323");
    assertThat(Challenge.fetcher(s[0], s[1], challenge.getSid()).fetch(client).getStatus())
        .isEqualTo(Challenge.ChallengeStatuses.EXPIRED);
  }

  @Test
  void shouldListPendingChallengesAndFollowTheNextPage() {
    String[] s = totpSetup();
    List<String> created = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      created.add(Challenge.creator(s[0], s[1], s[2]).create(client).getSid());
    }
    Challenge.updater(s[0], s[1], created.get(0))
        .setAuthPayload(TotpCodes.code(s[3], Instant.now()))
        .update(client);
    challenges.put(created.get(0), Optional.of("ChallengeApproved"));
    challenges.put(created.get(1), Optional.empty());
    challenges.put(created.get(2), Optional.empty());

    Page<Challenge> first =
        Challenge.reader(s[0], s[1])
            .setStatus(Challenge.ChallengeStatuses.PENDING)
            .setPageSize(1L)
            .firstPage(client);
    assertThat(first.getRecords()).extracting(Challenge::getSid).containsExactly(created.get(1));
    assertThat(first.hasNextPage()).isTrue();

    ResourceSet<Challenge> all =
        Challenge.reader(s[0], s[1])
            .setStatus(Challenge.ChallengeStatuses.PENDING)
            .setPageSize(1L)
            .read(client);
    List<String> seen = new ArrayList<>();
    all.forEach(c -> seen.add(c.getSid()));
    assertThat(seen).containsExactly(created.get(1), created.get(2));

    ResourceSet<Challenge> newestFirst =
        Challenge.reader(s[0], s[1])
            .setFactorSid(s[2])
            .setOrder(Challenge.ListOrders.DESC)
            .setPageSize(2L)
            .read(client);
    List<String> desc = new ArrayList<>();
    newestFirst.forEach(c -> desc.add(c.getSid()));
    assertThat(desc).containsExactly(created.get(2), created.get(1), created.get(0));
  }

  @Test
  void shouldApproveAPushChallengeSignedWithAKeyMadeInTheTestAndSendNotifications() {
    Service service = Service.creator("Push app").create(client);
    String identity = "user-" + UUID.randomUUID();
    KeyPair keys = DeviceSigner.newKeyPair();
    NewFactor factor =
        NewFactor.creator(service.getSid(), identity, "Pixel", NewFactor.FactorTypes.PUSH)
            .setBindingAlg("ES256")
            .setBindingPublicKey(Base64.getEncoder().encodeToString(keys.getPublic().getEncoded()))
            .setConfigAppId("com.example.app")
            .setConfigNotificationPlatform(NewFactor.NotificationPlatforms.FCM)
            .setConfigNotificationToken("fcm-token-" + "x".repeat(40))
            .setConfigSdkVersion("0.9.0")
            .create(client);
    assertThat(((Map<?, ?>) factor.getConfig()).get("credential_sid").toString()).startsWith("CR");
    Factor verified =
        Factor.updater(service.getSid(), identity, factor.getSid())
            .setAuthPayload(DeviceSigner.derSignature(keys, factor.getSid()))
            .update(client);
    assertThat(verified.getStatus()).isEqualTo(Factor.FactorStatuses.VERIFIED);

    Challenge challenge =
        Challenge.creator(service.getSid(), identity, factor.getSid())
            .setDetailsMessage("Approve sign-in?")
            .setDetailsFields(List.of(Map.of("label", "Action", "value", "Sign in")))
            .setHiddenDetails(Map.of("ip", "172.168.1.234"))
            .create(client);
    Notification notification =
        Notification.creator(service.getSid(), identity, challenge.getSid())
            .setTtl(120)
            .create(client);
    assertThat(notification.getSid()).startsWith("NT");
    assertThat(notification.getTtl()).isEqualTo(120);

    // The device reads the challenge (with the signature-fields header) and signs its answer.
    HttpTestClient device = system.http();
    HttpTestClient.Reply read =
        device.get(
            Scenario.entityPath(service.getSid(), identity) + "/Challenges/" + challenge.getSid());
    Challenge approved =
        Challenge.updater(service.getSid(), identity, challenge.getSid())
            .setAuthPayload(Scenario.approvalJws(keys, read, "approved"))
            .update(client);

    assertThat(approved.getStatus()).isEqualTo(Challenge.ChallengeStatuses.APPROVED);
    challenges.put(challenge.getSid(), Optional.of("ChallengeApproved"));
    assertThat(((Map<?, ?>) approved.getDetails()).get("message")).isEqualTo("Approve sign-in?");
    ApiException afterAnswer =
        catchThrowableOfType(
            ApiException.class,
            () ->
                Notification.creator(service.getSid(), identity, challenge.getSid())
                    .create(client));
    assertThat(afterAnswer.getCode()).isEqualTo(60322);
  }

  @Test
  @Order(Integer.MAX_VALUE)
  void shouldPublishExactlyOneTerminalEventPerChallengeAfterTheseFlows() {
    String[] s = totpSetup();
    String approved = Challenge.creator(s[0], s[1], s[2]).create(client).getSid();
    String code = TotpCodes.code(s[3], Instant.now());
    Challenge.updater(s[0], s[1], approved).setAuthPayload(code).update(client);
    // The same request again, as an SDK retry after a lost answer: the same attempt, same answer.
    Challenge again = Challenge.updater(s[0], s[1], approved).setAuthPayload(code).update(client);
    assertThat(again.getStatus()).isEqualTo(Challenge.ChallengeStatuses.APPROVED);
    challenges.put(approved, Optional.of("ChallengeApproved"));
    ZonedDateTime deadline =
        ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(2).truncatedTo(ChronoUnit.SECONDS);
    String expired =
        Challenge.creator(s[0], s[1], s[2]).setExpirationDate(deadline).create(client).getSid();
    challenges.put(expired, Optional.of("ChallengeExpired"));

    Set<String> mustEnd = new java.util.HashSet<>();
    challenges.forEach((sid, end) -> end.ifPresent(e -> mustEnd.add(sid)));
    var topics = system.kafka.topics();
    List<ConsumerRecord<String, SpecificRecord>> seen = new ArrayList<>();
    try (KafkaConsumer<String, SpecificRecord> consumer =
        KafkaHelpers.readCommittedConsumer(
            broker,
            List.of(topics.challengeOutcomes().name(), topics.challengeExpired().name()),
            topics.challengeOutcomes().keyDeserializer(),
            topics.challengeOutcomes().valueDeserializer())) {
      seen.addAll(
          KafkaHelpers.drainUntil(
              consumer,
              records -> terminalBySid(records).keySet().containsAll(mustEnd),
              Duration.ofSeconds(20)));
      // Then on to the end of what is committed: no second terminal event may follow.
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () -> {
                consumer.poll(Duration.ofMillis(100)).forEach(seen::add);
                var end = consumer.endOffsets(consumer.assignment());
                return consumer.assignment().stream()
                    .allMatch(tp -> consumer.position(tp) >= end.get(tp));
              });
    }
    Map<String, List<String>> terminal = terminalBySid(seen);
    challenges.forEach(
        (sid, end) -> {
          List<String> events = terminal.getOrDefault(sid, List.of());
          if (end.isPresent()) {
            assertThat(events).as(sid).containsExactly(end.get());
          } else {
            assertThat(events).as(sid).isEmpty();
          }
        });
  }

  private static Map<String, List<String>> terminalBySid(
      List<ConsumerRecord<String, SpecificRecord>> records) {
    Map<String, List<String>> out = new HashMap<>();
    for (var r : records) {
      SpecificRecord v = r.value();
      if (v instanceof ChallengeApproved
          || v instanceof ChallengeDenied
          || v instanceof ChallengeExpired) {
        out.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(v.getSchema().getName());
      }
    }
    return out;
  }
}
