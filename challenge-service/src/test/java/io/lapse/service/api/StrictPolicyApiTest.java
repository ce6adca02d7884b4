package io.lapse.service.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.lapse.service.crypto.Base32;
import io.lapse.service.crypto.TotpAlgorithm;
import io.lapse.service.crypto.TotpVerifier;
import io.lapse.service.domain.TwilioDates;
import io.lapse.service.support.ApiFixture;
import io.lapse.service.support.HttpTestClient.Reply;
import io.lapse.service.support.Scenario;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The Lapse extension parameters of a Service: {@code LapseMaxChallengeLifetime} (seconds) and
 * {@code LapseMaxTotpSkew} (time steps). Unset, a service behaves as Twilio's.
 */
class StrictPolicyApiTest {
  private static final TotpVerifier.Params DEFAULT_TOTP =
      new TotpVerifier.Params(TotpAlgorithm.SHA1, 6, 30, 1);

  private final ApiFixture api = new ApiFixture();
  private final Scenario scenario = new Scenario(api);
  private final Instant now = api.clock.instant();

  @AfterEach
  void close() {
    api.close();
  }

  private String strictService(String... settings) {
    String[] form = new String[settings.length + 2];
    form[0] = "FriendlyName";
    form[1] = "Strict";
    System.arraycopy(settings, 0, form, 2, settings.length);
    Reply r = api.post("/v2/Services", form);
    assertThat(r.status()).as(String.valueOf(r.json())).isEqualTo(201);
    return r.text("sid");
  }

  private static String codeAt(Scenario.TotpFactor f, Instant at) {
    return TotpVerifier.codeAt(Base32.decode(f.secret()), DEFAULT_TOTP, at);
  }

  @Test
  void shouldShowThePolicyOnlyWhenSet() {
    String strict = strictService("LapseMaxChallengeLifetime", "600", "LapseMaxTotpSkew", "0");
    String plain = scenario.service();

    Reply read = api.get("/v2/Services/" + strict);
    assertThat(read.json().path("lapse").path("max_challenge_lifetime").asInt()).isEqualTo(600);
    assertThat(read.json().path("lapse").path("max_totp_skew").asInt()).isZero();
    assertThat(api.get("/v2/Services/" + plain).json().has("lapse")).isFalse();
  }

  @Test
  void shouldRefuseOutOfRangeValuesWith400() {
    for (String[] bad :
        new String[][] {
          {"LapseMaxChallengeLifetime", "0"},
          {"LapseMaxChallengeLifetime", "3601"},
          {"LapseMaxChallengeLifetime", "ten"},
          {"LapseMaxTotpSkew", "3"},
          {"LapseMaxTotpSkew", "-1"}
        }) {
      Reply r = api.post("/v2/Services", "FriendlyName", "x", bad[0], bad[1]);
      assertThat(r.status()).as(String.join("=", bad)).isEqualTo(400);
      assertThat(r.json().path("code").asInt()).isEqualTo(60300);
    }
  }

  @Test
  void shouldRefuseAnExpirationDateBeyondTheServicesMaximumLifetime() {
    String service = strictService("LapseMaxChallengeLifetime", "600");
    String identity = Scenario.identity();
    Scenario.TotpFactor totp = scenario.verifiedTotp(service, identity);
    String challenges = Scenario.entityPath(service, identity) + "/Challenges";

    Reply tooLate =
        api.post(
            challenges,
            "FactorSid",
            totp.sid(),
            "ExpirationDate",
            TwilioDates.format(now.plus(Duration.ofMinutes(11))));
    Reply inTime =
        api.post(
            challenges,
            "FactorSid",
            totp.sid(),
            "ExpirationDate",
            TwilioDates.format(now.plus(Duration.ofMinutes(10))));

    assertThat(tooLate.status()).isEqualTo(400);
    assertThat(tooLate.json().path("code").asInt()).isEqualTo(60300);
    assertThat(tooLate.text("message")).contains("LapseMaxChallengeLifetime");
    assertThat(inTime.status()).isEqualTo(201);
  }

  @Test
  void shouldShortenTheDefaultLifetimeToTheServicesMaximum() {
    String service = strictService("LapseMaxChallengeLifetime", "120");
    String identity = Scenario.identity();
    Scenario.TotpFactor totp = scenario.verifiedTotp(service, identity);

    Reply r =
        api.post(Scenario.entityPath(service, identity) + "/Challenges", "FactorSid", totp.sid());

    assertThat(r.status()).isEqualTo(201);
    assertThat(r.text("expiration_date"))
        .isEqualTo(TwilioDates.format(now.plusSeconds(120).truncatedTo(ChronoUnit.SECONDS)));
  }

  @Test
  void shouldKeepTwiliosLifetimesWithoutAPolicy() {
    String service = scenario.service();
    String identity = Scenario.identity();
    Scenario.TotpFactor totp = scenario.verifiedTotp(service, identity);
    String challenges = Scenario.entityPath(service, identity) + "/Challenges";

    Reply byDefault = api.post(challenges, "FactorSid", totp.sid());
    Reply fiftyNine =
        api.post(
            challenges,
            "FactorSid",
            totp.sid(),
            "ExpirationDate",
            TwilioDates.format(now.plus(Duration.ofMinutes(59))));

    assertThat(byDefault.text("expiration_date"))
        .isEqualTo(TwilioDates.format(now.plusSeconds(300).truncatedTo(ChronoUnit.SECONDS)));
    assertThat(fiftyNine.status()).isEqualTo(201);
  }

  @Test
  void shouldRefuseACodeOfAnotherTimeStepWhenTheServiceAllowsNoSkew() {
    String service = strictService("LapseMaxTotpSkew", "0");
    String identity = Scenario.identity();
    String factors = Scenario.entityPath(service, identity) + "/Factors";
    Reply created = api.post(factors, "FriendlyName", "phone", "FactorType", "totp");
    Scenario.TotpFactor totp =
        new Scenario.TotpFactor(
            created.text("sid"), created.json().path("binding").path("secret").asText(), api.clock);

    Reply previousStep =
        api.post(factors + "/" + totp.sid(), "AuthPayload", codeAt(totp, now.minusSeconds(30)));
    assertThat(previousStep.text("status")).isEqualTo("unverified");
    Reply currentStep = api.post(factors + "/" + totp.sid(), "AuthPayload", totp.codeNow());
    assertThat(currentStep.text("status")).isEqualTo("verified");

    String challenges = Scenario.entityPath(service, identity) + "/Challenges";
    String sid = api.post(challenges, "FactorSid", totp.sid()).text("sid");
    Reply late =
        api.post(challenges + "/" + sid, "AuthPayload", codeAt(totp, now.minusSeconds(30)));
    assertThat(late.status()).isEqualTo(200);
    assertThat(late.text("status")).isEqualTo("pending");
  }

  @Test
  void shouldAcceptACodeOfTheNextStepUnderTwiliosDefaultSkewAndApplyAPolicySetLater() {
    String service = scenario.service();
    String identity = Scenario.identity();
    Scenario.TotpFactor totp = scenario.verifiedTotp(service, identity);
    String challenges = Scenario.entityPath(service, identity) + "/Challenges";
    String first = api.post(challenges, "FactorSid", totp.sid()).text("sid");
    String second = api.post(challenges, "FactorSid", totp.sid()).text("sid");

    Reply withTwiliosSkew =
        api.post(challenges + "/" + first, "AuthPayload", codeAt(totp, now.plusSeconds(30)));
    assertThat(api.post("/v2/Services/" + service, "LapseMaxTotpSkew", "0").status())
        .isEqualTo(200);
    // A step no code was accepted for yet, so only the policy can refuse it.
    api.clock.advance(Duration.ofSeconds(60));
    Reply withPolicy =
        api.post(
            challenges + "/" + second,
            "AuthPayload",
            codeAt(totp, api.clock.instant().plusSeconds(30)));

    assertThat(withTwiliosSkew.text("status")).isEqualTo("approved");
    assertThat(withPolicy.text("status")).isEqualTo("pending");
  }
}
