package io.lapse.service.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.JWTClaimsSet;
import com.twilio.rest.verify.v2.Service;
import io.lapse.examples.DeviceSigner;
import io.lapse.infra.KafkaBroker;
import io.lapse.infra.SchemaRegistry;
import io.lapse.service.support.DeviceTokens;
import io.lapse.service.support.HttpTestClient;
import io.lapse.service.support.HttpTestClient.Reply;
import io.lapse.service.support.LapseSystem;
import io.lapse.service.support.Scenario;
import io.lapse.service.support.SystemEnv;
import io.lapse.testkit.LapseIntegration;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The trust rows of the HTTP edge against the running system (real broker, registry and expiry
 * processor): device tokens held to their factor's SDK calls and lifetime, and bad input answered
 * 4xx.
 */
@LapseIntegration
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EdgeTrustIT {
  private LapseSystem system;
  private HttpTestClient api;
  private Scenario scenario;

  @BeforeAll
  void start(KafkaBroker broker, SchemaRegistry registry) {
    system = new LapseSystem(broker, registry);
    api = system.http();
    scenario = new Scenario(api, Clock.systemUTC());
  }

  @AfterAll
  void stop() {
    system.close();
  }

  private record Device(String service, String identity, Scenario.PushFactor factor, String kid) {
    String entity() {
      return Scenario.entityPath(service, identity);
    }
  }

  private Device verifiedDevice() {
    String service = scenario.service();
    String identity = Scenario.identity();
    Scenario.PushFactor push = scenario.verifiedPush(service, identity, "none");
    String kid =
        api.get(Scenario.entityPath(service, identity) + "/Factors/" + push.sid())
            .json()
            .path("config")
            .path("credential_sid")
            .asText();
    return new Device(service, identity, push, kid);
  }

  private HttpTestClient sdkClient(KeyPair keys, String kid) {
    return DeviceTokens.client(
        system.service.baseUrl(),
        DeviceSigner.sdkToken(keys, kid, SystemEnv.ACCOUNT, Instant.now()));
  }

  private static void assertRefused(Reply r) {
    assertThat(r.status()).as(String.valueOf(r.json())).isEqualTo(401);
    assertThat(r.json().path("code").asInt()).isEqualTo(20003);
  }

  private static String[] pushForm(KeyPair keys) {
    return new String[] {
      "FriendlyName", "device",
      "FactorType", "push",
      "Binding.Alg", "ES256",
      "Binding.PublicKey", Base64.getEncoder().encodeToString(keys.getPublic().getEncoded()),
      "Config.AppId", "com.example.app",
      "Config.SdkVersion", "1.0.0",
      "Config.NotificationPlatform", "none"
    };
  }

  @Test
  void shouldLetADeviceTokenAnswerItsOwnChallengeThroughTheProcessor() {
    Device d = verifiedDevice();
    HttpTestClient device = sdkClient(d.factor().keys(), d.kid());
    String sid =
        api.post(
                d.entity() + "/Challenges",
                "FactorSid",
                d.factor().sid(),
                "Details.Message",
                "Sign in?")
            .text("sid");
    String challenge = d.entity() + "/Challenges/" + sid;

    Reply read = device.get(challenge);
    Reply answered =
        device.post(
            challenge, "AuthPayload", Scenario.approvalJws(d.factor().keys(), read, "approved"));

    assertThat(answered.status()).as(String.valueOf(answered.json())).isEqualTo(200);
    assertThat(answered.text("status")).isEqualTo("approved");
  }

  @Test
  void shouldRefuseADeviceTokenThatEnrolsASecondPushFactor() {
    Device d = verifiedDevice();

    assertRefused(
        sdkClient(d.factor().keys(), d.kid())
            .post(d.entity() + "/Factors", pushForm(DeviceSigner.newKeyPair())));
    assertThat(api.get(d.entity() + "/Factors").json().path("factors")).hasSize(1);
  }

  @Test
  void shouldRefuseADeviceTokenThatExpiresTenYearsAhead() {
    Device d = verifiedDevice();
    Instant now = Instant.now();
    String token =
        DeviceSigner.deviceToken(
            d.factor().keys(),
            d.kid(),
            new JWTClaimsSet.Builder()
                .subject(SystemEnv.ACCOUNT)
                .notBeforeTime(Date.from(now))
                .expirationTime(Date.from(now.plus(Duration.ofDays(3653))))
                .build());

    assertRefused(
        DeviceTokens.client(system.service.baseUrl(), token)
            .get(d.entity() + "/Factors/" + d.factor().sid()));
  }

  @Test
  void shouldRefuseAnUnverifiedFactorsTokenListingChallengesButLetItVerifyItself() {
    String service = scenario.service();
    String identity = Scenario.identity();
    String entity = Scenario.entityPath(service, identity);
    KeyPair keys = DeviceSigner.newKeyPair();
    Reply created = api.post(entity + "/Factors", pushForm(keys));
    String sid = created.text("sid");
    HttpTestClient device =
        sdkClient(keys, created.json().path("config").path("credential_sid").asText());

    assertRefused(device.get(entity + "/Challenges?FactorSid=" + sid));
    Reply verified =
        device.post(
            entity + "/Factors/" + sid, "AuthPayload", DeviceSigner.derSignature(keys, sid));
    assertThat(verified.text("status")).isEqualTo("verified");
  }

  @Test
  void shouldRefuseADeviceTokenDeletingItsEntityWithATrailingSlash() {
    Device d = verifiedDevice();

    assertRefused(sdkClient(d.factor().keys(), d.kid()).delete(d.entity() + "/"));
    assertThat(api.get(d.entity()).status()).isEqualTo(200);
    assertThat(api.get(d.entity() + "/Factors").json().path("factors")).hasSize(1);
  }

  @Test
  void shouldAnswerAMultipartBodyWithABadBoundaryWith415() throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(system.service.baseUrl() + "/v2/Services"))
                    .header(
                        "Authorization",
                        "Basic "
                            + Base64.getEncoder()
                                .encodeToString(
                                    (SystemEnv.ACCOUNT + ":" + SystemEnv.TOKEN)
                                        .getBytes(StandardCharsets.UTF_8)))
                    .header("Content-Type", "multipart/form-data; boundary=")
                    .POST(HttpRequest.BodyPublishers.ofString("--x\r\n\r\nFriendlyName=x"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());

    assertThat(r.statusCode()).isEqualTo(415);
    assertThat(r.body()).contains("\"code\":20415");
  }

  @Test
  void shouldEnforceAStrictPolicyThatTwiliosSdkStillReads() {
    Reply created =
        api.post(
            "/v2/Services",
            "FriendlyName",
            "Strict",
            "LapseMaxChallengeLifetime",
            "600",
            "LapseMaxTotpSkew",
            "0");
    String service = created.text("sid");
    String identity = Scenario.identity();
    Scenario.TotpFactor totp = scenario.verifiedTotpAtCurrentStep(service, identity);

    Reply tooLong =
        api.post(
            Scenario.entityPath(service, identity) + "/Challenges",
            "FactorSid",
            totp.sid(),
            "ExpirationDate",
            Instant.now().plus(Duration.ofMinutes(30)).toString());
    Service read = Service.fetcher(service).fetch(system.sdk());

    assertThat(created.json().path("lapse").path("max_challenge_lifetime").asInt()).isEqualTo(600);
    assertThat(tooLong.status()).isEqualTo(400);
    assertThat(tooLong.json().path("code").asInt()).isEqualTo(60300);
    assertThat(read.getFriendlyName()).isEqualTo("Strict");
  }

  @Test
  void shouldRefuseATotpSecretOfFiveBitsAtCreation() {
    String service = scenario.service();
    Reply r =
        api.post(
            Scenario.entityPath(service, Scenario.identity()) + "/Factors",
            "FriendlyName",
            "phone",
            "FactorType",
            "totp",
            "Binding.Secret",
            "A");

    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().path("code").asInt()).isEqualTo(60314);
  }
}
