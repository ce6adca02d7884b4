package io.lapse.service.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.lapse.events.v1.AttemptOutcome;
import io.lapse.events.v1.VerificationAttempted;
import io.lapse.service.crypto.Base32;
import io.lapse.service.crypto.TotpAlgorithm;
import io.lapse.service.crypto.TotpVerifier;
import io.lapse.service.support.ApiFixture;
import io.lapse.service.support.HttpTestClient.Reply;
import io.lapse.service.support.Scenario;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One-time TOTP codes and the challenge limits the entity task decides, through the HTTP API: a
 * time step accepted once for a factor (by its verification, a challenge's verification or a
 * challenge created with {@code AuthPayload}) is a wrong code ever after, and a TOTP factor's
 * challenge creations are limited (60312).
 */
class OneTimeCodesApiTest {
  private final ApiFixture api = new ApiFixture();
  private final Scenario scenario = new Scenario(api);
  private final String service = scenario.service();
  private final String identity = Scenario.identity();
  private final String entity = Scenario.entityPath(service, identity);
  private final String challenges = entity + "/Challenges";

  @AfterEach
  void close() {
    api.close();
  }

  @Test
  void shouldRefuseOneCodeOnASecondChallengeOfTheSameFactorInTheSameStep() {
    Scenario.TotpFactor totp = scenario.verifiedTotp(service, identity);
    String first = api.post(challenges, "FactorSid", totp.sid()).text("sid");
    String second = api.post(challenges, "FactorSid", totp.sid()).text("sid");
    String code = totp.codeNow();

    Reply approved = api.post(challenges + "/" + first, "AuthPayload", code);
    Reply refused = api.post(challenges + "/" + second, "AuthPayload", code);

    assertThat(approved.text("status")).isEqualTo("approved");
    assertThat(refused.status()).isEqualTo(200);
    assertThat(refused.text("status")).isEqualTo("pending");
    assertThat(api.decider.attempts())
        .extracting(VerificationAttempted::getOutcome)
        .containsExactly(AttemptOutcome.APPROVED, AttemptOutcome.WRONG_CODE);
  }

  @Test
  void shouldCountAReusedCodeTowardTheChallengesAttemptLimit() {
    Scenario.TotpFactor totp = scenario.verifiedTotp(service, identity);
    String first = api.post(challenges, "FactorSid", totp.sid()).text("sid");
    String second = api.post(challenges, "FactorSid", totp.sid()).text("sid");
    String code = totp.codeNow();
    api.post(challenges + "/" + first, "AuthPayload", code);
    for (int i = 0; i < 4; i++) {
      assertThat(api.post(challenges + "/" + second, "AuthPayload", "99999" + i).status())
          .isEqualTo(200);
    }

    Reply reused = api.post(challenges + "/" + second, "AuthPayload", code);

    assertThat(reused.status()).isEqualTo(429);
    assertThat(reused.json().path("code").asInt()).isEqualTo(60308);
  }

  @Test
  void shouldRefuseOnAChallengeTheCodeThatJustVerifiedItsFactor() {
    Reply created = api.post(entity + "/Factors", "FriendlyName", "phone", "FactorType", "totp");
    Scenario.TotpFactor totp =
        new Scenario.TotpFactor(
            created.text("sid"), created.json().path("binding").path("secret").asText(), api.clock);
    String code = totp.codeNow();
    assertThat(api.post(entity + "/Factors/" + totp.sid(), "AuthPayload", code).text("status"))
        .isEqualTo("verified");
    String sid = api.post(challenges, "FactorSid", totp.sid()).text("sid");

    Reply r = api.post(challenges + "/" + sid, "AuthPayload", code);

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.text("status")).isEqualTo("pending");
  }

  @Test
  void shouldRefuseTheSameAuthPayloadOnASecondCreate() {
    Scenario.TotpFactor totp = scenario.verifiedTotp(service, identity);
    String code = totp.codeNow();

    Reply first = api.post(challenges, "FactorSid", totp.sid(), "AuthPayload", code);
    Reply second = api.post(challenges, "FactorSid", totp.sid(), "AuthPayload", code);

    assertThat(first.status()).isEqualTo(201);
    assertThat(first.text("status")).isEqualTo("approved");
    assertThat(second.status()).isEqualTo(201);
    assertThat(second.text("status")).isEqualTo("pending");
  }

  @Test
  void shouldAcceptTheNextStepsCodeAfterOneWasUsed() {
    Scenario.TotpFactor totp = scenario.verifiedTotp(service, identity);
    String first = api.post(challenges, "FactorSid", totp.sid()).text("sid");
    api.post(challenges + "/" + first, "AuthPayload", totp.codeNow());
    api.clock.advance(Duration.ofSeconds(30));
    String second = api.post(challenges, "FactorSid", totp.sid()).text("sid");

    Reply r = api.post(challenges + "/" + second, "AuthPayload", totp.codeNow());

    assertThat(r.text("status")).isEqualTo("approved");
  }

  @Test
  void shouldAnswer429With60312OnceATotpFactorsChallengeLimitIsReached() {
    Scenario.TotpFactor totp = scenario.verifiedTotp(service, identity);
    List<Integer> statuses = new ArrayList<>();
    Instant start = api.clock.instant();
    for (int i = 0; i < 60; i++) {
      api.clock.advance(Duration.ofMillis(500));
      statuses.add(api.post(challenges, "FactorSid", totp.sid()).status());
    }
    assertThat(api.clock.instant()).isBefore(start.plus(Duration.ofMinutes(1)));

    assertThat(statuses.subList(0, 50)).containsOnly(201);
    assertThat(statuses.subList(50, 60)).containsOnly(429);
    Reply refused = api.post(challenges, "FactorSid", totp.sid());
    assertThat(refused.json().path("code").asInt()).isEqualTo(60312);
  }

  @Test
  void shouldLimitAFourDigitFactorToTenChallengesADay() {
    Reply created =
        api.post(
            entity + "/Factors",
            "FriendlyName",
            "phone",
            "FactorType",
            "totp",
            "Config.CodeLength",
            "4");
    String factor = created.text("sid");
    Scenario.TotpFactor totp =
        new Scenario.TotpFactor(
            factor, created.json().path("binding").path("secret").asText(), api.clock);
    String code =
        TotpVerifier.codeAt(
            Base32.decode(totp.secret()),
            new TotpVerifier.Params(TotpAlgorithm.SHA1, 4, 30, 1),
            api.clock.instant());
    assertThat(api.post(entity + "/Factors/" + factor, "AuthPayload", code).text("status"))
        .isEqualTo("verified");
    for (int i = 0; i < 10; i++) {
      api.clock.advance(Duration.ofHours(2));
      assertThat(api.post(challenges, "FactorSid", factor).status()).isEqualTo(201);
    }

    Reply eleventh = api.post(challenges, "FactorSid", factor);
    api.clock.advance(Duration.ofHours(7));
    Reply later = api.post(challenges, "FactorSid", factor);

    assertThat(eleventh.status()).isEqualTo(429);
    assertThat(eleventh.json().path("code").asInt()).isEqualTo(60312);
    assertThat(later.status()).as("the first creations left the 24 h window").isEqualTo(201);
  }
}
