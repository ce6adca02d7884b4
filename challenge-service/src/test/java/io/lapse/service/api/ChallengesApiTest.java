package io.lapse.service.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.lapse.events.v1.ChallengeCreated;
import io.lapse.service.support.ApiFixture;
import io.lapse.service.support.HttpTestClient.Reply;
import io.lapse.service.support.Scenario;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ChallengesApiTest {
  private final ApiFixture api = new ApiFixture();
  private final Scenario scenario = new Scenario(api);
  private final String service = scenario.service();
  private final String identity = Scenario.identity();
  private final String challenges = Scenario.entityPath(service, identity) + "/Challenges";
  private final Scenario.TotpFactor totp = scenario.verifiedTotp(service, identity);

  @AfterEach
  void close() {
    api.close();
  }

  @Test
  void shouldCreateAPendingChallengeExpiringInFiveMinutesAndPublishIt() {
    Reply r = api.post(challenges, "FactorSid", totp.sid());

    assertThat(r.status()).isEqualTo(201);
    assertThat(r.text("sid")).matches("YC[0-9a-f]{32}");
    assertThat(r.text("status")).isEqualTo("pending");
    assertThat(r.text("responded_reason")).isEqualTo("none");
    assertThat(r.json().path("date_responded").isNull()).isTrue();
    assertThat(r.text("date_created")).isEqualTo("2026-05-01T12:00:00Z");
    assertThat(r.text("expiration_date")).isEqualTo("2026-05-01T12:05:00Z");
    assertThat(r.text("factor_type")).isEqualTo("totp");
    assertThat(r.text("url")).isEqualTo(api.baseUrl() + challenges + "/" + r.text("sid"));
    assertThat(r.json().path("links").path("notifications").asText()).endsWith("/Notifications");
    var published = api.logs.written("challenge-created");
    assertThat(published).hasSize(1);
    assertThat(((ChallengeCreated) published.get(0).value()).getSid()).isEqualTo(r.text("sid"));
    assertThat(api.get(challenges + "/" + r.text("sid")).text("status")).isEqualTo("pending");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "2026-05-01T12:10:00Z",
        "2026-05-01T12:10:00",
        "2026-05-01T14:10+02:00[Europe/Paris]"
      })
  void shouldAcceptEveryExpirationDateFormTheSdksSend(String date) {
    Reply r = api.post(challenges, "FactorSid", totp.sid(), "ExpirationDate", date);
    assertThat(r.status()).isEqualTo(201);
    assertThat(r.text("expiration_date")).isEqualTo("2026-05-01T12:10:00Z");
  }

  @Test
  void shouldRejectExpirationInThePastOrBeyondAnHour() {
    for (String bad : new String[] {"2026-05-01T11:59:59Z", "2026-05-01T13:00:01Z", "soon"}) {
      Reply r = api.post(challenges, "FactorSid", totp.sid(), "ExpirationDate", bad);
      assertThat(r.status()).as(bad).isEqualTo(400);
      assertThat(r.json().path("code").asInt()).isEqualTo(60300);
      assertThat(r.text("message")).contains("ExpirationDate");
    }
    assertThat(
            api.post(challenges, "FactorSid", totp.sid(), "ExpirationDate", "2026-05-01T13:00:00Z")
                .status())
        .isEqualTo(201);
    assertThat(api.logs.written("challenge-created")).hasSize(1);
  }

  @Test
  void shouldRejectMissingMalformedOrUnknownFactorSid() {
    assertThat(api.post(challenges).json().path("code").asInt()).isEqualTo(60300);
    assertThat(api.post(challenges, "FactorSid", "YF123").json().path("code").asInt())
        .isEqualTo(60300);
    Reply unknown = api.post(challenges, "FactorSid", "YF" + "0".repeat(32));
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.json().path("code").asInt()).isEqualTo(20404);
  }

  @Test
  void shouldRefuseChallengesForAnUnverifiedFactor() {
    String sid =
        api.post(
                Scenario.entityPath(service, identity) + "/Factors",
                "FriendlyName",
                "new",
                "FactorType",
                "totp")
            .text("sid");
    Reply r = api.post(challenges, "FactorSid", sid);
    assertThat(r.status()).isEqualTo(403);
    assertThat(r.json().path("code").asInt()).isEqualTo(60318);
  }

  @Test
  void shouldRenderDetailsFieldsAndHiddenDetailsOfAPushChallenge() {
    Scenario.PushFactor push = scenario.verifiedPush(service, identity, "fcm");
    Reply r =
        api.post(
            challenges,
            "FactorSid",
            push.sid(),
            "Details.Message",
            "Hi! Sign in?",
            "Details.Fields",
            "{\"label\": \"Action\", \"value\": \"Sign up in portal\"}",
            "Details.Fields",
            "{\"label\":\"IP\",\"value\":\"1.2.3.4\"}",
            "HiddenDetails",
            "{\"ip\":\"172.168.1.234\"}");

    assertThat(r.status()).isEqualTo(201);
    assertThat(r.json().path("details").toString())
        .isEqualTo(
            "{\"message\":\"Hi! Sign in?\",\"fields\":[{\"label\":\"Action\",\"value\":\"Sign up in portal\"},"
                + "{\"label\":\"IP\",\"value\":\"1.2.3.4\"}]}");
    assertThat(r.json().path("hidden_details").toString()).isEqualTo("{\"ip\":\"172.168.1.234\"}");
    assertThat(r.json().path("metadata").isNull()).isTrue();
    assertThat(r.text("factor_type")).isEqualTo("push");
  }

  @Test
  void shouldAddDetailsDateWhenTheServiceAsksForIt() {
    api.post("/v2/Services/" + service, "Push.IncludeDate", "true");
    Scenario.PushFactor push = scenario.verifiedPush(service, identity, "fcm");
    Reply r = api.post(challenges, "FactorSid", push.sid(), "Details.Message", "Hi");
    assertThat(r.json().path("details").path("date").asText()).isEqualTo("2026-05-01T12:00:00Z");
  }

  @Test
  void shouldRejectInvalidPushDetails() {
    Scenario.PushFactor push = scenario.verifiedPush(service, identity, "fcm");
    assertThat(api.post(challenges, "FactorSid", push.sid()).json().path("code").asInt())
        .isEqualTo(60300);
    String[][] bad = {
      {"Details.Message", "m".repeat(257)},
      {"Details.Fields", "not json"},
      {"Details.Fields", "{\"label\":\"" + "l".repeat(37) + "\",\"value\":\"v\"}"},
      {"Details.Fields", "{\"label\":\"l\",\"value\":1}"},
      {"HiddenDetails", "{\"n\":1}"},
      {"HiddenDetails", "[]"},
      {"HiddenDetails", "{\"k\":\"" + "v".repeat(1100) + "\"}"},
      {"AuthPayload", "123456"}
    };
    for (String[] b : bad) {
      String[] form = {"FactorSid", push.sid(), "Details.Message", "ok", b[0], b[1]};
      if (b[0].equals("Details.Message")) {
        form = new String[] {"FactorSid", push.sid(), b[0], b[1]};
      }
      Reply r = api.post(challenges, form);
      assertThat(r.status()).as(b[0] + "=" + b[1]).isEqualTo(400);
      assertThat(r.json().path("code").asInt()).isEqualTo(60300);
    }
    String[] tooMany = new String[4 + 2 * 21];
    tooMany[0] = "FactorSid";
    tooMany[1] = push.sid();
    tooMany[2] = "Details.Message";
    tooMany[3] = "ok";
    for (int i = 0; i < 21; i++) {
      tooMany[4 + 2 * i] = "Details.Fields";
      tooMany[5 + 2 * i] = "{\"label\":\"l" + i + "\",\"value\":\"v\"}";
    }
    assertThat(api.post(challenges, tooMany).status()).isEqualTo(400);
    assertThat(api.logs.written("challenge-created")).isEmpty();
  }

  @Test
  void shouldReturnTheFirstChallengeForARepeatedIdempotencyKey() {
    Reply first =
        api.postWithHeader(challenges, "Idempotency-Key", "order-42", "FactorSid", totp.sid());
    Reply again =
        api.postWithHeader(challenges, "Idempotency-Key", "order-42", "FactorSid", totp.sid());
    Reply other =
        api.postWithHeader(challenges, "Idempotency-Key", "order-43", "FactorSid", totp.sid());

    assertThat(again.status()).isEqualTo(201);
    assertThat(again.text("sid")).isEqualTo(first.text("sid"));
    assertThat(other.text("sid")).isNotEqualTo(first.text("sid"));
    assertThat(api.logs.written("challenge-created")).hasSize(2);
  }

  @Test
  void shouldReadAPendingChallengePastItsDeadlineAsExpired() {
    String sid = api.post(challenges, "FactorSid", totp.sid()).text("sid");
    api.clock.advance(Duration.ofMinutes(5));

    Reply r = api.get(challenges + "/" + sid);
    assertThat(r.text("status")).isEqualTo("expired");
    assertThat(r.text("date_updated")).isEqualTo("2026-05-01T12:05:00Z");
    assertThat(r.headers().firstValue(ChallengeHandlers.SIGNATURE_FIELDS_HEADER)).isEmpty();
  }

  @Test
  void shouldAnnounceSignatureFieldsOnlyWhilePending() {
    String sid = api.post(challenges, "FactorSid", totp.sid()).text("sid");
    assertThat(
            api.get(challenges + "/" + sid).headers().firstValue("Twilio-Verify-Signature-Fields"))
        .contains("sid,factor_sid,date_created,expiration_date,details");
  }

  @Test
  void shouldAnswer404ForAChallengeOfAnotherEntity() {
    String sid = api.post(challenges, "FactorSid", totp.sid()).text("sid");
    String other = Scenario.identity();
    scenario.verifiedTotp(service, other);
    Reply r = api.get(Scenario.entityPath(service, other) + "/Challenges/" + sid);
    assertThat(r.status()).isEqualTo(404);
    assertThat(r.json().path("code").asInt()).isEqualTo(20404);
  }

  @Test
  void shouldListByStatusFactorAndOrderAndPageWithTokens() {
    String[] sids = new String[5];
    for (int i = 0; i < 5; i++) {
      sids[i] =
          api.post(
                  challenges,
                  "FactorSid",
                  totp.sid(),
                  "ExpirationDate",
                  "2026-05-01T12:0" + (i + 1) + ":30Z")
              .text("sid");
      api.clock.advance(Duration.ofSeconds(1));
    }
    api.clock.advance(Duration.ofSeconds(90)); // first challenge past its deadline

    Reply pending =
        api.get(challenges + "?Status=pending&Order=desc&PageSize=2&FactorSid=" + totp.sid());
    assertThat(pending.json().path("challenges"))
        .extracting(n -> n.path("sid").asText())
        .containsExactly(sids[4], sids[3]);
    var meta = pending.json().path("meta");
    assertThat(meta.path("key").asText()).isEqualTo("challenges");
    assertThat(meta.path("page_size").asInt()).isEqualTo(2);
    assertThat(meta.path("previous_page_url").isNull()).isTrue();
    assertThat(meta.path("first_page_url").asText())
        .isEqualTo(
            api.baseUrl()
                + challenges
                + "?FactorSid="
                + totp.sid()
                + "&Status=pending&Order=desc&PageSize=2&Page=0");
    String next = meta.path("next_page_url").asText();
    assertThat(next).contains("Page=1").contains("PageToken=PA");

    Reply page2 = api.get(next);
    assertThat(page2.json().path("challenges"))
        .extracting(n -> n.path("sid").asText())
        .containsExactly(sids[2], sids[1]);
    assertThat(page2.json().path("meta").path("next_page_url").isNull()).isTrue();

    Reply expired = api.get(challenges + "?Status=expired");
    assertThat(expired.json().path("challenges"))
        .extracting(n -> n.path("sid").asText())
        .containsExactly(sids[0]);
    Reply all = api.get(challenges);
    assertThat(all.json().path("challenges")).hasSize(5);
    assertThat(all.json().path("challenges").get(0).path("sid").asText()).isEqualTo(sids[0]);
    assertThat(api.get(challenges + "?Status=bogus").json().path("code").asInt()).isEqualTo(60300);
    assertThat(api.get(challenges + "?Order=up").json().path("code").asInt()).isEqualTo(60300);
  }

  @Test
  void shouldListAnEmptyEntityWithTheRecordKeyPresent() {
    Reply r = api.get(challenges);
    assertThat(r.json().path("challenges").isArray()).isTrue();
    assertThat(r.json().path("challenges")).isEmpty();
    assertThat(r.json().path("meta").path("next_page_url").isNull()).isTrue();
  }
}
