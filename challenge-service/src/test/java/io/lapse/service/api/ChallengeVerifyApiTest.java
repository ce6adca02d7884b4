package io.lapse.service.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.lapse.events.v1.AttemptOutcome;
import io.lapse.events.v1.ChallengeCreated;
import io.lapse.events.v1.VerificationAttempted;
import io.lapse.examples.DeviceSigner;
import io.lapse.service.support.ApiFixture;
import io.lapse.service.support.HttpTestClient.Reply;
import io.lapse.service.support.Scenario;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ChallengeVerifyApiTest {
  private final ApiFixture api = new ApiFixture();
  private final Scenario scenario = new Scenario(api);
  private final String service = scenario.service();
  private final String identity = Scenario.identity();
  private final String challenges = Scenario.entityPath(service, identity) + "/Challenges";

  @AfterEach
  void close() {
    api.close();
  }

  @Test
  void shouldApproveATotpChallengeWithTheRightCodeAndKeepMetadata() {
    Scenario.TotpFactor totp = scenario.verifiedTotp(service, identity);
    String sid = api.post(challenges, "FactorSid", totp.sid()).text("sid");
    api.clock.advance(Duration.ofSeconds(20));

    Reply r =
        api.post(
            challenges + "/" + sid,
            "AuthPayload",
            totp.codeNow(),
            "Metadata",
            "{\"os\":\"Android\"}");

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.text("status")).isEqualTo("approved");
    // Answered by the device, so Twilio's "none": its other reasons are for cases Lapse has not.
    assertThat(r.text("responded_reason")).isEqualTo("none");
    assertThat(r.text("date_responded")).isEqualTo("2026-05-01T12:00:20Z");
    assertThat(r.json().path("metadata").toString()).isEqualTo("{\"os\":\"Android\"}");
    VerificationAttempted attempt = api.decider.attempts().get(0);
    assertThat(attempt.getOutcome()).isEqualTo(AttemptOutcome.APPROVED);
    assertThat(attempt.getAttemptAt()).isEqualTo(api.clock.instant());
    assertThat(api.get(challenges + "/" + sid).text("status")).isEqualTo("approved");
  }

  @Test
  void shouldAnswerAnUpdateWithoutAuthPayloadWithTheUnchangedChallenge() {
    Scenario.TotpFactor totp = scenario.verifiedTotp(service, identity);
    String sid = api.post(challenges, "FactorSid", totp.sid()).text("sid");

    Reply r = api.post(challenges + "/" + sid);

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.text("status")).isEqualTo("pending");
    assertThat(r.json()).isEqualTo(api.get(challenges + "/" + sid).json());
    assertThat(api.decider.attempts()).isEmpty();
    Reply metadataAlone = api.post(challenges + "/" + sid, "Metadata", "{\"os\":\"Android\"}");
    assertThat(metadataAlone.status()).isEqualTo(400);
    assertThat(metadataAlone.json().path("code").asInt()).isEqualTo(60300);
    assertThat(api.post(challenges + "/YC" + "0".repeat(32)).status()).isEqualTo(404);
  }

  @Test
  void shouldAnswerAWrongCodeWith200PendingThen60308AfterFiveFailures() {
    Scenario.TotpFactor totp = scenario.verifiedTotp(service, identity);
    String sid = api.post(challenges, "FactorSid", totp.sid()).text("sid");
    for (int i = 0; i < 4; i++) {
      Reply r = api.post(challenges + "/" + sid, "AuthPayload", "99999" + i);
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.text("status")).isEqualTo("pending");
    }
    assertThat(api.decider.attempts()).allMatch(a -> a.getOutcome() == AttemptOutcome.WRONG_CODE);
    Reply fifth = api.post(challenges + "/" + sid, "AuthPayload", "999995");
    assertThat(fifth.status()).isEqualTo(429);
    assertThat(fifth.json().path("code").asInt()).isEqualTo(60308);
  }

  @Test
  void shouldAnswerARightCodeAfterFiveWrongOnesWith429AndKeepTheChallengePending() {
    Scenario.TotpFactor totp = scenario.verifiedTotp(service, identity);
    String sid = api.post(challenges, "FactorSid", totp.sid()).text("sid");
    for (int i = 0; i < 5; i++) {
      api.post(challenges + "/" + sid, "AuthPayload", "99999" + i);
    }

    Reply right = api.post(challenges + "/" + sid, "AuthPayload", totp.codeNow());

    assertThat(api.decider.attempts()).last().returns(AttemptOutcome.APPROVED, a -> a.getOutcome());
    assertThat(right.status()).isEqualTo(429);
    assertThat(right.json().path("code").asInt()).isEqualTo(60308);
    assertThat(api.get(challenges + "/" + sid).text("status")).isEqualTo("pending");
  }

  @Test
  void shouldAnswerARetryOfTheSameRequestAsTheSameAttempt() {
    Scenario.TotpFactor totp = scenario.verifiedTotp(service, identity);
    String sid = api.post(challenges, "FactorSid", totp.sid()).text("sid");
    api.post(challenges + "/" + sid, "AuthPayload", "123456");
    api.post(challenges + "/" + sid, "AuthPayload", "123456");
    assertThat(api.decider.attempts()).hasSize(2);
    assertThat(api.decider.attempts().get(0).getAttemptId())
        .isEqualTo(api.decider.attempts().get(1).getAttemptId())
        .matches("AT[0-9a-f]{32}");
  }

  @Test
  void shouldAnswerARetryOfTheDecidingRequestFromTheViewWithoutASecondAttempt() {
    Scenario.TotpFactor totp = scenario.verifiedTotp(service, identity);
    String sid = api.post(challenges, "FactorSid", totp.sid()).text("sid");
    String code = totp.codeNow();
    api.post(challenges + "/" + sid, "AuthPayload", code);

    Reply retry = api.post(challenges + "/" + sid, "AuthPayload", code);

    assertThat(retry.status()).isEqualTo(200);
    assertThat(retry.text("status")).isEqualTo("approved");
    assertThat(api.decider.attempts()).hasSize(1);
  }

  @Test
  void shouldAnswer60323AtOnceAtTheDeadlineWithoutAskingTheProcessor() {
    Scenario.TotpFactor totp = scenario.verifiedTotp(service, identity);
    String sid =
        api.post(challenges, "FactorSid", totp.sid(), "ExpirationDate", "2026-05-01T12:00:10Z")
            .text("sid");
    api.clock.advance(Duration.ofMillis(9_750)); // exactly the deadline

    Reply r = api.post(challenges + "/" + sid, "AuthPayload", totp.codeNow());

    assertThat(r.status()).isEqualTo(403);
    assertThat(r.json().toString())
        .isEqualTo(
            "{\"code\":60323,\"message\":\"Challenge expired\",\"more_info\":\"https://www.twilio.com/docs/errors/60323\",\"status\":403}");
    assertThat(api.decider.attempts()).isEmpty();
    Reply expired = api.get(challenges + "/" + sid);
    assertThat(expired.text("status")).isEqualTo("expired");
    assertThat(expired.text("responded_reason")).isEqualTo("none");
  }

  @Test
  void shouldShowAndEnforceTheSameWholeSecondForASubSecondExpirationDate() {
    Scenario.TotpFactor totp = scenario.verifiedTotp(service, identity);
    Reply created =
        api.post(challenges, "FactorSid", totp.sid(), "ExpirationDate", "2026-05-01T12:00:10.750Z");
    assertThat(created.text("expiration_date")).isEqualTo("2026-05-01T12:00:10Z");
    Instant shown = Instant.parse(created.text("expiration_date"));
    String sid = created.text("sid");
    ChallengeCreated published =
        (ChallengeCreated) api.logs.written("challenge-created").get(0).value();
    assertThat(published.getExpirationDate()).isEqualTo(shown);

    api.clock.set(shown.minusMillis(1));
    assertThat(api.get(challenges + "/" + sid).text("status")).isEqualTo("pending");

    api.clock.set(shown.plusMillis(500));
    Reply late = api.post(challenges + "/" + sid, "AuthPayload", totp.codeNow());

    assertThat(late.status()).isEqualTo(403);
    assertThat(late.json().path("code").asInt()).isEqualTo(60323);
    assertThat(api.decider.attempts()).isEmpty();
    assertThat(api.get(challenges + "/" + sid).text("status")).isEqualTo("expired");
  }

  @Test
  void shouldAnswer60322ForAnAlreadyAnsweredChallenge() {
    Scenario.TotpFactor totp = scenario.verifiedTotp(service, identity);
    String sid = api.post(challenges, "FactorSid", totp.sid()).text("sid");
    api.post(challenges + "/" + sid, "AuthPayload", totp.codeNow());
    api.clock.advance(Duration.ofSeconds(30));

    Reply again = api.post(challenges + "/" + sid, "AuthPayload", totp.codeNow());
    assertThat(again.status()).isEqualTo(403);
    assertThat(again.json().path("code").asInt()).isEqualTo(60322);
  }

  @Test
  void shouldAnswer503WhenTheDecisionDoesNotArriveInTime() {
    Scenario.TotpFactor totp = scenario.verifiedTotp(service, identity);
    String sid = api.post(challenges, "FactorSid", totp.sid()).text("sid");
    api.decider.goSilent();

    Reply r = api.post(challenges + "/" + sid, "AuthPayload", totp.codeNow());
    assertThat(r.status()).isEqualTo(503);
    assertThat(r.json().path("code").asInt()).isEqualTo(20503);
    assertThat(r.json().path("status").asInt()).isEqualTo(503);
  }

  @Test
  void shouldApproveAtCreationWithATotpAuthPayload() {
    Scenario.TotpFactor totp = scenario.verifiedTotp(service, identity);
    Reply r = api.post(challenges, "FactorSid", totp.sid(), "AuthPayload", totp.codeNow());
    assertThat(r.status()).isEqualTo(201);
    assertThat(r.text("status")).isEqualTo("approved");
    Reply wrong = api.post(challenges, "FactorSid", totp.sid(), "AuthPayload", "000000");
    assertThat(wrong.status()).isEqualTo(201);
    assertThat(wrong.text("status")).isEqualTo("pending");
  }

  @Test
  void shouldStillAnswer201WhenTheDecisionAtCreationTimesOut() {
    Scenario.TotpFactor totp = scenario.verifiedTotp(service, identity);
    api.decider.goSilent();
    Reply r = api.post(challenges, "FactorSid", totp.sid(), "AuthPayload", totp.codeNow());
    assertThat(r.status()).isEqualTo(201);
    assertThat(r.text("status")).isEqualTo("pending");
  }

  @Test
  void shouldRejectBadTotpPayloads() {
    Scenario.TotpFactor totp = scenario.verifiedTotp(service, identity);
    String sid = api.post(challenges, "FactorSid", totp.sid()).text("sid");
    assertThat(api.post(challenges + "/" + sid, "AuthPayload", "12").json().path("code").asInt())
        .isEqualTo(60300);
    assertThat(api.post(challenges + "/" + sid, "AuthPayload", "123456789").status())
        .isEqualTo(400);
    assertThat(
            api.post(challenges + "/" + sid, "AuthPayload", "123456", "Metadata", "{\"a\":1}")
                .status())
        .isEqualTo(400);
    assertThat(api.decider.attempts()).isEmpty();
  }

  @Test
  void shouldApproveAPushChallengeWithTheSignedFieldsOfTheGet() {
    Scenario.PushFactor push = scenario.verifiedPush(service, identity, "fcm");
    String sid =
        api.post(
                challenges,
                "FactorSid",
                push.sid(),
                "Details.Message",
                "Sign in?",
                "Details.Fields",
                "{\"label\":\"City\",\"value\":\"Zürich/ZH\"}")
            .text("sid");
    Reply get = api.get(challenges + "/" + sid);

    Reply r =
        api.post(
            challenges + "/" + sid,
            "AuthPayload",
            Scenario.approvalJws(push.keys(), get, "approved"));

    assertThat(r.status()).as(String.valueOf(r.json())).isEqualTo(200);
    assertThat(r.text("status")).isEqualTo("approved");
  }

  @Test
  void shouldDenyAPushChallenge() {
    Scenario.PushFactor push = scenario.verifiedPush(service, identity, "none");
    String sid =
        api.post(challenges, "FactorSid", push.sid(), "Details.Message", "Sign in?").text("sid");
    Reply get = api.get(challenges + "/" + sid);
    Reply r =
        api.post(
            challenges + "/" + sid,
            "AuthPayload",
            Scenario.approvalJws(push.keys(), get, "denied"));
    assertThat(r.text("status")).isEqualTo("denied");
    assertThat(r.text("responded_reason")).isEqualTo("none");
  }

  @Test
  void shouldAnswer60324ForForgedOrTamperedApprovals() {
    Scenario.PushFactor push = scenario.verifiedPush(service, identity, "fcm");
    String sid =
        api.post(challenges, "FactorSid", push.sid(), "Details.Message", "Sign in?").text("sid");
    Reply get = api.get(challenges + "/" + sid);

    String otherKey = Scenario.approvalJws(DeviceSigner.newKeyPair(), get, "approved");
    String tampered =
        DeviceSigner.signJws(
            push.keys(),
            "{\"sid\":\""
                + sid
                + "\",\"factor_sid\":\""
                + push.sid()
                + "\",\"date_created\":\"2026-05-01T12:00:00Z\","
                + "\"expiration_date\":\"2026-05-01T12:59:00Z\",\"details\":"
                + get.json().path("details")
                + ",\"status\":\"approved\"}");
    String badStatus = Scenario.approvalJws(push.keys(), get, "maybe");
    for (String jws : new String[] {otherKey, tampered, badStatus, "not.a.jws"}) {
      Reply r = api.post(challenges + "/" + sid, "AuthPayload", jws);
      assertThat(r.status()).isEqualTo(403);
      assertThat(r.json().path("code").asInt()).isEqualTo(60324);
    }
    assertThat(api.decider.attempts()).isEmpty();
    assertThat(api.post(challenges + "/" + sid, "AuthPayload", "x".repeat(5457)).status())
        .isEqualTo(400);
  }
}
