package io.lapse.service.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.lapse.examples.DeviceSigner;
import io.lapse.service.crypto.Base32;
import io.lapse.service.crypto.TotpAlgorithm;
import io.lapse.service.crypto.TotpVerifier;
import io.lapse.service.support.ApiFixture;
import io.lapse.service.support.HttpTestClient.Reply;
import io.lapse.service.support.Scenario;
import io.lapse.state.v1.FactorSnapshot;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FactorsApiTest {
  private static final String RFC_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
  private final ApiFixture api = new ApiFixture();
  private final Scenario scenario = new Scenario(api);
  private final String service = scenario.service();
  private final String identity = Scenario.identity();
  private final String factors = Scenario.entityPath(service, identity) + "/Factors";

  @AfterEach
  void close() {
    api.close();
  }

  private String[] push(KeyPair keys, String... extra) {
    String[] base = {
      "FriendlyName", "device",
      "FactorType", "push",
      "Binding.Alg", "ES256",
      "Binding.PublicKey", Base64.getEncoder().encodeToString(keys.getPublic().getEncoded()),
      "Config.AppId", "com.example.app",
      "Config.SdkVersion", "1.0.0",
      "Config.NotificationPlatform", "fcm",
      "Config.NotificationToken", "t".repeat(40)
    };
    String[] all = java.util.Arrays.copyOf(base, base.length + extra.length);
    System.arraycopy(extra, 0, all, base.length, extra.length);
    return all;
  }

  @Test
  void shouldCreateATotpFactorAndItsEntityShowingTheBindingOnlyOnce() {
    Reply r =
        api.post(
            factors,
            "FriendlyName",
            "John's phone",
            "FactorType",
            "totp",
            "Binding.Secret",
            RFC_SECRET);

    assertThat(r.status()).isEqualTo(201);
    assertThat(r.text("sid")).matches("YF[0-9a-f]{32}");
    assertThat(r.text("status")).isEqualTo("unverified");
    assertThat(r.json().path("binding").path("secret").asText()).isEqualTo(RFC_SECRET);
    assertThat(r.json().path("binding").path("uri").asText())
        .isEqualTo(
            "otpauth://totp/Test%20service:John%27s%20phone?secret="
                + RFC_SECRET
                + "&issuer=Test%20service&algorithm=SHA1&digits=6&period=30");
    assertThat(r.json().path("config").toString())
        .isEqualTo("{\"alg\":\"sha1\",\"skew\":1,\"code_length\":6,\"time_step\":30}");
    assertThat(r.json().has("options")).isTrue();
    assertThat(api.get(Scenario.entityPath(service, identity)).status()).isEqualTo(200);
    Reply fetched = api.get(factors + "/" + r.text("sid"));
    assertThat(fetched.json().has("binding")).isFalse();
    assertThat(fetched.text("entity_sid")).isEqualTo(r.text("entity_sid"));
  }

  @Test
  void shouldNeverWriteTheTotpSeedInClear() {
    api.post(factors, "FriendlyName", "phone", "FactorType", "totp", "Binding.Secret", RFC_SECRET);
    FactorSnapshot written = (FactorSnapshot) api.logs.written("factors").get(0).value();
    byte[] sealed = new byte[written.getTotpSecretCiphertext().remaining()];
    written.getTotpSecretCiphertext().duplicate().get(sealed);
    assertThat(new String(sealed, StandardCharsets.ISO_8859_1)).doesNotContain("1234567890");
    assertThat(written.toString()).doesNotContain(RFC_SECRET);
    assertThat(written.getTotpSecretKeyId()).startsWith("k-");
  }

  @Test
  void shouldGenerateA160BitSecretAndTakeConfigFromServiceAndRequest() {
    String svc =
        api.post("/v2/Services", "FriendlyName", "S", "Totp.CodeLength", "8", "Totp.Issuer", "Iss")
            .text("sid");
    Reply r =
        api.post(
            Scenario.entityPath(svc, identity) + "/Factors",
            "FriendlyName",
            "phone",
            "FactorType",
            "totp",
            "Config.Alg",
            "sha512",
            "Config.TimeStep",
            "60");
    assertThat(Base32.decode(r.json().path("binding").path("secret").asText())).hasSize(20);
    assertThat(r.json().path("config").toString())
        .isEqualTo("{\"alg\":\"sha512\",\"skew\":1,\"code_length\":8,\"time_step\":60}");
    assertThat(r.json().path("binding").path("uri").asText())
        .startsWith("otpauth://totp/Iss:phone?")
        .contains("algorithm=SHA512&digits=8&period=60");
  }

  @Test
  void shouldVerifyATotpFactorWithTheCurrentCode() {
    String sid =
        api.post(
                factors,
                "FriendlyName",
                "phone",
                "FactorType",
                "totp",
                "Binding.Secret",
                RFC_SECRET)
            .text("sid");
    String code =
        TotpVerifier.codeAt(
            Base32.decode(RFC_SECRET),
            new TotpVerifier.Params(TotpAlgorithm.SHA1, 6, 30, 1),
            api.clock.instant());

    Reply r = api.post(factors + "/" + sid, "AuthPayload", code);

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.text("status")).isEqualTo("verified");
  }

  @Test
  void shouldLeaveASeedAlreadyUnderTheNewestKeyAloneOnAReseal() {
    api.post(factors, "FriendlyName", "phone", "FactorType", "totp");

    Reply r = api.post("/v2/Lapse/Reseal");

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().path("resealed").asInt()).as(r.json().toString()).isZero();
    assertThat(r.json().path("already_current").asInt()).isEqualTo(1);
    assertThat(r.json().path("failed").asInt()).isZero();
    assertThat(api.getWithAuthorization("/v2/Lapse/Reseal", null).status())
        .as("behind the account's authentication like every /v2 path")
        .isEqualTo(401);
  }

  @Test
  void shouldAnswerARetriedFactorVerificationAsTheFirstAndCountItOnce() {
    String sid = api.post(factors, "FriendlyName", "phone", "FactorType", "totp").text("sid");
    for (int i = 0; i < 6; i++) {
      Reply retried = api.post(factors + "/" + sid, "AuthPayload", "000000");
      assertThat(retried.status()).as("retry %d", i).isEqualTo(200);
      assertThat(retried.text("status")).isEqualTo("unverified");
    }
    for (int i = 1; i < 5; i++) {
      assertThat(api.post(factors + "/" + sid, "AuthPayload", "00000" + i).status()).isEqualTo(200);
    }

    Reply sixth = api.post(factors + "/" + sid, "AuthPayload", "000009");

    assertThat(sixth.status()).as("the retries counted once: this is the sixth").isEqualTo(429);
    assertThat(sixth.json().path("code").asInt()).isEqualTo(60310);
  }

  @Test
  void shouldAnswerTheRetryOfTheFifthWrongCodeAsThatCodeWasNotWith60310() {
    String sid = api.post(factors, "FriendlyName", "phone", "FactorType", "totp").text("sid");
    for (int i = 0; i < 5; i++) {
      assertThat(api.post(factors + "/" + sid, "AuthPayload", "00000" + i).status()).isEqualTo(200);
    }

    Reply retry = api.post(factors + "/" + sid, "AuthPayload", "000004");
    Reply sixth = api.post(factors + "/" + sid, "AuthPayload", "000009");

    assertThat(retry.status()).as("the fifth's answer again: %s", retry.json()).isEqualTo(200);
    assertThat(retry.text("status")).isEqualTo("unverified");
    assertThat(sixth.status()).isEqualTo(429);
    assertThat(sixth.json().path("code").asInt()).isEqualTo(60310);
  }

  @Test
  void shouldAnswerAWrongTotpCodeWithUnverifiedThenLockAfterFiveFailures() {
    String sid = api.post(factors, "FriendlyName", "phone", "FactorType", "totp").text("sid");
    for (int i = 0; i < 5; i++) {
      Reply r = api.post(factors + "/" + sid, "AuthPayload", "00000" + i);
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.text("status")).isEqualTo("unverified");
    }
    Reply locked = api.post(factors + "/" + sid, "AuthPayload", "000009");
    assertThat(locked.status()).isEqualTo(429);
    assertThat(locked.json().path("code").asInt()).isEqualTo(60310);
  }

  @Test
  void shouldRejectBadTotpParameters() {
    String[][] bad = {
      {"Binding.Secret", "not-base32!"},
      {"Config.Alg", "md5"},
      {"Config.TimeStep", "10"},
      {"Config.Skew", "3"},
      {"Config.CodeLength", "9"}
    };
    for (String[] b : bad) {
      Reply r = api.post(factors, "FriendlyName", "phone", "FactorType", "totp", b[0], b[1]);
      assertThat(r.status()).as(b[0]).isEqualTo(400);
      assertThat(r.json().path("code").asInt())
          .as(b[0])
          .isEqualTo(b[0].equals("Binding.Secret") ? 60314 : 60300);
    }
    assertThat(api.post(factors, "FactorType", "totp").json().path("code").asInt())
        .isEqualTo(60300);
    assertThat(api.post(factors, "FriendlyName", "x".repeat(65), "FactorType", "totp").status())
        .isEqualTo(400);
    assertThat(
            api.post(factors, "FriendlyName", "p", "FactorType", "passkeys")
                .json()
                .path("code")
                .asInt())
        .isEqualTo(60300);
    assertThat(
            api.post(
                    Scenario.entityPath(service, "bad_id_123") + "/Factors",
                    "FriendlyName",
                    "p",
                    "FactorType",
                    "totp")
                .json()
                .path("code")
                .asInt())
        .isEqualTo(60306);
  }

  @Test
  void shouldRefuseTheSameTotpSecretTwiceForOneEntity() {
    api.post(factors, "FriendlyName", "a", "FactorType", "totp", "Binding.Secret", RFC_SECRET);
    Reply r =
        api.post(factors, "FriendlyName", "b", "FactorType", "totp", "Binding.Secret", RFC_SECRET);
    assertThat(r.status()).isEqualTo(409);
    assertThat(r.json().path("code").asInt()).isEqualTo(60317);
  }

  @Test
  void shouldCreateAPushFactorWithCredentialSidInConfig() {
    KeyPair keys = DeviceSigner.newKeyPair();
    Reply r = api.post(factors, push(keys, "Metadata", "{\"os\":\"Android\"}"));

    assertThat(r.status()).isEqualTo(201);
    assertThat(r.json().path("binding").path("alg").asText()).isEqualTo("ES256");
    assertThat(r.json().path("binding").path("public_key").asText())
        .isEqualTo(Base64.getEncoder().encodeToString(keys.getPublic().getEncoded()));
    var config = r.json().path("config");
    assertThat(config.path("credential_sid").asText()).matches("CR[0-9a-f]{32}");
    assertThat(config.path("app_id").asText()).isEqualTo("com.example.app");
    assertThat(config.path("notification_platform").asText()).isEqualTo("fcm");
    assertThat(config.path("sdk_version").asText()).isEqualTo("1.0.0");
    assertThat(r.json().path("metadata").toString()).isEqualTo("{\"os\":\"Android\"}");
  }

  @Test
  void shouldVerifyAPushFactorWithADerSignatureOverItsSid() {
    KeyPair keys = DeviceSigner.newKeyPair();
    String sid = api.post(factors, push(keys)).text("sid");

    Reply wrong =
        api.post(factors + "/" + sid, "AuthPayload", DeviceSigner.derSignature(keys, "YF-other"));
    assertThat(wrong.status()).isEqualTo(403);
    assertThat(wrong.json().path("code").asInt()).isEqualTo(60311);

    Reply ok = api.post(factors + "/" + sid, "AuthPayload", DeviceSigner.derSignature(keys, sid));
    assertThat(ok.status()).isEqualTo(200);
    assertThat(ok.text("status")).isEqualTo("verified");
  }

  @Test
  void shouldRejectInvalidPushBindingsAndConfig() {
    KeyPair keys = DeviceSigner.newKeyPair();
    String[] rs256 = push(keys);
    rs256[5] = "RS256";
    assertThat(api.post(factors, rs256).json().path("code").asInt()).isEqualTo(60314);
    String[] badKey = push(keys);
    badKey[7] = "AAAA";
    assertThat(api.post(factors, badKey).json().path("code").asInt()).isEqualTo(60314);
    String[] noApp = push(keys);
    noApp[8] = "Config.Other";
    assertThat(api.post(factors, noApp).json().path("code").asInt()).isEqualTo(60300);
    String[] shortToken = push(keys);
    shortToken[15] = "short";
    assertThat(api.post(factors, shortToken).json().path("code").asInt()).isEqualTo(60300);
    String[] badPlatform = push(keys);
    badPlatform[13] = "sms";
    assertThat(api.post(factors, badPlatform).json().path("code").asInt()).isEqualTo(60300);
  }

  @Test
  void shouldAllowPlatformNoneWithoutAToken() {
    KeyPair keys = DeviceSigner.newKeyPair();
    String[] form = push(keys);
    form[13] = "none";
    String[] withoutToken = java.util.Arrays.copyOf(form, form.length - 2);
    Reply r = api.post(factors, withoutToken);
    assertThat(r.status()).isEqualTo(201);
    assertThat(r.json().path("config").path("notification_token").isNull()).isTrue();
  }

  @Test
  void shouldRefuseTheSameKeyTwiceAndMoreThanTwentyPushFactors() {
    KeyPair keys = DeviceSigner.newKeyPair();
    api.post(factors, push(keys));
    assertThat(api.post(factors, push(keys)).json().path("code").asInt()).isEqualTo(60317);
    for (int i = 1; i < 20; i++) {
      assertThat(api.post(factors, push(DeviceSigner.newKeyPair())).status()).isEqualTo(201);
    }
    Reply tooMany = api.post(factors, push(DeviceSigner.newKeyPair()));
    assertThat(tooMany.json().path("code").asInt()).isEqualTo(60315);
  }

  @Test
  void shouldUpdateConfigListAndDeleteFactors() {
    String sid = api.post(factors, "FriendlyName", "phone", "FactorType", "totp").text("sid");
    api.post(factors, "FriendlyName", "tablet", "FactorType", "totp");

    Reply updated = api.post(factors + "/" + sid, "FriendlyName", "old phone", "Config.Skew", "0");
    assertThat(updated.text("friendly_name")).isEqualTo("old phone");
    assertThat(updated.json().path("config").path("skew").asInt()).isZero();

    Reply list = api.get(factors);
    assertThat(list.json().path("factors")).hasSize(2);
    assertThat(list.json().path("factors").get(0).has("binding")).isFalse();

    assertThat(api.delete(factors + "/" + sid).status()).isEqualTo(204);
    assertThat(api.get(factors + "/" + sid).json().path("code").asInt()).isEqualTo(20404);
    assertThat(api.get(factors).json().path("factors")).hasSize(1);
  }
}
