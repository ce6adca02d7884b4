package io.lapse.service.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.lapse.examples.DeviceSigner;
import io.lapse.service.support.ApiFixture;
import io.lapse.service.support.DeviceTokens;
import io.lapse.service.support.HttpTestClient;
import io.lapse.service.support.HttpTestClient.Reply;
import io.lapse.service.support.Scenario;
import java.security.KeyPair;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A device token (Basic {@code token:<JWT>} signed by push factor P) may make exactly the calls the
 * Verify mobile SDKs make with it, on P's own resources; everything else is 401/20003, as a bad
 * token is.
 */
class DeviceTokenScopeApiTest {
  private final ApiFixture api = new ApiFixture();
  private final Scenario scenario = new Scenario(api);
  private final String service = scenario.service();
  private final String identity = Scenario.identity();
  private final String entity = Scenario.entityPath(service, identity);
  private final Scenario.PushFactor p = scenario.verifiedPush(service, identity, "fcm");
  private final Scenario.PushFactor q = scenario.verifiedPush(service, identity, "fcm");
  private final String challengeOfP = createChallenge(p.sid());
  private final String challengeOfQ = createChallenge(q.sid());
  private final HttpTestClient device = deviceOf(p);

  @AfterEach
  void close() {
    api.close();
  }

  private String createChallenge(String factorSid) {
    Reply r =
        api.post(entity + "/Challenges", "FactorSid", factorSid, "Details.Message", "Sign in?");
    assertThat(r.status()).isEqualTo(201);
    return entity + "/Challenges/" + r.text("sid");
  }

  private String credentialSid(String factorSid) {
    return api.get(entity + "/Factors/" + factorSid)
        .json()
        .path("config")
        .path("credential_sid")
        .asText();
  }

  private HttpTestClient deviceOf(Scenario.PushFactor factor) {
    return DeviceTokens.client(
        api.baseUrl(),
        DeviceTokens.sdkToken(factor.keys(), credentialSid(factor.sid()), api.clock.instant()));
  }

  private static void assertRefused(Reply r) {
    assertThat(r.status()).as(String.valueOf(r.json())).isEqualTo(401);
    assertThat(r.json().path("code").asInt()).isEqualTo(20003);
    assertThat(r.headers().firstValue("Date")).isPresent();
  }

  @Test
  void shouldAllowEveryCallTheSdksMakeOnTheTokensOwnFactor() {
    assertThat(device.get("/v2/Services/" + service).status()).isEqualTo(200);
    assertThat(device.get(entity + "/Factors/" + p.sid()).text("sid")).isEqualTo(p.sid());
    Reply updated =
        device.post(
            entity + "/Factors/" + p.sid(),
            "FriendlyName",
            "new phone",
            "Config.NotificationToken",
            "n".repeat(40),
            "Config.SdkVersion",
            "0.9.0");
    assertThat(updated.status()).isEqualTo(200);
    assertThat(updated.text("friendly_name")).isEqualTo("new phone");

    Reply list =
        device.get(
            entity + "/Challenges?FactorSid=" + p.sid() + "&PageSize=50&Order=desc&Status=pending");
    assertThat(list.status()).isEqualTo(200);
    assertThat(list.json().path("challenges")).hasSize(1);
    assertThat(list.json().path("challenges").get(0).path("factor_sid").asText())
        .isEqualTo(p.sid());

    Reply read = device.get(challengeOfP);
    assertThat(read.status()).isEqualTo(200);
    assertThat(read.headers().firstValue("Twilio-Verify-Signature-Fields")).isPresent();
    Reply answered =
        device.post(challengeOfP, "AuthPayload", Scenario.approvalJws(p.keys(), read, "approved"));
    assertThat(answered.status()).as(String.valueOf(answered.json())).isEqualTo(200);
    assertThat(answered.text("status")).isEqualTo("approved");

    assertThat(device.delete(entity + "/Factors/" + p.sid()).status()).isEqualTo(204);
    assertThat(api.get(entity + "/Factors/" + p.sid()).status()).isEqualTo(404);
  }

  @Test
  void shouldRefuseEnrollingASecondPushFactorWithADeviceToken() {
    KeyPair other = DeviceSigner.newKeyPair();

    Reply r =
        device.post(
            entity + "/Factors",
            "FriendlyName",
            "attacker",
            "FactorType",
            "push",
            "Binding.Alg",
            "ES256",
            "Binding.PublicKey",
            Base64.getEncoder().encodeToString(other.getPublic().getEncoded()),
            "Config.AppId",
            "com.example.app",
            "Config.SdkVersion",
            "1.0.0",
            "Config.NotificationPlatform",
            "none");

    assertRefused(r);
    assertThat(api.get(entity + "/Factors").json().path("factors")).hasSize(2);
  }

  @Test
  void shouldRefuseDeletingTheEntityWithOrWithoutATrailingSlash() {
    assertRefused(device.delete(entity + "/"));
    assertRefused(device.delete(entity));

    assertThat(api.get(entity).status()).isEqualTo(200);
    assertThat(api.get(entity + "/Factors").json().path("factors")).hasSize(2);
  }

  @Test
  void shouldRefuseAnAllowedCallSpelledWithATrailingSlash() {
    assertRefused(device.get(entity + "/Factors/" + p.sid() + "/"));
    assertRefused(device.delete(entity + "/Factors/" + p.sid() + "/"));
    assertThat(api.get(entity + "/Factors/" + p.sid()).status()).isEqualTo(200);
  }

  @Test
  void shouldRefuseTheChallengesAndTheFactorOfAnotherFactorOfTheSameEntity() {
    Reply readQ = api.get(challengeOfQ);
    assertRefused(device.get(challengeOfQ));
    assertRefused(
        device.post(challengeOfQ, "AuthPayload", Scenario.approvalJws(p.keys(), readQ, "denied")));
    assertThat(api.get(challengeOfQ).text("status")).isEqualTo("pending");

    assertRefused(device.get(entity + "/Challenges?FactorSid=" + q.sid()));
    assertRefused(device.get(entity + "/Challenges"));
    assertRefused(
        device.get(entity + "/Challenges?FactorSid=" + p.sid() + "&FactorSid=" + q.sid()));

    assertRefused(device.get(entity + "/Factors/" + q.sid()));
    assertRefused(device.post(entity + "/Factors/" + q.sid(), "FriendlyName", "mine now"));
    assertRefused(device.delete(entity + "/Factors/" + q.sid()));
    assertThat(api.get(entity + "/Factors/" + q.sid()).text("friendly_name")).isEqualTo("device");
  }

  @Test
  void shouldRefuseCallsTheSdksNeverMakeWithAToken() {
    assertRefused(device.get(entity));
    assertRefused(device.get(entity + "/Factors"));
    assertRefused(device.post(challengeOfP + "/Notifications"));
    assertRefused(
        device.post(entity + "/Challenges", "FactorSid", p.sid(), "Details.Message", "x"));
    assertRefused(device.get("/v2/Services"));
    assertRefused(device.post("/v2/Services", "FriendlyName", "mine"));
    assertRefused(device.post("/v2/Services/" + service, "FriendlyName", "mine"));
    assertRefused(device.delete("/v2/Services/" + service));
    assertRefused(
        device.post(entity.replace("/Entities/" + identity, "/Entities"), "Identity", "x"));
    assertRefused(device.post("/v2/Lapse/Reseal"));
  }

  @Test
  void shouldRefuseTheSameCallsUnderAnotherServiceOrEntity() {
    String otherService = scenario.service();
    String otherEntity = Scenario.entityPath(otherService, identity);
    scenario.verifiedTotp(otherService, identity);
    String otherIdentity = Scenario.identity();
    scenario.verifiedTotp(service, otherIdentity);

    assertRefused(device.get("/v2/Services/" + otherService));
    assertRefused(device.get(otherEntity + "/Factors/" + p.sid()));
    assertRefused(device.get(otherEntity + "/Challenges?FactorSid=" + p.sid()));
    assertRefused(
        device.get(
            Scenario.entityPath(service, otherIdentity) + "/Challenges?FactorSid=" + p.sid()));
  }

  @Test
  void shouldLetAnUnverifiedFactorsTokenOnlyVerifyThatFactor() {
    KeyPair keys = DeviceSigner.newKeyPair();
    Reply created =
        api.post(
            entity + "/Factors",
            "FriendlyName",
            "new device",
            "FactorType",
            "push",
            "Binding.Alg",
            "ES256",
            "Binding.PublicKey",
            Base64.getEncoder().encodeToString(keys.getPublic().getEncoded()),
            "Config.AppId",
            "com.example.app",
            "Config.SdkVersion",
            "1.0.0",
            "Config.NotificationPlatform",
            "none");
    String sid = created.text("sid");
    HttpTestClient unverified =
        DeviceTokens.client(
            api.baseUrl(),
            DeviceTokens.sdkToken(
                keys,
                created.json().path("config").path("credential_sid").asText(),
                api.clock.instant()));

    assertRefused(unverified.get(entity + "/Challenges?FactorSid=" + sid));
    assertRefused(unverified.get(entity + "/Factors/" + sid));
    assertRefused(unverified.get("/v2/Services/" + service));
    assertRefused(unverified.post(entity + "/Factors/" + sid, "FriendlyName", "renamed"));
    assertRefused(unverified.delete(entity + "/Factors/" + sid));

    Reply verified =
        unverified.post(
            entity + "/Factors/" + sid, "AuthPayload", DeviceSigner.derSignature(keys, sid));
    assertThat(verified.status()).isEqualTo(200);
    assertThat(verified.text("status")).isEqualTo("verified");
    assertThat(unverified.get(entity + "/Challenges?FactorSid=" + sid).status()).isEqualTo(200);
  }

  @Test
  void shouldRefuseADeletedFactorsToken() {
    assertThat(api.delete(entity + "/Factors/" + p.sid()).status()).isEqualTo(204);

    assertRefused(device.get("/v2/Services/" + service));
  }
}
