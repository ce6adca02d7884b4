package io.lapse.service.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.lapse.service.ChallengeServiceApp;
import io.lapse.service.ServiceConfig;
import io.lapse.service.support.HttpTestClient;
import io.lapse.service.support.HttpTestClient.Reply;
import io.lapse.service.support.KafkaFakeDecider;
import io.lapse.service.support.Scenario;
import io.lapse.testkit.KafkaBroker;
import io.lapse.testkit.KafkaHelpers;
import io.lapse.testkit.LapseIntegration;
import io.lapse.testkit.SchemaRegistry;
import io.lapse.topics.KafkaConnection;
import io.lapse.topics.TopicNames;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The service on a real broker: its writes, its followers and the request–reply path (decided here
 * by a test-only decider on the same topics).
 */
@LapseIntegration
class ChallengeServiceKafkaIT {
  private static final String ACCOUNT = "AC" + "a".repeat(32);
  private final KafkaConnection kafka;
  private final byte[] key = new byte[32];
  private ChallengeServiceApp app;

  ChallengeServiceKafkaIT(KafkaBroker broker, SchemaRegistry registry) {
    String prefix = KafkaHelpers.uniqueName("svc") + ".";
    kafka =
        KafkaConnection.local(broker.bootstrapServers(), registry.url())
            .withPartitions(3)
            .withTopicNames(TopicNames.fromEnv(Map.of("LAPSE_TOPIC_PREFIX", prefix)));
    new SecureRandom().nextBytes(key);
  }

  private ChallengeServiceApp start(Duration verifyTimeout) {
    app =
        ChallengeServiceApp.start(
            ServiceConfig.local(kafka, ACCOUNT, "token", key).withVerifyTimeout(verifyTimeout));
    return app;
  }

  @AfterEach
  void stop() {
    if (app != null) {
      app.close();
    }
  }

  @Test
  void shouldAnswerAVerificationWithTheDecisionReadBackFromOutcomes() {
    start(Duration.ofSeconds(5));
    HttpTestClient api = new HttpTestClient(app.baseUrl(), ACCOUNT, "token");
    Scenario scenario = new Scenario(api, Clock.systemUTC());
    String service = scenario.service();
    String identity = Scenario.identity();
    Scenario.TotpFactor totp = scenario.verifiedTotp(service, identity);
    String challenges = Scenario.entityPath(service, identity) + "/Challenges";
    try (KafkaFakeDecider decider = new KafkaFakeDecider(kafka, app.domain().view())) {
      String sid = api.post(challenges, "FactorSid", totp.sid()).text("sid");

      Reply r = api.post(challenges + "/" + sid, "AuthPayload", totp.codeNow());

      assertThat(r.status()).as(String.valueOf(r.json())).isEqualTo(200);
      assertThat(r.text("status")).isEqualTo("approved");
      assertThat(api.get(challenges + "/" + sid).text("status")).isEqualTo("approved");
    }
  }

  @Test
  void shouldAnswer503WhenNoDecisionArrivesInTime() {
    start(Duration.ofMillis(300));
    HttpTestClient api = new HttpTestClient(app.baseUrl(), ACCOUNT, "token");
    Scenario scenario = new Scenario(api, Clock.systemUTC());
    String service = scenario.service();
    String identity = Scenario.identity();
    Scenario.TotpFactor totp = scenario.verifiedTotp(service, identity);
    String challenges = Scenario.entityPath(service, identity) + "/Challenges";
    String sid = api.post(challenges, "FactorSid", totp.sid()).text("sid");

    Reply r = api.post(challenges + "/" + sid, "AuthPayload", totp.codeNow());

    assertThat(r.status()).isEqualTo(503);
    assertThat(r.json().path("code").asInt()).isEqualTo(20503);
  }

  @Test
  void shouldRestoreServicesFactorsAndChallengesAfterARestart() {
    start(Duration.ofSeconds(5));
    HttpTestClient api = new HttpTestClient(app.baseUrl(), ACCOUNT, "token");
    Scenario scenario = new Scenario(api, Clock.systemUTC());
    String service = scenario.service();
    String identity = Scenario.identity();
    Scenario.TotpFactor totp = scenario.verifiedTotp(service, identity);
    String challenges = Scenario.entityPath(service, identity) + "/Challenges";
    String sid = api.post(challenges, "FactorSid", totp.sid()).text("sid");
    app.close();

    start(Duration.ofSeconds(5));
    HttpTestClient again = new HttpTestClient(app.baseUrl(), ACCOUNT, "token");

    assertThat(again.get("/v2/Services/" + service).status()).isEqualTo(200);
    Reply factor = again.get(Scenario.entityPath(service, identity) + "/Factors/" + totp.sid());
    assertThat(factor.text("status")).isEqualTo("verified");
    assertThat(again.get(challenges + "/" + sid).text("status")).isEqualTo("pending");
    try (KafkaFakeDecider decider = new KafkaFakeDecider(kafka, app.domain().view())) {
      // The seed was decrypted from the snapshot written before the restart.
      Reply r = again.post(challenges + "/" + sid, "AuthPayload", totp.codeNow());
      assertThat(r.text("status")).isEqualTo("approved");
    }
  }
}
