package io.lapse.service.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.JWTClaimsSet;
import io.lapse.examples.DeviceSigner;
import io.lapse.service.support.ApiFixture;
import io.lapse.service.support.HttpTestClient.Reply;
import io.lapse.service.support.Scenario;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The Verify mobile SDKs authenticate with Basic {@code token:<JWT>} signed by the factor key. */
class DeviceAuthApiTest {
  private final ApiFixture api = new ApiFixture();
  private final Scenario scenario = new Scenario(api);
  private final String service = scenario.service();
  private final String identity = Scenario.identity();
  private final Scenario.PushFactor push = scenario.verifiedPush(service, identity, "fcm");
  private final String credentialSid =
      api.get(Scenario.entityPath(service, identity) + "/Factors/" + push.sid())
          .json()
          .path("config")
          .path("credential_sid")
          .asText();
  private final String challenge =
      Scenario.entityPath(service, identity)
          + "/Challenges/"
          + api.post(
                  Scenario.entityPath(service, identity) + "/Challenges",
                  "FactorSid",
                  push.sid(),
                  "Details.Message",
                  "Sign in?")
              .text("sid");

  @AfterEach
  void close() {
    api.close();
  }

  /** As the Android SDK's AuthenticationProvider builds it, with the given claims. */
  private String deviceToken(KeyPair keys, String kid, String sub, Instant nbf, Instant exp) {
    String jwt =
        DeviceSigner.deviceToken(
            keys,
            kid,
            new JWTClaimsSet.Builder()
                .subject(sub)
                .notBeforeTime(Date.from(nbf))
                .expirationTime(Date.from(exp))
                .build());
    return "Basic "
        + Base64.getEncoder().encodeToString(("token:" + jwt).getBytes(StandardCharsets.UTF_8));
  }

  private String validToken() throws Exception {
    Instant now = api.clock.instant();
    return deviceToken(
        push.keys(), credentialSid, ApiFixture.ACCOUNT_SID, now, now.plus(Duration.ofMinutes(10)));
  }

  @Test
  void shouldLetTheDeviceReadAndAnswerItsChallenge() throws Exception {
    Reply read = api.getWithAuthorization(challenge, validToken());
    assertThat(read.status()).isEqualTo(200);
    assertThat(read.headers().firstValue("Twilio-Verify-Signature-Fields")).isPresent();
  }

  @Test
  void shouldRefuseAnotherEntitysPathsAndAccountLevelPaths() throws Exception {
    String other = Scenario.identity();
    scenario.verifiedTotp(service, other);
    assertThat(
            api.getWithAuthorization(
                    Scenario.entityPath(service, other) + "/Challenges", validToken())
                .status())
        .isEqualTo(401);
    assertThat(api.getWithAuthorization("/v2/Services", validToken()).status()).isEqualTo(401);
  }

  @Test
  void shouldRefuseExpiredForeignOrMisaddressedTokens() throws Exception {
    Instant now = api.clock.instant();
    String expired =
        deviceToken(
            push.keys(),
            credentialSid,
            ApiFixture.ACCOUNT_SID,
            now.minusSeconds(900),
            now.minusSeconds(300));
    String otherKey =
        deviceToken(
            DeviceSigner.newKeyPair(),
            credentialSid,
            ApiFixture.ACCOUNT_SID,
            now,
            now.plusSeconds(600));
    String otherAccount =
        deviceToken(push.keys(), credentialSid, "AC" + "9".repeat(32), now, now.plusSeconds(600));
    String unknownKid =
        deviceToken(
            push.keys(), "CR" + "0".repeat(32), ApiFixture.ACCOUNT_SID, now, now.plusSeconds(600));
    for (String token : new String[] {expired, otherKey, otherAccount, unknownKid}) {
      Reply r = api.getWithAuthorization(challenge, token);
      assertThat(r.status()).isEqualTo(401);
      assertThat(r.json().path("code").asInt()).isEqualTo(20003);
    }
  }
}
