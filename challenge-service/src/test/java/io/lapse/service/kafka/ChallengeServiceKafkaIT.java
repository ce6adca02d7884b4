package io.lapse.service.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lapse.events.v1.ChallengeCreated;
import io.lapse.events.v1.ChallengeExpired;
import io.lapse.expiry.ExpiryConfig;
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
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.Map;
import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The service's Kafka side on a real broker: the contract is in the registry from the start,
 * restart restores state, and the bounded wait.
 */
@LapseIntegration
class ChallengeServiceKafkaIT {
  private final Map<String, String> env;
  private final String registryUrl;
  private ChallengeServiceApp app;
  private ExpiryProcessorApp processor;

  ChallengeServiceKafkaIT(KafkaBroker broker, SchemaRegistry registry) {
    env = SystemEnv.create(broker, registry);
    registryUrl = registry.url();
  }

  /** GET {@code /subjects/<subject>/versions/latest} on the registry, as another service would. */
  private HttpResponse<String> latestVersion(String subject)
      throws IOException, InterruptedException {
    HttpRequest get =
        HttpRequest.newBuilder(
                URI.create(registryUrl + "/subjects/" + subject + "/versions/latest"))
            .GET()
            .build();
    return HttpClient.newHttpClient().send(get, HttpResponse.BodyHandlers.ofString());
  }

  private static Schema schemaOf(HttpResponse<String> latest) throws IOException {
    JsonNode body = new ObjectMapper().readTree(latest.body());
    return new Schema.Parser().parse(body.path("schema").asText());
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
  void shouldPublishTheContractInTheRegistryBeforeServingAnyRequest() throws Exception {
    String subject = env.get("LAPSE_TOPIC_PREFIX") + "challenge-created-value";
    assertThat(latestVersion(subject).statusCode()).isEqualTo(404);

    startService();

    HttpResponse<String> latest = latestVersion(subject);
    assertThat(latest.statusCode()).as(latest.body()).isEqualTo(200);
    assertThat(schemaOf(latest)).isEqualTo(ChallengeCreated.getClassSchema());
  }

  @Test
  void shouldHaveTheProcessorPublishTheContractWhenItStartsFirst() throws Exception {
    String subject = env.get("LAPSE_TOPIC_PREFIX") + "challenge-expired-value";
    assertThat(latestVersion(subject).statusCode()).isEqualTo(404);

    processor = ExpiryProcessorApp.start(ExpiryConfig.fromEnv(env));

    HttpResponse<String> latest = latestVersion(subject);
    assertThat(latest.statusCode()).as(latest.body()).isEqualTo(200);
    assertThat(schemaOf(latest)).isEqualTo(ChallengeExpired.getClassSchema());
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
