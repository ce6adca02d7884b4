package io.lapse.service.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lapse.commands.v1.ChallengeRecord;
import io.lapse.events.v1.ChallengeCreated;
import io.lapse.infra.KafkaBroker;
import io.lapse.infra.SchemaRegistry;
import io.lapse.service.domain.ViewedChallenge;
import io.lapse.service.support.HttpTestClient;
import io.lapse.service.support.HttpTestClient.Reply;
import io.lapse.service.support.LapseSystem;
import io.lapse.service.support.Scenario;
import io.lapse.testkit.LapseIntegration;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The owner's {@code challenge-records} store on a real broker, with the real expiry processor:
 * after API traffic (push challenges approved, denied, expired, left pending with a notification; a
 * TOTP challenge approved with a code), the entity task's store, read by interactive query, holds
 * each challenge exactly as the API's read model ({@code ChallengeView}) shows it, and the API's
 * status (docs/decisions/0009-partitioned-reads.md). Reads still come from the view.
 */
@LapseIntegration
class ChallengeRecordsIT {
  private static final Duration BOUND = Duration.ofSeconds(30);
  private final LapseSystem system;

  ChallengeRecordsIT(KafkaBroker broker, SchemaRegistry registry) {
    system = new LapseSystem(broker, registry);
  }

  @AfterEach
  void stop() {
    system.close();
  }

  @Test
  void shouldHoldEveryChallengeInTheOwnersStoreAsTheApiShowsIt() {
    HttpTestClient api = system.http();
    Scenario scenario = new Scenario(api, Clock.systemUTC());
    String service = scenario.service();
    String identity = Scenario.identity();
    Scenario.PushFactor push = scenario.verifiedPush(service, identity, "apn");
    Scenario.TotpFactor totp = scenario.verifiedTotp(service, identity);
    String challenges = Scenario.entityPath(service, identity) + "/Challenges";
    Map<String, String> expected = new LinkedHashMap<>();

    for (String answer : new String[] {"approved", "denied"}) {
      String sid = create(api, challenges, push.sid(), "Details.Message", "Log in?");
      Reply get = api.get(challenges + "/" + sid);
      Reply r =
          api.post(
              challenges + "/" + sid,
              "AuthPayload",
              Scenario.approvalJws(push.keys(), get, answer),
              "Metadata",
              "{\"os\":\"ios\"}");
      assertThat(r.status()).as(r.json().toString()).isEqualTo(200);
      assertThat(r.text("status")).isEqualTo(answer);
      expected.put(sid, answer);
    }
    String notified = create(api, challenges, push.sid(), "Details.Message", "Pay 5 EUR?");
    Reply n = api.post(challenges + "/" + notified + "/Notifications", "Ttl", "60");
    assertThat(n.status()).as(n.json().toString()).isEqualTo(201);
    expected.put(notified, "pending");
    String expiring =
        create(
            api,
            challenges,
            push.sid(),
            "Details.Message",
            "Soon gone",
            "ExpirationDate",
            Instant.now().plusSeconds(3).truncatedTo(ChronoUnit.SECONDS).toString());
    expected.put(expiring, "expired");
    String code = create(api, challenges, totp.sid());
    Reply c = api.post(challenges + "/" + code, "AuthPayload", totp.codeNow());
    assertThat(c.text("status")).isEqualTo("approved");
    expected.put(code, "approved");

    for (Map.Entry<String, String> e : expected.entrySet()) {
      String sid = e.getKey();
      await()
          .atMost(BOUND)
          .untilAsserted(
              () -> {
                ViewedChallenge viewed = system.service.domain().view().get(sid).orElseThrow();
                Optional<ChallengeRecord> stored =
                    system.service.entityTasks().localChallenge(service, identity, sid);
                assertThat(stored).as("%s in the owner's store", sid).isPresent();
                ChallengeRecord record = stored.get();
                assertThat(record.getStatus()).isEqualTo(e.getValue());
                assertThat(api.get(challenges + "/" + sid).text("status")).isEqualTo(e.getValue());
                assertSameAs(record, viewed);
              });
    }
    ChallengeRecord withNotification =
        system.service.entityTasks().localChallenge(service, identity, notified).orElseThrow();
    assertThat(withNotification.getNotificationSids()).containsExactly(n.text("sid")).hasSize(1);
    assertThat(withNotification.getCreated().getDetailsMessage()).isEqualTo("Pay 5 EUR?");
  }

  /**
   * Challenge reads come from the owner's store (one instance owns every entity): a GET right after
   * each verification's 200 reads its outcome there (read-your-writes, docs/decisions/0009), with
   * the JSON the verification answered; lists filter and page as the view did; no read needed the
   * view.
   */
  @Test
  void shouldAnswerChallengeReadsFromTheOwnersStore() {
    HttpTestClient api = system.http();
    Scenario scenario = new Scenario(api, Clock.systemUTC());
    String service = scenario.service();
    String identity = Scenario.identity();
    Scenario.PushFactor push = scenario.verifiedPush(service, identity, "apn");
    Scenario.TotpFactor totp = scenario.verifiedTotp(service, identity);
    String challenges = Scenario.entityPath(service, identity) + "/Challenges";
    List<String> created = new ArrayList<>();
    Map<String, String> statuses = new LinkedHashMap<>();

    for (int i = 0; i < 6; i++) {
      String answer = i % 3 == 0 ? "approved" : i % 3 == 1 ? "denied" : null;
      Reply made =
          api.post(
              challenges,
              "FactorSid",
              push.sid(),
              "Details.Message",
              "Log in " + i + "?",
              "Details.Fields",
              "{\"label\":\"IP\",\"value\":\"192.0.2." + i + "\"}",
              "HiddenDetails",
              "{\"ip\":\"192.0.2." + i + "\"}");
      assertThat(made.status()).as(made.json().toString()).isEqualTo(201);
      String sid = made.text("sid");
      created.add(sid);
      Reply get = api.get(challenges + "/" + sid);
      assertThat(get.status()).isEqualTo(200);
      assertThat(withoutUpdated(get)).isEqualTo(withoutUpdated(made));
      if (answer == null) {
        statuses.put(sid, "pending");
        continue;
      }
      Reply verified =
          api.post(
              challenges + "/" + sid,
              "AuthPayload",
              Scenario.approvalJws(push.keys(), get, answer),
              "Metadata",
              "{\"os\":\"ios\"}");
      assertThat(verified.status()).as(verified.json().toString()).isEqualTo(200);
      Reply after = api.get(challenges + "/" + sid);
      assertThat(after.text("status")).as("GET right after the 200").isEqualTo(answer);
      assertThat(after.json()).isEqualTo(verified.json());
      statuses.put(sid, answer);
    }
    String code = create(api, challenges, totp.sid());
    Reply c = api.post(challenges + "/" + code, "AuthPayload", totp.codeNow());
    assertThat(c.text("status")).isEqualTo("approved");
    assertThat(api.get(challenges + "/" + code).json()).isEqualTo(c.json());
    created.add(code);
    statuses.put(code, "approved");

    // Newest first, one per page, following next_page_url: every challenge once, in order.
    List<String> paged = new ArrayList<>();
    String next = challenges + "?Order=desc&PageSize=1";
    while (next != null) {
      Reply page = api.get(next);
      assertThat(page.status()).as(page.json().toString()).isEqualTo(200);
      page.json().get("challenges").forEach(n -> paged.add(n.get("sid").asText()));
      JsonNode url = page.json().get("meta").get("next_page_url");
      next = url == null || url.isNull() ? null : url.asText();
    }
    List<String> newestFirst = new ArrayList<>(created);
    Collections.reverse(newestFirst);
    assertThat(paged).isEqualTo(newestFirst);
    Reply approvedPush =
        api.get(challenges + "?FactorSid=" + push.sid() + "&Status=approved&PageSize=50");
    assertThat(approvedPush.json().get("challenges"))
        .extracting(n -> n.get("sid").asText())
        .containsExactlyElementsOf(
            created.stream()
                .filter(sid -> !sid.equals(code) && statuses.get(sid).equals("approved"))
                .toList());
    Reply pending = api.get(challenges + "?Status=pending");
    assertThat(pending.json().get("challenges"))
        .extracting(n -> n.get("status").asText())
        .containsOnly("pending")
        .hasSize(2);

    assertThat(api.metric("lapse_challenge_reads_from_view_total{reason=\"not-in-store\"}"))
        .isZero();
    assertThat(api.metric("lapse_challenge_reads_from_view_total{reason=\"store-unavailable\"}"))
        .isZero();
    assertThat(api.metric("lapse_verifications_answered_unsettled_total")).isZero();
  }

  /** A challenge's JSON but date_updated (a GET may be a second later than the create). */
  private static JsonNode withoutUpdated(Reply r) {
    ObjectNode copy = r.json().deepCopy();
    copy.remove("date_updated");
    return copy;
  }

  private static String create(
      HttpTestClient api, String challenges, String factorSid, String... more) {
    String[] form = new String[more.length + 2];
    form[0] = "FactorSid";
    form[1] = factorSid;
    System.arraycopy(more, 0, form, 2, more.length);
    Reply r = api.post(challenges, form);
    assertThat(r.status()).as(r.json().toString()).isEqualTo(201);
    return r.text("sid");
  }

  private static ChallengeCreated unsigned(ChallengeCreated c) {
    return ChallengeCreated.newBuilder(c).setMacKeyId(null).setMac(null).build();
  }

  /** Every field the API renders a challenge from, the same in the store as in the view. */
  private static void assertSameAs(ChallengeRecord record, ViewedChallenge viewed) {
    // The view may hold the edge's own copy of the create, before the task signed it (0020).
    assertThat(record.getCreated().getMac()).isNotNull();
    assertThat(unsigned(record.getCreated())).isEqualTo(unsigned(viewed.created()));
    assertThat(record.getStatus()).isEqualTo(viewed.status().wire());
    assertThat(record.getRespondedAt()).isEqualTo(viewed.respondedAt());
    assertThat(record.getUpdatedAt()).isEqualTo(viewed.updatedAt());
    assertThat(record.getMetadata()).isEqualTo(viewed.metadata());
    assertThat(record.getDecidedAttemptId()).isEqualTo(viewed.decidedAttemptId());
    assertThat(record.getNotificationSids())
        .containsExactlyInAnyOrderElementsOf(viewed.notificationSids());
  }
}
