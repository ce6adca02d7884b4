package io.lapse.service.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import io.lapse.events.v1.ChallengeApproved;
import io.lapse.events.v1.ChallengeCreated;
import io.lapse.events.v1.ChallengeDenied;
import io.lapse.events.v1.ChallengeExpired;
import io.lapse.events.v1.DetailField;
import io.lapse.events.v1.FactorEvent;
import io.lapse.state.v1.FactorSnapshot;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WebhookPayloadsTest {
  private static final String ACCOUNT = "AC" + "1".repeat(32);
  private static final String SERVICE = "VA" + "2".repeat(32);
  private static final String FACTOR = "YF" + "3".repeat(32);
  private static final String CHALLENGE = "YC" + "4".repeat(32);
  private static final String IDENTITY = "ff483d1f-0000";
  private static final Instant T0 = Instant.parse("2026-05-01T12:00:00.250Z");

  private static ChallengeCreated created() {
    return ChallengeCreated.newBuilder()
        .setSid(CHALLENGE)
        .setAccountSid(ACCOUNT)
        .setServiceSid(SERVICE)
        .setEntitySid("YE" + "5".repeat(32))
        .setIdentity(IDENTITY)
        .setFactorSid(FACTOR)
        .setFactorType("push")
        .setCreatedAt(T0)
        .setExpirationDate(T0.plusSeconds(300))
        .setDetailsMessage("Login from Paris?")
        .setDetailsFields(List.of(new DetailField("Action", "login")))
        .setHiddenDetails(Map.of("ip", "203.0.113.7"))
        .build();
  }

  private static FactorSnapshot factor() {
    return FactorSnapshot.newBuilder()
        .setSid(FACTOR)
        .setAccountSid(ACCOUNT)
        .setServiceSid(SERVICE)
        .setEntitySid("YE" + "5".repeat(32))
        .setIdentity(IDENTITY)
        .setFriendlyName("John's Pixel")
        .setFactorType("push")
        .setStatus("verified")
        .setCreatedAt(T0)
        .setUpdatedAt(T0)
        .setMetadata(Map.of("os", "Android"))
        .build();
  }

  private static ChallengeApproved approved() {
    return ChallengeApproved.newBuilder()
        .setSid(CHALLENGE)
        .setServiceSid(SERVICE)
        .setIdentity(IDENTITY)
        .setFactorSid(FACTOR)
        .setAttemptId("AT1")
        .setRespondedAt(T0.plusSeconds(5))
        .setDecidedAt(T0.plusSeconds(6))
        .setMetadata(Map.of("device", "pixel"))
        .build();
  }

  @Test
  void shouldMapAnApprovalToTwiliosParameters() {
    WebhookEvent e = WebhookPayloads.approved(approved(), ACCOUNT, created(), factor());

    assertThat(e.type()).isEqualTo("challenge.approved");
    assertThat(e.serviceSid()).isEqualTo(SERVICE);
    assertThat(e.occurredAt()).isEqualTo(T0.plusSeconds(6));
    assertThat(e.params("v2"))
        .containsEntry("uuid", e.uuid())
        .containsEntry("type", "challenge.approved")
        .containsEntry("account_sid", ACCOUNT)
        .containsEntry("service_sid", SERVICE)
        .containsEntry("entity_identity", IDENTITY)
        .containsEntry("factor_sid", FACTOR)
        .containsEntry("factor_type", "push")
        .containsEntry("factor_friendly_name", "John's Pixel")
        .containsEntry("challenge_sid", CHALLENGE)
        .containsEntry(
            "challenge_details",
            "{\"message\":\"Login from Paris?\",\"fields\":[{\"label\":\"Action\",\"value\":\"login\"}]}")
        .containsEntry("challenge_hidden_details", "{\"ip\":\"203.0.113.7\"}")
        .containsEntry("challenge_metadata", "{\"device\":\"pixel\"}")
        .containsEntry("factor_metadata", "{\"os\":\"Android\"}")
        .containsEntry("status", "approved")
        .containsEntry("date_created", "2026-05-01T12:00:06Z");
  }

  @Test
  void shouldLeaveMetadataOutOfAVersionOnePayload() {
    WebhookEvent e = WebhookPayloads.approved(approved(), ACCOUNT, created(), factor());

    assertThat(e.params("v1"))
        .doesNotContainKeys("challenge_metadata", "factor_metadata")
        .containsKeys("uuid", "challenge_details", "factor_friendly_name");
  }

  @Test
  void shouldNameAnEventAlikeOnEveryInstanceAndDifferentlyPerTypeAndResource() {
    WebhookEvent once = WebhookPayloads.approved(approved(), ACCOUNT, created(), factor());
    WebhookEvent again = WebhookPayloads.approved(approved(), ACCOUNT, null, null);
    ChallengeDenied denied =
        ChallengeDenied.newBuilder()
            .setSid(CHALLENGE)
            .setServiceSid(SERVICE)
            .setIdentity(IDENTITY)
            .setFactorSid(FACTOR)
            .setAttemptId("AT1")
            .setRespondedAt(T0)
            .setDecidedAt(T0)
            .build();

    assertThat(again.uuid()).isEqualTo(once.uuid());
    assertThat(WebhookPayloads.denied(denied, ACCOUNT, null, null).uuid())
        .isNotEqualTo(once.uuid());
    assertThat(once.uuid()).matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
  }

  @Test
  void shouldSendWhatItKnowsWhenTheChallengeAndFactorAreGone() {
    WebhookEvent e = WebhookPayloads.approved(approved(), ACCOUNT, null, null);

    assertThat(e.params("v2"))
        .containsKeys("uuid", "type", "entity_identity", "factor_sid", "challenge_sid", "status")
        .doesNotContainKeys(
            "factor_type", "factor_friendly_name", "challenge_details", "factor_metadata");
  }

  @Test
  void shouldMapAnExpiryAsLapsesExtensionWithItsDeadline() {
    ChallengeExpired x =
        ChallengeExpired.newBuilder()
            .setSid(CHALLENGE)
            .setServiceSid(SERVICE)
            .setIdentity(IDENTITY)
            .setFactorSid(FACTOR)
            .setExpirationDate(T0.plusSeconds(300))
            .setExpiredAt(T0.plusSeconds(300).plusMillis(7))
            .build();

    WebhookEvent e = WebhookPayloads.expired(x, ACCOUNT, created(), factor());

    assertThat(e.params("v2"))
        .containsEntry("type", "challenge.expired")
        .containsEntry("status", "expired")
        .containsEntry("expiration_date", "2026-05-01T12:05:00Z")
        .containsEntry("challenge_sid", CHALLENGE)
        .doesNotContainKey("challenge_metadata");
  }

  @Test
  void shouldMapFactorEvents() {
    FactorEvent f =
        FactorEvent.newBuilder()
            .setType("factor.verified")
            .setSid(FACTOR)
            .setAccountSid(ACCOUNT)
            .setServiceSid(SERVICE)
            .setEntitySid("YE" + "5".repeat(32))
            .setIdentity(IDENTITY)
            .setFriendlyName("John's Pixel")
            .setFactorType("totp")
            .setStatus("verified")
            .setMetadata(null)
            .setOccurredAt(T0)
            .build();

    WebhookEvent e = WebhookPayloads.factor(f);

    assertThat(e.params("v2"))
        .containsEntry("type", "factor.verified")
        .containsEntry("factor_sid", FACTOR)
        .containsEntry("factor_type", "totp")
        .containsEntry("factor_friendly_name", "John's Pixel")
        .containsEntry("entity_identity", IDENTITY)
        .doesNotContainKeys("challenge_sid", "factor_metadata");
  }
}
