package io.lapse.service.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.lapse.infra.KafkaBroker;
import io.lapse.infra.SchemaRegistry;
import io.lapse.service.domain.AccessTokens;
import io.lapse.service.support.HttpTestClient;
import io.lapse.service.support.HttpTestClient.Reply;
import io.lapse.service.support.LapseSystem;
import io.lapse.service.support.Scenario;
import io.lapse.service.support.SdkPhone;
import io.lapse.service.support.SystemEnv;
import io.lapse.testkit.LapseIntegration;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A phone enrols with Twilio's Verify mobile SDK flow against the running system (real broker,
 * registry, entity tasks and expiry processor): the backend asks for an access token with the
 * account's credentials, the phone ({@link SdkPhone}, the Android SDK's requests replayed header
 * for header) enrols with {@code token:<accessToken>}, verifies its factor, updates its push token,
 * lists, fetches, approves and denies its challenges with signed JWSs, fetches its service and
 * deletes its factor. And the attacks: an expired token, a second enrolment with one token, a token
 * on any other route, a token of another service.
 */
@LapseIntegration
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MobileEnrolmentIT {
  private LapseSystem system;
  private HttpTestClient backend;
  private String service;

  @BeforeAll
  void start(KafkaBroker broker, SchemaRegistry registry) {
    system = new LapseSystem(broker, registry);
    backend = system.http();
    service = backend.post("/v2/Services", "FriendlyName", "Mobile app").text("sid");
  }

  @AfterAll
  void stop() {
    system.close();
  }

  private Reply accessToken(String serviceSid, String identity) {
    Reply r =
        backend.post(
            "/v2/Services/" + serviceSid + "/AccessTokens",
            "Identity",
            identity,
            "FactorType",
            "push",
            "FactorFriendlyName",
            "John's Pixel",
            "Ttl",
            "300");
    assertThat(r.status()).as(String.valueOf(r.json())).isEqualTo(201);
    return r;
  }

  private SdkPhone phone() {
    return new SdkPhone(system.service.baseUrl(), SystemEnv.ACCOUNT);
  }

  private String challenge(String identity, String factorSid, String message) {
    Reply r =
        backend.post(
            Scenario.entityPath(service, identity) + "/Challenges",
            "FactorSid",
            factorSid,
            "Details.Message",
            message,
            "Details.Fields",
            "{\"label\":\"Action\",\"value\":\"Sign in\"}");
    assertThat(r.status()).as(String.valueOf(r.json())).isEqualTo(201);
    return r.text("sid");
  }

  private static void assertRefused(SdkPhone.Reply r) {
    assertThat(r.status()).as(String.valueOf(r.json())).isEqualTo(401);
    assertThat(r.json().path("code").asInt()).isEqualTo(20003);
  }

  @Test
  void shouldEnrolVerifyAndAnswerChallengesExactlyAsTheSdkDoes() {
    String identity = Scenario.identity();
    Reply token = accessToken(service, identity);
    assertThat(token.text("sid")).startsWith("YK");
    assertThat(
            backend
                .get("/v2/Services/" + service + "/AccessTokens/" + token.text("sid"))
                .text("token"))
        .isEqualTo(token.text("token"));
    SdkPhone phone = phone();

    SdkPhone.Reply enrolled =
        phone.enrol(token.text("token"), service, identity, "fcm-" + "a".repeat(40));
    assertThat(enrolled.status()).as(String.valueOf(enrolled.json())).isEqualTo(201);
    assertThat(enrolled.text("status")).isEqualTo("unverified");
    assertThat(enrolled.json().path("config").path("credential_sid").asText()).startsWith("CR");

    SdkPhone.Reply verified = phone.verify();
    assertThat(verified.status()).as(String.valueOf(verified.json())).isEqualTo(200);
    assertThat(verified.text("status")).isEqualTo("verified");

    SdkPhone.Reply updated = phone.updatePushToken("fcm-" + "b".repeat(40));
    assertThat(updated.status()).as(String.valueOf(updated.json())).isEqualTo(200);
    assertThat(updated.json().path("config").path("notification_token").asText())
        .isEqualTo("fcm-" + "b".repeat(40));

    String approveMe = challenge(identity, phone.factorSid(), "Sign in from Berlin?");
    String denyMe = challenge(identity, phone.factorSid(), "Sign in from Lagos?");
    SdkPhone.Reply list = phone.listChallenges(null);
    assertThat(list.status()).as(String.valueOf(list.json())).isEqualTo(200);
    assertThat(list.json().path("challenges").findValuesAsText("sid"))
        .containsExactly(approveMe, denyMe);
    assertThat(phone.listChallenges("pending").json().path("challenges").size()).isEqualTo(2);

    SdkPhone.Reply fetched = phone.fetchChallenge(approveMe);
    assertThat(fetched.status()).isEqualTo(200);
    assertThat(fetched.signatureFields()).isNotBlank();
    SdkPhone.Reply approved = phone.answer(approveMe, "approved");
    assertThat(approved.status()).as(String.valueOf(approved.json())).isEqualTo(200);
    assertThat(phone.fetchChallenge(approveMe).text("status")).isEqualTo("approved");
    SdkPhone.Reply denied = phone.answer(denyMe, "denied");
    assertThat(denied.status()).as(String.valueOf(denied.json())).isEqualTo(200);
    assertThat(phone.fetchChallenge(denyMe).text("status")).isEqualTo("denied");
    assertThat(
            backend
                .get(Scenario.entityPath(service, identity) + "/Challenges/" + approveMe)
                .text("status"))
        .isEqualTo("approved");

    SdkPhone.Reply ownService = phone.fetchService();
    assertThat(ownService.status()).isEqualTo(200);
    assertThat(ownService.text("sid")).isEqualTo(service);

    assertThat(phone.delete().status()).isEqualTo(204);
    assertThat(
            backend
                .get(Scenario.entityPath(service, identity) + "/Factors/" + phone.factorSid())
                .status())
        .isEqualTo(404);
  }

  @Test
  void shouldRefuseASecondEnrolmentWithTheSameToken() {
    String identity = Scenario.identity();
    String token = accessToken(service, identity).text("token");
    assertThat(phone().enrol(token, service, identity, "fcm-" + "c".repeat(40)).status())
        .isEqualTo(201);

    SdkPhone.Reply second = phone().enrol(token, service, identity, "fcm-" + "d".repeat(40));

    assertThat(second.status()).as(String.valueOf(second.json())).isEqualTo(403);
    assertThat(second.json().path("code").asInt()).isEqualTo(60313);
    assertThat(
            backend
                .get(Scenario.entityPath(service, identity) + "/Factors")
                .json()
                .path("factors")
                .size())
        .isEqualTo(1);
  }

  @Test
  void shouldRefuseAnExpiredToken() {
    String identity = Scenario.identity();
    // A token this deployment signed (same LAPSE_SECRET_KEY) ten minutes ago with the longest TTL.
    byte[] key = Base64.getDecoder().decode(system.env.get("LAPSE_SECRET_KEY"));
    AccessTokens tenMinutesAgo =
        new AccessTokens(
            system.service.domain().catalog(),
            SystemEnv.ACCOUNT,
            key,
            Clock.offset(Clock.systemUTC(), Duration.ofMinutes(-10)));
    String expired =
        tenMinutesAgo.create(service, identity, "push", null, AccessTokens.MAX_TTL).token();

    assertRefused(phone().enrol(expired, service, identity, "fcm-" + "e".repeat(40)));
    assertThat(backend.get(Scenario.entityPath(service, identity)).status()).isEqualTo(404);
  }

  @Test
  void shouldRefuseTheTokenOnEveryOtherRoute() {
    String identity = Scenario.identity();
    String token = accessToken(service, identity).text("token");
    SdkPhone phone = phone();
    String entity = "Services/" + service + "/Entities/" + identity;

    assertRefused(phone.getWithToken("Services/" + service, token));
    assertRefused(phone.getWithToken("Services", token));
    assertRefused(phone.getWithToken(entity, token));
    assertRefused(phone.getWithToken(entity + "/Factors", token));
    assertRefused(phone.getWithToken(entity + "/Challenges", token));
    assertRefused(
        phone.postWithToken(
            "Services/" + service + "/AccessTokens",
            Map.of("Identity", identity, "FactorType", "push"),
            token));
    assertRefused(
        phone.postWithToken(
            "Services/" + service + "/Entities", Map.of("Identity", identity), token));
    // Still good for its one enrolment afterwards: a refusal uses nothing up.
    assertThat(phone.enrol(token, service, identity, "fcm-" + "f".repeat(40)).status())
        .isEqualTo(201);
    assertRefused(phone.getWithToken(entity + "/Factors/" + phone.factorSid(), token));
    assertRefused(
        phone.postWithToken(entity + "/Challenges", Map.of("FactorSid", phone.factorSid()), token));
  }

  @Test
  void shouldRefuseATokenOfAnotherService() {
    String identity = Scenario.identity();
    String other = backend.post("/v2/Services", "FriendlyName", "Other app").text("sid");
    String tokenOfOther = accessToken(other, identity).text("token");

    assertRefused(phone().enrol(tokenOfOther, service, identity, "fcm-" + "g".repeat(40)));
    assertThat(backend.get(Scenario.entityPath(service, identity)).status()).isEqualTo(404);
  }
}
