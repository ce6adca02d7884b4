package io.lapse.service.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.twilio.base.Page;
import com.twilio.exception.ApiException;
import com.twilio.http.TwilioRestClient;
import com.twilio.rest.verify.v2.Service;
import com.twilio.rest.verify.v2.ServiceCreator;
import com.twilio.rest.verify.v2.ServiceReader;
import com.twilio.rest.verify.v2.ServiceUpdater;
import io.lapse.infra.KafkaBroker;
import io.lapse.infra.SchemaRegistry;
import io.lapse.service.ChallengeServiceApp;
import io.lapse.service.support.HttpTestClient;
import io.lapse.service.support.LapseSystem;
import io.lapse.testkit.LapseIntegration;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The whole Service resource through Twilio's own Java SDK: every parameter of the spec's create
 * and update (twilio_verify_v2.json) set, every field read back with Twilio's names, the same from
 * an instance started afresh (so every setting is on the log, decided by the service's single
 * writer), and Twilio's error codes for bad values
 * (docs/decisions/0023-the-whole-service-resource.md).
 */
@LapseIntegration
class ServiceResourceIT {
  private static final String CR1 = "CR" + "a".repeat(32);
  private static final String CR2 = "CR" + "b".repeat(32);
  private static final String HJ = "HJ" + "c".repeat(32);
  private static final String MG = "MG" + "d".repeat(32);

  private LapseSystem system;
  private TwilioRestClient client;

  @BeforeEach
  void start(KafkaBroker broker, SchemaRegistry registry) {
    system = new LapseSystem(broker, registry);
    client = system.sdk();
  }

  @AfterEach
  void stop() {
    system.close();
  }

  @Test
  void shouldCreateUpdateAndFetchAServiceWithEveryParameterOfTheSpec() {
    Service created =
        Service.creator("Bank")
            .setCodeLength(8)
            .setLookupEnabled(true)
            .setSkipSmsToLandlines(true)
            .setDtmfInputRequired(false)
            .setTtsName("Polly.Joanna")
            .setPsd2Enabled(true)
            .setDoNotShareWarningEnabled(true)
            .setCustomCodeEnabled(true)
            .setPushIncludeDate(true)
            .setPushApnCredentialSid(CR1)
            .setPushFcmCredentialSid(CR2)
            .setTotpIssuer("Bank Inc")
            .setTotpTimeStep(60)
            .setTotpCodeLength(8)
            .setTotpSkew(2)
            .setDefaultTemplateSid(HJ)
            .setWhatsappMsgServiceSid(MG)
            .setWhatsappFrom("+14155550100")
            .setPasskeysRelyingPartyId("example.com")
            .setPasskeysRelyingPartyName("Example")
            .setPasskeysRelyingPartyOrigins("https://example.com,https://www.example.com")
            .setPasskeysAuthenticatorAttachment("platform")
            .setPasskeysDiscoverableCredentials("preferred")
            .setPasskeysUserVerification("required")
            .setVerifyEventSubscriptionEnabled(true)
            .create(client);

    assertEverySetting(created);
    assertEverySetting(Service.fetcher(created.getSid()).fetch(client));

    Service updated =
        Service.updater(created.getSid())
            .setFriendlyName("Bank 2")
            .setCodeLength(4)
            .setLookupEnabled(false)
            .setSkipSmsToLandlines(false)
            .setDtmfInputRequired(true)
            .setTtsName("Polly.Hans")
            .setPsd2Enabled(false)
            .setDoNotShareWarningEnabled(false)
            .setCustomCodeEnabled(false)
            .setPushIncludeDate(false)
            .setPushApnCredentialSid(CR2)
            .setPushFcmCredentialSid(CR1)
            .setTotpIssuer("Bank AG")
            .setTotpTimeStep(20)
            .setTotpCodeLength(3)
            .setTotpSkew(0)
            .setDefaultTemplateSid("HJ" + "e".repeat(32))
            .setWhatsappMsgServiceSid("MG" + "f".repeat(32))
            .setWhatsappFrom("+14155550101")
            .setPasskeysRelyingPartyId("example.org")
            .setPasskeysRelyingPartyName("Example Org")
            .setPasskeysRelyingPartyOrigins("example.org")
            .setPasskeysAuthenticatorAttachment("cross-platform")
            .setPasskeysDiscoverableCredentials("discouraged")
            .setPasskeysUserVerification("preferred")
            .setVerifyEventSubscriptionEnabled(false)
            .update(client);
    assertEveryUpdatedSetting(updated);

    // A fresh instance reads every setting back from lapse-services.
    try (ChallengeServiceApp other = system.startAnotherService("fresh")) {
      assertEveryUpdatedSetting(Service.fetcher(created.getSid()).fetch(LapseSystem.sdk(other)));
    }
  }

  @Test
  void shouldReturnTwilioDefaultsAndOnlyLinksThatAnswer() {
    Service s = Service.creator("Plain").create(client);

    assertThat(s.getCodeLength()).isEqualTo(6);
    assertThat(s.getLookupEnabled()).isFalse();
    assertThat(s.getSkipSmsToLandlines()).isFalse();
    assertThat(s.getDtmfInputRequired()).isTrue();
    assertThat(s.getTtsName()).isNull();
    assertThat(s.getPsd2Enabled()).isFalse();
    assertThat(s.getDoNotShareWarningEnabled()).isFalse();
    assertThat(s.getCustomCodeEnabled()).isFalse();
    assertThat(s.getDefaultTemplateSid()).isNull();
    assertThat(s.getVerifyEventSubscriptionEnabled()).isFalse();
    assertThat(map(s.getTotp()))
        .containsEntry("issuer", "Plain")
        .containsEntry("time_step", 30)
        .containsEntry("code_length", 6)
        .containsEntry("skew", 1);
    assertThat(map(s.getWhatsapp())).containsEntry("msg_service_sid", null);
    assertThat(map(map(s.getPasskeys()).get("relying_party"))).containsEntry("origins", null);

    // Every link names a resource Lapse serves: each answers (GET where the resource lists, else
    // the create the SDKs use), none 404.
    assertThat(s.getLinks()).containsOnlyKeys("entities", "webhooks", "access_tokens");
    HttpTestClient http = system.http();
    assertThat(http.get(path(s.getLinks().get("entities"))).status()).isEqualTo(200);
    assertThat(http.get(path(s.getLinks().get("webhooks"))).status()).isEqualTo(200);
    assertThat(
            http.post(
                    path(s.getLinks().get("access_tokens")),
                    "Identity",
                    "user-12345678",
                    "FactorType",
                    "push")
                .status())
        .isEqualTo(201);
  }

  @Test
  void shouldPageForwardAndBackWithTheSdkThroughNextAndPreviousPageUrls() {
    List<String> sids = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      sids.add(Service.creator("Paged " + i).create(client).getSid());
    }
    ServiceReader reader = Service.reader().setPageSize(1L);
    Page<Service> first = reader.firstPage(client);
    Page<Service> second = reader.nextPage(first, client);
    Page<Service> third = reader.nextPage(second, client);
    assertThat(List.of(first, second, third))
        .extracting(p -> p.getRecords().get(0).getSid())
        .containsExactlyElementsOf(sids);
    assertThat(third.hasNextPage()).isFalse();

    Page<Service> back = reader.previousPage(third, client);
    assertThat(back.getRecords()).extracting(Service::getSid).containsExactly(sids.get(1));
    Page<Service> start = reader.previousPage(back, client);
    assertThat(start.getRecords()).extracting(Service::getSid).containsExactly(sids.get(0));
  }

  @Test
  void shouldRefuseBadValuesWithTwilioCodesAndKeepTheServiceUnchanged() {
    String sid = Service.creator("Strict").create(client).getSid();

    // Settings of Verify's verification channels: 60200, Verify's "invalid parameter".
    assertRefused(sid, 60200, "CodeLength", u -> u.setCodeLength(3), c -> c.setCodeLength(11));
    assertRefused(
        sid,
        60200,
        "DefaultTemplateSid",
        u -> u.setDefaultTemplateSid("HJ123"),
        c -> c.setDefaultTemplateSid(CR1));
    assertRefused(
        sid,
        60200,
        "Whatsapp.MsgServiceSid",
        u -> u.setWhatsappMsgServiceSid(CR1),
        c -> c.setWhatsappMsgServiceSid("MG"));
    assertRefused(
        sid,
        60200,
        "Passkeys.AuthenticatorAttachment",
        u -> u.setPasskeysAuthenticatorAttachment("usb"),
        c -> c.setPasskeysAuthenticatorAttachment("PLATFORM"));
    assertRefused(
        sid,
        60200,
        "Passkeys.UserVerification",
        u -> u.setPasskeysUserVerification("always"),
        c -> c.setPasskeysDiscoverableCredentials("maybe"));
    assertRefused(
        sid,
        60200,
        "Passkeys.RelyingParty.Origins",
        u -> u.setPasskeysRelyingPartyOrigins("a.com,,b.com"),
        c -> c.setPasskeysRelyingPartyOrigins(","));
    // Push and TOTP settings: Verify Push's 60300.
    assertRefused(
        sid,
        60300,
        "Push.ApnCredentialSid",
        u -> u.setPushApnCredentialSid(MG),
        c -> c.setPushFcmCredentialSid("CR" + "z".repeat(32)));
    assertRefused(sid, 60300, "Totp.TimeStep", u -> u.setTotpTimeStep(61), c -> c.setTotpSkew(3));

    Service unchanged = Service.fetcher(sid).fetch(client);
    assertThat(unchanged.getCodeLength()).isEqualTo(6);
    assertThat(unchanged.getDefaultTemplateSid()).isNull();
    assertThat(map(unchanged.getTotp())).containsEntry("time_step", 30);
  }

  private void assertRefused(
      String sid,
      int code,
      String param,
      Consumer<ServiceUpdater> badUpdate,
      Consumer<ServiceCreator> badCreate) {
    ServiceUpdater u = Service.updater(sid);
    badUpdate.accept(u);
    ApiException onUpdate = catchThrowableOfType(ApiException.class, () -> u.update(client));
    assertThat(onUpdate).as("update with a bad %s", param).isNotNull();
    assertThat(onUpdate.getStatusCode()).isEqualTo(400);
    assertThat(onUpdate.getCode()).as(param).isEqualTo(code);
    assertThat(onUpdate.getMessage()).contains(param);

    ServiceCreator c = Service.creator("Bad");
    badCreate.accept(c);
    ApiException onCreate = catchThrowableOfType(ApiException.class, () -> c.create(client));
    assertThat(onCreate).as("create with a bad %s", param).isNotNull();
    assertThat(onCreate.getStatusCode()).isEqualTo(400);
    assertThat(onCreate.getCode()).as("create: " + param).isEqualTo(code);
  }

  private static void assertEverySetting(Service s) {
    assertThat(s.getFriendlyName()).isEqualTo("Bank");
    assertThat(s.getCodeLength()).isEqualTo(8);
    assertThat(s.getLookupEnabled()).isTrue();
    assertThat(s.getSkipSmsToLandlines()).isTrue();
    assertThat(s.getDtmfInputRequired()).isFalse();
    assertThat(s.getTtsName()).isEqualTo("Polly.Joanna");
    assertThat(s.getPsd2Enabled()).isTrue();
    assertThat(s.getDoNotShareWarningEnabled()).isTrue();
    assertThat(s.getCustomCodeEnabled()).isTrue();
    assertThat(map(s.getPush()))
        .containsEntry("include_date", true)
        .containsEntry("apn_credential_sid", CR1)
        .containsEntry("fcm_credential_sid", CR2);
    assertThat(map(s.getTotp()))
        .containsEntry("issuer", "Bank Inc")
        .containsEntry("time_step", 60)
        .containsEntry("code_length", 8)
        .containsEntry("skew", 2);
    assertThat(s.getDefaultTemplateSid()).isEqualTo(HJ);
    assertThat(map(s.getWhatsapp()))
        .containsEntry("msg_service_sid", MG)
        .containsEntry("from", "+14155550100");
    Map<String, Object> passkeys = map(s.getPasskeys());
    assertThat(map(passkeys.get("relying_party")))
        .containsEntry("id", "example.com")
        .containsEntry("name", "Example")
        .containsEntry("origins", List.of("https://example.com", "https://www.example.com"));
    assertThat(passkeys)
        .containsEntry("authenticator_attachment", "platform")
        .containsEntry("discoverable_credentials", "preferred")
        .containsEntry("user_verification", "required");
    assertThat(s.getVerifyEventSubscriptionEnabled()).isTrue();
    assertThat(s.getDateCreated()).isNotNull();
    assertThat(s.getDateUpdated()).isNotNull();
    assertThat(s.getUrl().toString()).endsWith("/v2/Services/" + s.getSid());
  }

  private static void assertEveryUpdatedSetting(Service s) {
    assertThat(s.getFriendlyName()).isEqualTo("Bank 2");
    assertThat(s.getCodeLength()).isEqualTo(4);
    assertThat(s.getLookupEnabled()).isFalse();
    assertThat(s.getSkipSmsToLandlines()).isFalse();
    assertThat(s.getDtmfInputRequired()).isTrue();
    assertThat(s.getTtsName()).isEqualTo("Polly.Hans");
    assertThat(s.getPsd2Enabled()).isFalse();
    assertThat(s.getDoNotShareWarningEnabled()).isFalse();
    assertThat(s.getCustomCodeEnabled()).isFalse();
    assertThat(map(s.getPush()))
        .containsEntry("include_date", false)
        .containsEntry("apn_credential_sid", CR2)
        .containsEntry("fcm_credential_sid", CR1);
    assertThat(map(s.getTotp()))
        .containsEntry("issuer", "Bank AG")
        .containsEntry("time_step", 20)
        .containsEntry("code_length", 3)
        .containsEntry("skew", 0);
    assertThat(s.getDefaultTemplateSid()).isEqualTo("HJ" + "e".repeat(32));
    assertThat(map(s.getWhatsapp()))
        .containsEntry("msg_service_sid", "MG" + "f".repeat(32))
        .containsEntry("from", "+14155550101");
    Map<String, Object> passkeys = map(s.getPasskeys());
    assertThat(map(passkeys.get("relying_party")))
        .containsEntry("id", "example.org")
        .containsEntry("name", "Example Org")
        .containsEntry("origins", List.of("example.org"));
    assertThat(passkeys)
        .containsEntry("authenticator_attachment", "cross-platform")
        .containsEntry("discoverable_credentials", "discouraged")
        .containsEntry("user_verification", "preferred");
    assertThat(s.getVerifyEventSubscriptionEnabled()).isFalse();
  }

  @SuppressWarnings("unchecked") // the SDK reads a JSON object as a Map with String keys
  private static Map<String, Object> map(Object o) {
    assertThat(o).isInstanceOf(Map.class);
    return (Map<String, Object>) o;
  }

  private static String path(String url) {
    return URI.create(url).getPath();
  }
}
