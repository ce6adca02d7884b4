package io.lapse.service.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.lapse.service.support.ApiFixture;
import io.lapse.service.support.HttpTestClient.Reply;
import io.lapse.service.support.Scenario;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EntitiesApiTest {
  private final ApiFixture api = new ApiFixture();
  private final String service = new Scenario(api).service();
  private final String entities = "/v2/Services/" + service + "/Entities";

  @AfterEach
  void close() {
    api.close();
  }

  @Test
  void shouldCreateAndFetchAnEntityWithLinks() {
    Reply r = api.post(entities, "Identity", "ff483d1ff591898a9942916050d2ca3f");

    assertThat(r.status()).isEqualTo(201);
    assertThat(r.text("sid")).matches("YE[0-9a-f]{32}");
    assertThat(r.text("identity")).isEqualTo("ff483d1ff591898a9942916050d2ca3f");
    assertThat(r.text("service_sid")).isEqualTo(service);
    assertThat(r.text("url"))
        .isEqualTo(api.baseUrl() + entities + "/ff483d1ff591898a9942916050d2ca3f");
    assertThat(r.json().path("links").path("challenges").asText()).endsWith("/Challenges");
    assertThat(api.get(entities + "/ff483d1ff591898a9942916050d2ca3f").text("sid"))
        .isEqualTo(r.text("sid"));
  }

  @Test
  void shouldRefuseASecondEntityWithTheSameIdentity() {
    api.post(entities, "Identity", "user-0001");
    Reply again = api.post(entities, "Identity", "user-0001");
    assertThat(again.status()).isEqualTo(409);
    assertThat(again.json().path("code").asInt()).isEqualTo(60301);
  }

  @Test
  void shouldRejectMalformedIdentities() {
    for (String bad :
        new String[] {"short", "x".repeat(65), "has space1", "under_score1", "-lead-dash"}) {
      Reply r = api.post(entities, "Identity", bad);
      assertThat(r.status()).as(bad).isEqualTo(400);
      assertThat(r.json().path("code").asInt()).as(bad).isEqualTo(60306);
    }
    assertThat(api.post(entities).json().path("code").asInt()).isEqualTo(60300);
  }

  @Test
  void shouldAnswer404ForUnknownServiceOrEntity() {
    assertThat(
            api.post("/v2/Services/VA" + "0".repeat(32) + "/Entities", "Identity", "user-0001")
                .json()
                .path("code")
                .asInt())
        .isEqualTo(20404);
    Reply r = api.get(entities + "/user-9999");
    assertThat(r.status()).isEqualTo(404);
    assertThat(r.text("message"))
        .isEqualTo(
            "The requested resource /Services/" + service + "/Entities/user-9999 was not found");
  }

  @Test
  void shouldPageThroughEntitiesWithAllSevenMetaKeys() {
    for (int i = 0; i < 5; i++) {
      api.post(entities, "Identity", "user-000" + i);
      api.clock.advance(java.time.Duration.ofSeconds(1));
    }
    Reply first = api.get(entities + "?PageSize=2");
    var meta = first.json().path("meta");
    assertThat(meta.fieldNames())
        .toIterable()
        .containsExactlyInAnyOrder(
            "page",
            "page_size",
            "first_page_url",
            "previous_page_url",
            "url",
            "next_page_url",
            "key");
    assertThat(first.json().has("uri")).isFalse();
    assertThat(first.json().path("entities"))
        .extracting(n -> n.path("identity").asText())
        .containsExactly("user-0000", "user-0001");

    Reply second = api.get(meta.path("next_page_url").asText());
    assertThat(second.json().path("entities"))
        .extracting(n -> n.path("identity").asText())
        .containsExactly("user-0002", "user-0003");
    assertThat(second.json().path("meta").path("page").asInt()).isEqualTo(1);
    Reply third = api.get(second.json().path("meta").path("next_page_url").asText());
    assertThat(third.json().path("entities")).hasSize(1);
    assertThat(third.json().path("meta").path("next_page_url").isNull()).isTrue();
    Reply back = api.get(third.json().path("meta").path("previous_page_url").asText());
    assertThat(back.json().path("entities"))
        .extracting(n -> n.path("identity").asText())
        .containsExactly("user-0002", "user-0003");
  }

  @Test
  void shouldRejectBadPagingParameters() {
    assertThat(api.get(entities + "?PageSize=0").json().path("code").asInt()).isEqualTo(60300);
    assertThat(api.get(entities + "?PageSize=1001").status()).isEqualTo(400);
    assertThat(api.get(entities + "?Page=-1").status()).isEqualTo(400);
    assertThat(api.get(entities + "?PageToken=garbage").status()).isEqualTo(400);
  }

  @Test
  void shouldDeleteAnEntityAndItsFactors() {
    api.post(entities + "/user-0001/Factors", "FriendlyName", "phone", "FactorType", "totp");
    assertThat(api.delete(entities + "/user-0001").status()).isEqualTo(204);
    assertThat(api.get(entities + "/user-0001").status()).isEqualTo(404);
    assertThat(api.domain.catalog().factors().size()).isZero();
  }

  @Test
  void shouldAnswer503WhenTheEntityTaskDoesNotDecideInTime() {
    api.commands.goSilent();

    Reply r = api.post(entities, "Identity", "user-0001");

    assertThat(r.status()).isEqualTo(503);
    assertThat(r.json().path("code").asInt()).isEqualTo(20503);
    assertThat(r.text("message")).contains("not decided in time");
    assertThat(api.get(entities + "/user-0001").status()).isEqualTo(404);
  }

  @Test
  void shouldSendTheEntityTaskACommandKeyedByTheEntity() {
    api.post(entities, "Identity", "user-0001");

    // The service's own create was a command too (to its single writer): skip it.
    assertThat(api.commands.commands())
        .filteredOn(c -> !(c instanceof io.lapse.commands.v1.CreateService))
        .singleElement()
        .isInstanceOfSatisfying(
            io.lapse.commands.v1.CreateEntity.class,
            c -> {
              assertThat(c.getServiceSid()).isEqualTo(service);
              assertThat(c.getIdentity()).isEqualTo("user-0001");
              assertThat(c.getEntitySid()).matches("YE[0-9a-f]{32}");
            });
    assertThat(api.logs.written("entities")).hasSize(1);
  }
}
