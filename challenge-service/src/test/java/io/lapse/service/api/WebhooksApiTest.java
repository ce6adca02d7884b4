package io.lapse.service.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.lapse.service.domain.WaitingLimit;
import io.lapse.service.support.ApiFixture;
import io.lapse.service.support.HttpTestClient.Reply;
import io.lapse.service.support.InMemoryLogs;
import io.lapse.state.v1.WebhookSnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WebhooksApiTest {
  private final ApiFixture api = new ApiFixture();
  private final String service = api.post("/v2/Services", "FriendlyName", "bank").text("sid");
  private final String webhooks = "/v2/Services/" + service + "/Webhooks";

  @AfterEach
  void close() {
    api.close();
  }

  /** A valid create; {@code more} pairs replace the default of their name (EventTypes adds). */
  private Reply create(String... more) {
    List<String> pairs = new ArrayList<>();
    List<String> given = List.of(more);
    for (String[] d :
        new String[][] {
          {"FriendlyName", "backend"},
          {"EventTypes", "challenge.approved"},
          {"EventTypes", "challenge.expired"},
          {"WebhookUrl", "https://example.com/hooks?x=1"}
        }) {
      if (d[0].equals("EventTypes") || !given.contains(d[0])) {
        pairs.addAll(List.of(d));
      }
    }
    pairs.addAll(given);
    return api.post(webhooks, pairs.toArray(String[]::new));
  }

  private static List<String> eventTypes(JsonNode n) {
    List<String> out = new ArrayList<>();
    n.path("event_types").forEach(t -> out.add(t.asText()));
    return out;
  }

  @Test
  void shouldCreateAWebhookWithTwiliosFieldsAndDefaults() {
    Reply r = create();

    assertThat(r.status()).isEqualTo(201);
    String sid = r.text("sid");
    assertThat(sid).matches("YW[0-9a-f]{32}");
    assertThat(r.text("account_sid")).isEqualTo(ApiFixture.ACCOUNT_SID);
    assertThat(r.text("service_sid")).isEqualTo(service);
    assertThat(r.text("friendly_name")).isEqualTo("backend");
    assertThat(eventTypes(r.json())).containsExactly("challenge.approved", "challenge.expired");
    assertThat(r.text("status")).isEqualTo("enabled");
    assertThat(r.text("version")).isEqualTo("v2");
    assertThat(r.text("webhook_url")).isEqualTo("https://example.com/hooks?x=1");
    assertThat(r.text("webhook_method")).isEqualTo("POST");
    assertThat(r.text("date_created")).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
    assertThat(r.text("date_updated")).isEqualTo(r.text("date_created"));
    assertThat(r.text("url")).isEqualTo(api.baseUrl() + webhooks + "/" + sid);
    assertThat(api.logs.written("webhooks")).hasSize(1);
    assertThat(((WebhookSnapshot) api.logs.written("webhooks").get(0).value()).getSid())
        .isEqualTo(sid);
  }

  @Test
  void shouldDeleteAServicesWebhooksWithTheService() {
    String first = create().text("sid");
    String second = create("FriendlyName", "audit").text("sid");
    String other = api.post("/v2/Services", "FriendlyName", "other").text("sid");
    String kept =
        api.post(
                "/v2/Services/" + other + "/Webhooks",
                "FriendlyName",
                "kept",
                "EventTypes",
                "*",
                "WebhookUrl",
                "https://example.com/other")
            .text("sid");

    assertThat(api.delete("/v2/Services/" + service).status()).isEqualTo(204);

    // Tombstones on the log for the deleted service's webhooks, none for the other service's.
    List<String> tombstoned =
        api.logs.written("webhooks").stream()
            .filter(w -> w.value() == null)
            .map(InMemoryLogs.Written::key)
            .toList();
    assertThat(tombstoned).containsExactlyInAnyOrder(first, second);
    assertThat(api.get("/v2/Services/" + other + "/Webhooks/" + kept).status()).isEqualTo(200);
  }

  @Test
  void shouldFollowTheServicesWebhooksLink() {
    String sid = create().text("sid");

    String link = api.get("/v2/Services/" + service).json().path("links").path("webhooks").asText();
    Reply list = api.get(link);

    assertThat(list.status()).isEqualTo(200);
    assertThat(list.json().path("webhooks")).hasSize(1);
    assertThat(list.json().path("webhooks").get(0).path("sid").asText()).isEqualTo(sid);
    assertThat(list.json().path("meta").path("key").asText()).isEqualTo("webhooks");
  }

  @Test
  void shouldFetchUpdateAndDelete() {
    String sid = create().text("sid");
    api.clock.advance(java.time.Duration.ofSeconds(5));

    assertThat(api.get(webhooks + "/" + sid).text("friendly_name")).isEqualTo("backend");
    Reply updated =
        api.post(
            webhooks + "/" + sid,
            "Status",
            "disabled",
            "EventTypes",
            "*",
            "WebhookUrl",
            "http://127.0.0.1:9/other",
            "Version",
            "v1");
    assertThat(updated.status()).isEqualTo(200);
    assertThat(updated.text("status")).isEqualTo("disabled");
    assertThat(updated.text("version")).isEqualTo("v1");
    assertThat(updated.text("friendly_name")).isEqualTo("backend");
    assertThat(eventTypes(updated.json())).containsExactly("*");
    assertThat(updated.text("webhook_url")).isEqualTo("http://127.0.0.1:9/other");
    assertThat(updated.text("date_updated")).isNotEqualTo(updated.text("date_created"));

    assertThat(api.delete(webhooks + "/" + sid).status()).isEqualTo(204);
    Reply gone = api.get(webhooks + "/" + sid);
    assertThat(gone.status()).isEqualTo(404);
    assertThat(gone.json().path("code").asInt()).isEqualTo(20404);
    assertThat(api.delete(webhooks + "/" + sid).status()).isEqualTo(404);
    assertThat(api.logs.written("webhooks").get(2).value()).isNull();
  }

  @Test
  void shouldPageTheListInCreationOrder() {
    List<String> sids = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      sids.add(create().text("sid"));
      api.clock.advance(java.time.Duration.ofSeconds(1));
    }

    Reply first = api.get(webhooks + "?PageSize=2");
    assertThat(first.json().path("webhooks")).hasSize(2);
    Reply second = api.get(first.json().path("meta").path("next_page_url").asText());
    assertThat(second.json().path("webhooks")).hasSize(1);
    assertThat(second.json().path("webhooks").get(0).path("sid").asText()).isEqualTo(sids.get(2));
    assertThat(second.json().path("meta").path("next_page_url").isNull()).isTrue();
  }

  @Test
  void shouldRefuseWritesAtTheCapAt503WithRetryAfterAndProduceNothing() {
    String sid = create().text("sid");
    int written = api.logs.written("webhooks").size();
    // Every place of the instance's one cap taken by writes that wait (their decision withheld).
    CompletableFuture<Void> withheld = new CompletableFuture<>();
    WaitingLimit writes = api.domain.waitingWrites();
    for (int i = 0; i < 1000; i++) {
      writes.admit(() -> withheld);
    }

    List<Reply> refused =
        List.of(
            create(),
            api.post(webhooks + "/" + sid, "FriendlyName", "renamed"),
            api.delete(webhooks + "/" + sid));

    for (Reply r : refused) {
      assertThat(r.status()).isEqualTo(503);
      assertThat(r.json().path("code").asInt()).isEqualTo(20503);
      assertThat(r.text("message")).contains("too many requests waiting");
      assertThat(r.headers().firstValue("Retry-After")).hasValue("1");
    }
    assertThat(api.logs.written("webhooks")).hasSize(written);
    assertThat(api.domain.webhooks().waiting().refused()).isEqualTo(3);
    assertThat(writes.refused()).isZero();
    assertThat(api.get(webhooks + "/" + sid).text("friendly_name")).isEqualTo("backend");

    withheld.complete(null);
    assertThat(api.post(webhooks + "/" + sid, "FriendlyName", "renamed").status()).isEqualTo(200);
    assertThat(api.delete(webhooks + "/" + sid).status()).isEqualTo(204);
    assertThat(create().status()).isEqualTo(201);
    assertThat(api.domain.webhooks().waiting().waiting()).isZero();
  }

  @Test
  void shouldAnswer503WhenTheLogCannotBeWrittenAndStoreNothing() {
    String sid = create().text("sid");
    api.logs.failWrites();

    for (Reply r :
        List.of(
            create("FriendlyName", "lost"),
            api.post(webhooks + "/" + sid, "FriendlyName", "renamed"),
            api.delete(webhooks + "/" + sid))) {
      assertThat(r.status()).isEqualTo(503);
      assertThat(r.json().path("code").asInt()).isEqualTo(20503);
      assertThat(r.text("message")).contains("event log could not be written");
    }
    assertThat(api.get(webhooks + "/" + sid).text("friendly_name")).isEqualTo("backend");
    assertThat(api.get(webhooks).json().path("webhooks")).hasSize(1);
    assertThat(api.domain.webhooks().waiting().waiting()).isZero();
  }

  @Test
  void shouldRefuseBadParametersWithTwilioErrors() {
    String[][] bad = {
      {"EventTypes", "challenge.pending"},
      {"Status", "on"},
      {"Version", "v3"},
      {"WebhookMethod", "GET"},
      {"WebhookUrl", "ftp://example.com/x"},
      {"WebhookUrl", "/relative"},
      {"WebhookUrl", "https://user:pw@example.com/x"},
      {"FriendlyName", "x".repeat(65)},
    };
    for (String[] b : bad) {
      Reply r = create(b[0], b[1]);
      assertThat(r.status()).as(b[0] + "=" + b[1]).isEqualTo(400);
      assertThat(r.json().path("code").asInt()).isEqualTo(60300);
      assertThat(r.text("message")).contains(b[0]);
    }
    assertThat(api.post(webhooks, "FriendlyName", "x", "WebhookUrl", "https://e.com").status())
        .isEqualTo(400);
    assertThat(api.post(webhooks, "FriendlyName", "x", "EventTypes", "*").text("message"))
        .contains("WebhookUrl");
    assertThat(api.logs.written("webhooks")).isEmpty();
  }

  @Test
  void shouldAnswer404ForAnUnknownServiceOrAWebhookOfAnotherService() {
    String sid = create().text("sid");
    String other = api.post("/v2/Services", "FriendlyName", "other").text("sid");

    assertThat(api.get("/v2/Services/VA" + "0".repeat(32) + "/Webhooks").status()).isEqualTo(404);
    assertThat(api.get("/v2/Services/" + other + "/Webhooks/" + sid).status()).isEqualTo(404);
    assertThat(api.get("/v2/Services/" + other + "/Webhooks").json().path("webhooks")).isEmpty();
  }

  @Test
  void shouldListOnlyEnabledSubscribersOfAnEventType() {
    String approved = create().text("sid");
    String all = create("EventTypes", "*").text("sid");
    String off = create("Status", "disabled").text("sid");

    assertThat(api.domain.webhooks().subscribers(service, "challenge.approved"))
        .extracting(WebhookSnapshot::getSid)
        .containsExactlyInAnyOrder(approved, all)
        .doesNotContain(off);
    assertThat(api.domain.webhooks().subscribers(service, "factor.created"))
        .extracting(WebhookSnapshot::getSid)
        .containsExactly(all);
  }
}
