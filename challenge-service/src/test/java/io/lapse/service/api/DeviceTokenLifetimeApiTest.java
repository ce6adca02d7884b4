package io.lapse.service.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.JWTClaimsSet;
import io.lapse.examples.DeviceSigner;
import io.lapse.service.support.ApiFixture;
import io.lapse.service.support.DeviceTokens;
import io.lapse.service.support.HttpTestClient.Reply;
import io.lapse.service.support.Scenario;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A device token may live no longer than the ten minutes the SDKs give it, and must say when it
 * expires: a long-lived token is a leaked credential waiting to be used.
 */
class DeviceTokenLifetimeApiTest {
  private final ApiFixture api = new ApiFixture();
  private final Scenario scenario = new Scenario(api);
  private final String service = scenario.service();
  private final String identity = Scenario.identity();
  private final Scenario.PushFactor push = scenario.verifiedPush(service, identity, "none");
  private final String factorPath =
      Scenario.entityPath(service, identity) + "/Factors/" + push.sid();
  private final String credentialSid =
      api.get(factorPath).json().path("config").path("credential_sid").asText();
  private final Instant now = api.clock.instant();

  @AfterEach
  void close() {
    api.close();
  }

  private Reply fetchFactorWith(JWTClaimsSet claims) {
    return DeviceTokens.client(
            api.baseUrl(), DeviceSigner.deviceToken(push.keys(), credentialSid, claims))
        .get(factorPath);
  }

  private static JWTClaimsSet.Builder claims() {
    return new JWTClaimsSet.Builder().subject(ApiFixture.ACCOUNT_SID);
  }

  private static Date at(Instant instant) {
    return Date.from(instant);
  }

  private static void assertRefused(Reply r) {
    assertThat(r.status()).isEqualTo(401);
    assertThat(r.json().path("code").asInt()).isEqualTo(20003);
  }

  @Test
  void shouldAcceptATokenAsTheSdksSignIt() {
    Reply r =
        DeviceTokens.client(api.baseUrl(), DeviceTokens.sdkToken(push.keys(), credentialSid, now))
            .get(factorPath);

    assertThat(r.status()).isEqualTo(200);
  }

  @Test
  void shouldAcceptASdkTokenFromADeviceWhoseClockIsSlightlyOff() {
    Instant deviceNow = now.minusSeconds(45);

    assertThat(
            fetchFactorWith(
                    claims()
                        .notBeforeTime(at(deviceNow))
                        .expirationTime(at(deviceNow.plus(DeviceSigner.SDK_TOKEN_LIFETIME)))
                        .build())
                .status())
        .isEqualTo(200);
  }

  @Test
  void shouldRefuseATokenThatExpiresTenYearsAhead() {
    Instant tenYears = now.plus(Duration.ofDays(3653));

    assertRefused(
        fetchFactorWith(claims().notBeforeTime(at(now)).expirationTime(at(tenYears)).build()));
    assertRefused(fetchFactorWith(claims().expirationTime(at(tenYears)).build()));
    assertRefused(
        fetchFactorWith(claims().issueTime(at(now)).expirationTime(at(tenYears)).build()));
  }

  @Test
  void shouldRefuseATokenLongerLivedThanTheSdksOnes() {
    Instant elevenMinutes = now.plus(Duration.ofMinutes(11));

    assertRefused(
        fetchFactorWith(claims().notBeforeTime(at(now)).expirationTime(at(elevenMinutes)).build()));
    assertRefused(
        fetchFactorWith(claims().issueTime(at(now)).expirationTime(at(elevenMinutes)).build()));
    // Back-dated so that it is "only ten minutes from now", but issued for an hour.
    assertRefused(
        fetchFactorWith(
            claims()
                .issueTime(at(now.minus(Duration.ofMinutes(50))))
                .expirationTime(at(now.plus(Duration.ofMinutes(10))))
                .build()));
  }

  @Test
  void shouldRefuseATokenWithoutExpiry() {
    assertRefused(fetchFactorWith(claims().notBeforeTime(at(now)).build()));
    assertRefused(fetchFactorWith(claims().build()));
  }
}
