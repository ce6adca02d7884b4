package io.lapse.service.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.lapse.expiry.ExpiryProcessorApp;
import io.lapse.infra.KafkaBroker;
import io.lapse.infra.SchemaRegistry;
import io.lapse.service.ChallengeServiceApp;
import io.lapse.service.ServiceConfig;
import io.lapse.service.support.HttpTestClient;
import io.lapse.service.support.HttpTestClient.Reply;
import io.lapse.service.support.Processor;
import io.lapse.service.support.Scenario;
import io.lapse.service.support.SystemEnv;
import io.lapse.testkit.LapseIntegration;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The service's Kafka side on a real broker: restart restores state, and the bounded wait. */
@LapseIntegration
class ChallengeServiceKafkaIT {
  private final Map<String, String> env;
  private ChallengeServiceApp app;
  private ExpiryProcessorApp processor;

  ChallengeServiceKafkaIT(KafkaBroker broker, SchemaRegistry registry) {
    env = SystemEnv.create(broker, registry);
  }

  private HttpTestClient startService() {
    app = ChallengeServiceApp.start(ServiceConfig.fromEnv(env));
    return new HttpTestClient(app.baseUrl(), SystemEnv.ACCOUNT, SystemEnv.TOKEN);
  }

  @AfterEach
  void stop() {
    if (processor != null) {
      processor.close();
    }
    if (app != null) {
      app.close();
    }
  }

  @Test
  void shouldAnswer503WhenNoDecisionArrivesInTime() {
    env.put("LAPSE_VERIFY_TIMEOUT_MS", "300");
    HttpTestClient api = startService(); // and no expiry processor
    Scenario scenario = new Scenario(api, Clock.systemUTC());
    String service = scenario.service();
    String identity = Scenario.identity();
    Scenario.TotpFactor totp = scenario.verifiedTotp(service, identity);
    String challenges = Scenario.entityPath(service, identity) + "/Challenges";
    String sid = api.post(challenges, "FactorSid", totp.sid()).text("sid");

    Reply r = api.post(challenges + "/" + sid, "AuthPayload", totp.codeNow());

    assertThat(r.status()).isEqualTo(503);
    assertThat(r.json().path("code").asInt()).isEqualTo(20503);
    assertThat(api.get(challenges + "/" + sid).text("status")).isEqualTo("pending");
  }

  @Test
  void shouldRestoreServicesFactorsAndChallengesAfterARestart() {
    HttpTestClient api = startService();
    Scenario scenario = new Scenario(api, Clock.systemUTC());
    String service = scenario.service();
    String identity = Scenario.identity();
    Scenario.TotpFactor totp = scenario.verifiedTotp(service, identity);
    String challenges = Scenario.entityPath(service, identity) + "/Challenges";
    String sid =
        api.postWithHeader(challenges, "Idempotency-Key", "k-1", "FactorSid", totp.sid())
            .text("sid");
    app.close();

    HttpTestClient again = startService();
    processor = Processor.start(env);

    assertThat(again.get("/v2/Services/" + service).status()).isEqualTo(200);
    Reply factor = again.get(Scenario.entityPath(service, identity) + "/Factors/" + totp.sid());
    assertThat(factor.text("status")).isEqualTo("verified");
    assertThat(again.get(challenges + "/" + sid).text("status")).isEqualTo("pending");
    assertThat(
            again
                .postWithHeader(challenges, "Idempotency-Key", "k-1", "FactorSid", totp.sid())
                .text("sid"))
        .isEqualTo(sid);
    // The seed is decrypted from the snapshot written before the restart.
    Reply r = again.post(challenges + "/" + sid, "AuthPayload", totp.codeNow());
    assertThat(r.status()).as(String.valueOf(r.json())).isEqualTo(200);
    assertThat(r.text("status")).isEqualTo("approved");
  }
}
