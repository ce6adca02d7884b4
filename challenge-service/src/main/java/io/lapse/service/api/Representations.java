package io.lapse.service.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lapse.events.v1.ChallengeCreated;
import io.lapse.events.v1.NotificationRequested;
import io.lapse.service.domain.AccessTokens;
import io.lapse.service.domain.ChallengeFields;
import io.lapse.service.domain.CreatedFactor;
import io.lapse.service.domain.Factors;
import io.lapse.service.domain.Json;
import io.lapse.service.domain.TwilioDates;
import io.lapse.service.domain.ViewedChallenge;
import io.lapse.state.v1.EntitySnapshot;
import io.lapse.state.v1.FactorSnapshot;
import io.lapse.state.v1.ServiceSnapshot;
import io.lapse.state.v1.WebhookSnapshot;
import java.time.Instant;
import java.util.Map;

/**
 * The JSON of each resource, with Twilio's snake_case names, every field present (null when empty),
 * dates as whole-second UTC, and absolute URLs.
 */
final class Representations {
  private final Urls urls;

  Representations(Urls urls) {
    this.urls = urls;
  }

  Urls urls() {
    return urls;
  }

  /**
   * A Service with every field of Twilio's {@code verify.v2.service}, in its order; the settings of
   * channels Lapse does not run are returned as stored (decision 0023).
   */
  ObjectNode service(ServiceSnapshot s) {
    ObjectNode n = Json.object();
    n.put("sid", s.getSid());
    n.put("account_sid", s.getAccountSid());
    n.put("friendly_name", s.getFriendlyName());
    n.put("code_length", s.getCodeLength());
    n.put("lookup_enabled", s.getLookupEnabled());
    n.put("psd2_enabled", s.getPsd2Enabled());
    n.put("skip_sms_to_landlines", s.getSkipSmsToLandlines());
    n.put("dtmf_input_required", s.getDtmfInputRequired());
    n.put("tts_name", s.getTtsName());
    n.put("do_not_share_warning_enabled", s.getDoNotShareWarningEnabled());
    n.put("custom_code_enabled", s.getCustomCodeEnabled());
    ObjectNode push = n.putObject("push");
    push.put("include_date", s.getPushIncludeDate());
    push.put("apn_credential_sid", s.getPushApnCredentialSid());
    push.put("fcm_credential_sid", s.getPushFcmCredentialSid());
    ObjectNode totp = n.putObject("totp");
    totp.put("issuer", s.getTotpIssuer() != null ? s.getTotpIssuer() : s.getFriendlyName());
    totp.put("time_step", s.getTotpTimeStep());
    totp.put("code_length", s.getTotpCodeLength());
    totp.put("skew", s.getTotpSkew());
    n.put("default_template_sid", s.getDefaultTemplateSid());
    ObjectNode whatsapp = n.putObject("whatsapp");
    whatsapp.put("msg_service_sid", s.getWhatsappMsgServiceSid());
    whatsapp.put("from", s.getWhatsappFrom());
    ObjectNode passkeys = n.putObject("passkeys");
    ObjectNode party = passkeys.putObject("relying_party");
    party.put("id", s.getPasskeysRelyingPartyId());
    party.put("name", s.getPasskeysRelyingPartyName());
    if (s.getPasskeysRelyingPartyOrigins() == null) {
      party.putNull("origins");
    } else {
      ArrayNode origins = party.putArray("origins");
      ServiceParams.originList(s.getPasskeysRelyingPartyOrigins()).forEach(origins::add);
    }
    passkeys.put("authenticator_attachment", s.getPasskeysAuthenticatorAttachment());
    passkeys.put("discoverable_credentials", s.getPasskeysDiscoverableCredentials());
    passkeys.put("user_verification", s.getPasskeysUserVerification());
    n.put("verify_event_subscription_enabled", s.getVerifyEventSubscriptionEnabled());
    putStrictPolicy(n, s);
    n.put("date_created", TwilioDates.format(s.getCreatedAt()));
    n.put("date_updated", TwilioDates.format(s.getUpdatedAt()));
    String url = urls.service(s.getSid());
    n.put("url", url);
    ObjectNode links = n.putObject("links");
    // Only the sub-resources Lapse serves: Twilio's verifications, verification_checks,
    // rate_limits and messaging_configurations are SMS/voice resources Lapse has not (decision
    // 0023).
    links.put("entities", url + "/Entities");
    links.put("webhooks", url + "/Webhooks");
    links.put("access_tokens", url + "/AccessTokens");
    return n;
  }

  /**
   * The Lapse extension, under its own key and only when set, so a service without a strict policy
   * reads exactly as at Twilio.
   */
  private static void putStrictPolicy(ObjectNode n, ServiceSnapshot s) {
    Integer lifetime = s.getLapseMaxChallengeLifetimeSeconds();
    Integer skew = s.getLapseMaxTotpSkew();
    if (lifetime == null && skew == null) {
      return;
    }
    ObjectNode lapse = n.putObject("lapse");
    if (lifetime != null) {
      lapse.put("max_challenge_lifetime", lifetime);
    }
    if (skew != null) {
      lapse.put("max_totp_skew", skew);
    }
  }

  ObjectNode webhook(WebhookSnapshot w) {
    ObjectNode n = Json.object();
    n.put("sid", w.getSid());
    n.put("service_sid", w.getServiceSid());
    n.put("account_sid", w.getAccountSid());
    n.put("friendly_name", w.getFriendlyName());
    ArrayNode types = n.putArray("event_types");
    w.getEventTypes().forEach(types::add);
    n.put("status", w.getStatus());
    n.put("version", w.getVersion());
    n.put("webhook_url", w.getWebhookUrl());
    n.put("webhook_method", w.getWebhookMethod());
    n.put("date_created", TwilioDates.format(w.getCreatedAt()));
    n.put("date_updated", TwilioDates.format(w.getUpdatedAt()));
    n.put("url", urls.webhook(w.getServiceSid(), w.getSid()));
    return n;
  }

  ObjectNode entity(EntitySnapshot e) {
    ObjectNode n = Json.object();
    n.put("sid", e.getSid());
    n.put("identity", e.getIdentity());
    n.put("account_sid", e.getAccountSid());
    n.put("service_sid", e.getServiceSid());
    n.put("date_created", TwilioDates.format(e.getCreatedAt()));
    n.put("date_updated", TwilioDates.format(e.getUpdatedAt()));
    String url = urls.entity(e.getServiceSid(), e.getIdentity());
    n.put("url", url);
    ObjectNode links = n.putObject("links");
    links.put("factors", url + "/Factors");
    links.put("new_factors", url + "/Factors");
    links.put("challenges", url + "/Challenges");
    return n;
  }

  /** A factor as read (no binding). */
  ObjectNode factor(FactorSnapshot f) {
    ObjectNode n = Json.object();
    n.put("sid", f.getSid());
    n.put("account_sid", f.getAccountSid());
    n.put("service_sid", f.getServiceSid());
    n.put("entity_sid", f.getEntitySid());
    n.put("identity", f.getIdentity());
    n.put("date_created", TwilioDates.format(f.getCreatedAt()));
    n.put("date_updated", TwilioDates.format(f.getUpdatedAt()));
    n.put("friendly_name", f.getFriendlyName());
    n.put("status", f.getStatus());
    n.put("factor_type", f.getFactorType());
    ObjectNode config = n.putObject("config");
    if (Factors.PUSH.equals(f.getFactorType())) {
      config.put("sdk_version", f.getSdkVersion());
      config.put("app_id", f.getAppId());
      config.put("notification_platform", f.getNotificationPlatform());
      config.put("notification_token", f.getNotificationToken());
      config.put("credential_sid", f.getCredentialSid());
    } else {
      config.put("alg", f.getTotpAlg());
      config.put("skew", f.getTotpSkew());
      config.put("code_length", f.getTotpCodeLength());
      config.put("time_step", f.getTotpTimeStep());
    }
    putMap(n, "metadata", f.getMetadata());
    n.put("url", urls.factor(f.getServiceSid(), f.getIdentity(), f.getSid()));
    return n;
  }

  /** A new factor: the read fields plus {@code binding} and {@code options}, shown only now. */
  ObjectNode createdFactor(CreatedFactor created) {
    FactorSnapshot f = created.factor();
    ObjectNode read = factor(f);
    ObjectNode n = Json.object();
    read.properties()
        .forEach(
            e -> {
              n.set(e.getKey(), e.getValue());
              if (e.getKey().equals("identity")) {
                ObjectNode binding = n.putObject("binding");
                if (Factors.PUSH.equals(f.getFactorType())) {
                  binding.put("alg", f.getBindingAlg());
                  binding.put("public_key", f.getBindingPublicKey());
                } else {
                  binding.put("secret", created.totpSecret());
                  binding.put("uri", created.totpUri());
                }
                n.putNull("options");
              }
            });
    return n;
  }

  ObjectNode challenge(ViewedChallenge state, Instant now) {
    ChallengeCreated c = state.created();
    ObjectNode signed = ChallengeFields.signed(c);
    ObjectNode n = Json.object();
    n.put("sid", c.getSid());
    n.put("account_sid", c.getAccountSid());
    n.put("service_sid", c.getServiceSid());
    n.put("entity_sid", c.getEntitySid());
    n.put("identity", c.getIdentity());
    n.put("factor_sid", c.getFactorSid());
    n.set("date_created", signed.get("date_created"));
    n.put("date_updated", TwilioDates.format(state.updatedAt(now)));
    n.put("date_responded", TwilioDates.format(state.respondedAt()));
    n.set("expiration_date", signed.get("expiration_date"));
    n.put("status", state.statusAt(now).wire());
    n.put("responded_reason", "none");
    n.set("details", signed.get("details"));
    putMap(n, "hidden_details", c.getHiddenDetails());
    putMap(n, "metadata", state.metadata());
    n.put("factor_type", c.getFactorType());
    String url = urls.challenge(c.getServiceSid(), c.getIdentity(), c.getSid());
    n.put("url", url);
    n.putObject("links").put("notifications", url + "/Notifications");
    return n;
  }

  ObjectNode notification(NotificationRequested e) {
    ObjectNode n = Json.object();
    n.put("sid", e.getNotificationSid());
    n.put("account_sid", e.getAccountSid());
    n.put("service_sid", e.getServiceSid());
    n.put("entity_sid", e.getEntitySid());
    n.put("identity", e.getIdentity());
    n.put("challenge_sid", e.getSid());
    n.put("priority", e.getPriority());
    n.put("ttl", e.getTtlSeconds());
    n.put("date_created", TwilioDates.format(e.getRequestedAt()));
    return n;
  }

  ObjectNode accessToken(AccessTokens.AccessToken t) {
    ObjectNode n = Json.object();
    n.put("sid", t.sid());
    n.put("account_sid", t.accountSid());
    n.put("service_sid", t.serviceSid());
    n.put("entity_identity", t.identity());
    n.put("factor_type", t.factorType());
    n.put("factor_friendly_name", t.factorFriendlyName());
    n.put("token", t.token());
    n.put("url", urls.accessToken(t.serviceSid(), t.sid()));
    n.put("ttl", t.ttl());
    n.put("date_created", TwilioDates.format(t.createdAt()));
    return n;
  }

  private static void putMap(ObjectNode n, String field, Map<String, String> map) {
    if (map == null) {
      n.putNull(field);
    } else {
      ObjectNode o = n.putObject(field);
      map.forEach(o::put);
    }
  }
}
