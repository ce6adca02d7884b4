package io.lapse.service.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.lapse.service.support.ApiFixture;
import io.lapse.service.support.HttpTestClient.Reply;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ServicesApiTest {
  private final ApiFixture api = new ApiFixture();

  @AfterEach
  void close() {
    api.close();
  }

  @Test
  void shouldCreateAServiceWithTotpAndPushDefaults() {
    Reply r = api.post("/v2/Services", "FriendlyName", "My app");

    assertThat(r.status()).isEqualTo(201);
    assertThat(r.text("sid")).matches("VA[0-9a-f]{32}");
    assertThat(r.text("account_sid")).isEqualTo(ApiFixture.ACCOUNT_SID);
    assertThat(r.text("friendly_name")).isEqualTo("My app");
    assertThat(r.json().path("totp").toString())
        .isEqualTo("{\"issuer\":\"My app\",\"time_step\":30,\"code_length\":6,\"skew\":1}");
    assertThat(r.json().path("push").path("include_date").asBoolean()).isFalse();
    assertThat(r.text("date_created")).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
    assertThat(r.text("url")).isEqualTo(api.baseUrl() + "/v2/Services/" + r.text("sid"));
    assertThat(r.json().path("links").path("entities").asText()).endsWith("/Entities");
    assertThat(api.logs.written("services")).hasSize(1);
  }

  @Test
  void shouldTakeTotpAndPushSettings() {
    Reply r =
        api.post(
            "/v2/Services",
            "FriendlyName",
            "Bank",
            "Totp.Issuer",
            "Bank Inc",
            "Totp.TimeStep",
            "60",
            "Totp.CodeLength",
            "8",
            "Totp.Skew",
            "2",
            "Push.IncludeDate",
            "true");

    assertThat(r.json().path("totp").toString())
        .isEqualTo("{\"issuer\":\"Bank Inc\",\"time_step\":60,\"code_length\":8,\"skew\":2}");
    assertThat(r.json().path("push").path("include_date").asBoolean()).isTrue();
  }

  @Test
  void shouldRejectMissingOrTooLongFriendlyNameAndOutOfRangeSettings() {
    assertThat(api.post("/v2/Services").json().path("code").asInt()).isEqualTo(60300);
    assertThat(api.post("/v2/Services", "FriendlyName", "x".repeat(33)).status()).isEqualTo(400);
    for (String[] bad :
        new String[][] {
          {"Totp.TimeStep", "19"}, {"Totp.TimeStep", "61"}, {"Totp.CodeLength", "2"},
          {"Totp.CodeLength", "9"}, {"Totp.Skew", "3"}, {"Totp.Skew", "x"},
          {"Push.IncludeDate", "maybe"}
        }) {
      Reply r = api.post("/v2/Services", "FriendlyName", "ok", bad[0], bad[1]);
      assertThat(r.status()).as(bad[0] + "=" + bad[1]).isEqualTo(400);
      assertThat(r.json().path("code").asInt()).isEqualTo(60300);
      assertThat(r.text("message")).contains(bad[0]);
    }
  }

  @Test
  void shouldFetchUpdateListAndDeleteServices() {
    String sid = api.post("/v2/Services", "FriendlyName", "one").text("sid");
    api.post("/v2/Services", "FriendlyName", "two");

    assertThat(api.get("/v2/Services/" + sid).text("friendly_name")).isEqualTo("one");
    Reply updated = api.post("/v2/Services/" + sid, "FriendlyName", "uno", "Totp.Skew", "0");
    assertThat(updated.status()).isEqualTo(200);
    assertThat(updated.text("friendly_name")).isEqualTo("uno");
    assertThat(updated.json().path("totp").path("skew").asInt()).isZero();

    Reply list = api.get("/v2/Services");
    assertThat(list.json().path("services")).hasSize(2);
    assertThat(list.json().path("meta").path("key").asText()).isEqualTo("services");

    assertThat(api.delete("/v2/Services/" + sid).status()).isEqualTo(204);
    Reply gone = api.get("/v2/Services/" + sid);
    assertThat(gone.status()).isEqualTo(404);
    assertThat(gone.json().path("code").asInt()).isEqualTo(20404);
    assertThat(gone.text("message"))
        .isEqualTo("The requested resource /Services/" + sid + " was not found");
    assertThat(api.get("/v2/Services").json().path("services")).hasSize(1);
  }

  @Test
  void shouldDeleteAServicesEntitiesAndFactors() {
    String sid = api.post("/v2/Services", "FriendlyName", "one").text("sid");
    api.post(
        "/v2/Services/" + sid + "/Entities/user-12345678/Factors",
        "FriendlyName",
        "phone",
        "FactorType",
        "totp");

    api.delete("/v2/Services/" + sid);

    assertThat(api.logs.written("entities").get(1).value()).isNull();
    assertThat(api.logs.written("factors").get(1).value()).isNull();
    assertThat(api.domain.catalog().entities().size()).isZero();
    assertThat(api.domain.catalog().factors().size()).isZero();
  }

  @Test
  void shouldReturnEveryFieldOfTwilioServiceInItsOrder() {
    Reply r =
        api.post(
            "/v2/Services",
            "FriendlyName",
            "Bank",
            "Passkeys.RelyingParty.Origins",
            "https://a.example, b.example ",
            "TtsName",
            "Polly.Joanna");

    List<String> names = new ArrayList<>();
    r.json().fieldNames().forEachRemaining(names::add);
    assertThat(names)
        .containsExactly(
            "sid",
            "account_sid",
            "friendly_name",
            "code_length",
            "lookup_enabled",
            "psd2_enabled",
            "skip_sms_to_landlines",
            "dtmf_input_required",
            "tts_name",
            "do_not_share_warning_enabled",
            "custom_code_enabled",
            "push",
            "totp",
            "default_template_sid",
            "whatsapp",
            "passkeys",
            "verify_event_subscription_enabled",
            "date_created",
            "date_updated",
            "url",
            "links");
    assertThat(r.json().path("passkeys").path("relying_party").path("origins").toString())
        .isEqualTo("[\"https://a.example\",\"b.example\"]");

    // An empty value clears an optional setting (the spec: "it can be empty").
    Reply cleared = api.post("/v2/Services/" + r.text("sid"), "TtsName", "");
    assertThat(cleared.json().path("tts_name").isNull()).isTrue();
    assertThat(cleared.text("friendly_name")).isEqualTo("Bank");
  }

  @Test
  void shouldRefuseVerifyChannelSettingsWith60200AndAnEmptyFriendlyNameWith60300() {
    for (String[] bad :
        new String[][] {
          {"CodeLength", "3"},
          {"CodeLength", "11"},
          {"LookupEnabled", "yes"},
          {"DefaultTemplateSid", "HJ" + "g".repeat(32)},
          {"Whatsapp.MsgServiceSid", "MG1"},
          {"Passkeys.DiscoverableCredentials", "sometimes"},
          {"VerifyEventSubscriptionEnabled", "1"}
        }) {
      Reply r = api.post("/v2/Services", "FriendlyName", "ok", bad[0], bad[1]);
      assertThat(r.status()).as(bad[0] + "=" + bad[1]).isEqualTo(400);
      assertThat(r.json().path("code").asInt()).as(bad[0]).isEqualTo(60200);
      assertThat(r.json().path("more_info").asText()).endsWith("/60200");
      assertThat(r.text("message")).contains(bad[0]);
    }
    String sid = api.post("/v2/Services", "FriendlyName", "ok").text("sid");
    Reply blank = api.post("/v2/Services/" + sid, "FriendlyName", " ");
    assertThat(blank.json().path("code").asInt()).isEqualTo(60300);
    assertThat(api.logs.written("services")).hasSize(1);
  }
}
