package io.lapse.service.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Key rotation completed against the running system: seeds sealed under an old {@code
 * LAPSE_SECRET_KEY}, the service restarted with a new key and the old one in {@code
 * LAPSE_SECRET_KEYS_PREVIOUS}, a re-seal ({@code POST /v2/Lapse/Reseal}), then the old key dropped
 * altogether: every seed still verifies, so the old key can be retired.
 */
@LapseIntegration
class SecretKeyResealIT {
  private final Clock clock = Clock.systemUTC();

  @Test
  void shouldVerifyEverySeedWithTheNewKeyAloneAfterAReseal(
      KafkaBroker broker, SchemaRegistry registry) {
    Map<String, String> env = new HashMap<>(SystemEnv.create(broker, registry));
    String oldKey = env.get("LAPSE_SECRET_KEY");
    String newKey = randomKey();
    ExpiryProcessorApp processor = Processor.start(env);
    try {
      String service;
      String identity = Scenario.identity();
      Scenario.TotpFactor verified;
      Scenario.TotpFactor unverified;
      try (ChallengeServiceApp old = ChallengeServiceApp.start(ServiceConfig.fromEnv(env))) {
        HttpTestClient api = client(old);
        Scenario scenario = new Scenario(api, clock);
        service = scenario.service();
        verified = scenario.verifiedTotp(service, identity);
        Reply created =
            api.post(
                Scenario.entityPath(service, identity) + "/Factors",
                "FriendlyName",
                "tablet",
                "FactorType",
                "totp");
        unverified =
            new Scenario.TotpFactor(
                created.text("sid"), created.json().path("binding").path("secret").asText(), clock);
      }

      env.put("LAPSE_SECRET_KEY", newKey);
      env.put("LAPSE_SECRET_KEYS_PREVIOUS", oldKey);
      JsonNode first;
      JsonNode again;
      try (ChallengeServiceApp rotated = ChallengeServiceApp.start(ServiceConfig.fromEnv(env))) {
        HttpTestClient api = client(rotated);
        first = api.post("/v2/Lapse/Reseal").json();
        again = api.post("/v2/Lapse/Reseal").json();
      }
      assertThat(first.path("resealed").asInt()).as(first.toString()).isEqualTo(2);
      assertThat(first.path("failed").asInt()).isZero();
      assertThat(again.path("resealed").asInt()).as("rerunnable").isZero();
      assertThat(again.path("already_current").asInt()).isEqualTo(2);

      env.remove("LAPSE_SECRET_KEYS_PREVIOUS");
      try (ChallengeServiceApp retired = ChallengeServiceApp.start(ServiceConfig.fromEnv(env))) {
        HttpTestClient api = client(retired);
        String entity = Scenario.entityPath(service, identity);
        String challenge =
            entity
                + "/Challenges/"
                + api.post(entity + "/Challenges", "FactorSid", verified.sid()).text("sid");

        Reply approved = api.post(challenge, "AuthPayload", verified.codeNow());
        Reply verifiedNow =
            api.post(entity + "/Factors/" + unverified.sid(), "AuthPayload", unverified.codeNow());

        assertThat(approved.status()).as(String.valueOf(approved.json())).isEqualTo(200);
        assertThat(approved.text("status")).isEqualTo("approved");
        assertThat(verifiedNow.status()).as(String.valueOf(verifiedNow.json())).isEqualTo(200);
        assertThat(verifiedNow.text("status")).isEqualTo("verified");
      }
    } finally {
      processor.close();
    }
  }

  private static HttpTestClient client(ChallengeServiceApp app) {
    return new HttpTestClient(app.baseUrl(), SystemEnv.ACCOUNT, SystemEnv.TOKEN);
  }

  private static String randomKey() {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    return Base64.getEncoder().encodeToString(key);
  }
}
