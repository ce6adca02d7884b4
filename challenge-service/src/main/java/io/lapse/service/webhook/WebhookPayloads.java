package io.lapse.service.webhook;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lapse.events.v1.ChallengeApproved;
import io.lapse.events.v1.ChallengeCreated;
import io.lapse.events.v1.ChallengeDenied;
import io.lapse.events.v1.ChallengeExpired;
import io.lapse.events.v1.FactorEvent;
import io.lapse.service.domain.ChallengeFields;
import io.lapse.service.domain.Json;
import io.lapse.service.domain.TwilioDates;
import io.lapse.state.v1.FactorSnapshot;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Maps Lapse's events to the form parameters of Twilio's Verify webhooks: {@code uuid}, {@code
 * type}, {@code account_sid}, {@code service_sid}, {@code entity_identity}, {@code factor_sid},
 * {@code factor_type}, {@code factor_friendly_name}, and for challenges {@code challenge_sid},
 * {@code challenge_details} and {@code challenge_hidden_details} (JSON strings), {@code status};
 * {@code challenge_metadata} and {@code factor_metadata} only for {@code v2} webhooks, as at
 * Twilio. A parameter Lapse has no value for is left out rather than sent empty. Pure: the caller
 * looks up the challenge and the factor.
 */
public final class WebhookPayloads {
  public static final String CHALLENGE_APPROVED = "challenge.approved";
  public static final String CHALLENGE_DENIED = "challenge.denied";

  /** Lapse's extension: Twilio has no such event. */
  public static final String CHALLENGE_EXPIRED = "challenge.expired";

  private static final Set<String> V2_ONLY = Set.of("challenge_metadata", "factor_metadata");

  private WebhookPayloads() {}

  /** {@code factor.created}, {@code factor.verified} or {@code factor.deleted}. */
  public static WebhookEvent factor(FactorEvent e) {
    Map<String, String> p = common(e.getType(), e.getSid(), e.getAccountSid(), e.getServiceSid());
    p.put("entity_identity", e.getIdentity());
    p.put("factor_sid", e.getSid());
    p.put("factor_type", e.getFactorType());
    p.put("factor_friendly_name", e.getFriendlyName());
    putJson(p, "factor_metadata", e.getMetadata());
    p.put("date_created", TwilioDates.format(e.getOccurredAt()));
    return new WebhookEvent(
        e.getType(),
        uuid(e.getType(), e.getSid()),
        e.getServiceSid(),
        e.getOccurredAt(),
        p,
        V2_ONLY);
  }

  /**
   * @param created the challenge as created (details, factor type), null if no longer known
   * @param factor its factor (friendly name, metadata), null if no longer known
   */
  public static WebhookEvent approved(
      ChallengeApproved a, String accountSid, ChallengeCreated created, FactorSnapshot factor) {
    return challenge(
        CHALLENGE_APPROVED,
        a.getSid(),
        accountSid,
        a.getServiceSid(),
        a.getIdentity(),
        a.getFactorSid(),
        "approved",
        a.getMetadata(),
        a.getDecidedAt(),
        created,
        factor);
  }

  public static WebhookEvent denied(
      ChallengeDenied d, String accountSid, ChallengeCreated created, FactorSnapshot factor) {
    return challenge(
        CHALLENGE_DENIED,
        d.getSid(),
        accountSid,
        d.getServiceSid(),
        d.getIdentity(),
        d.getFactorSid(),
        "denied",
        d.getMetadata(),
        d.getDecidedAt(),
        created,
        factor);
  }

  /** Lapse's extension; also carries the challenge's {@code expiration_date}. */
  public static WebhookEvent expired(
      ChallengeExpired x, String accountSid, ChallengeCreated created, FactorSnapshot factor) {
    WebhookEvent e =
        challenge(
            CHALLENGE_EXPIRED,
            x.getSid(),
            accountSid,
            x.getServiceSid(),
            x.getIdentity(),
            x.getFactorSid(),
            "expired",
            null,
            x.getExpiredAt(),
            created,
            factor);
    Map<String, String> p = new LinkedHashMap<>(e.params());
    p.put("expiration_date", TwilioDates.format(x.getExpirationDate()));
    return new WebhookEvent(e.type(), e.uuid(), e.serviceSid(), e.occurredAt(), p, V2_ONLY);
  }

  private static WebhookEvent challenge(
      String type,
      String challengeSid,
      String accountSid,
      String serviceSid,
      String identity,
      String factorSid,
      String status,
      Map<String, String> metadata,
      Instant at,
      ChallengeCreated created,
      FactorSnapshot factor) {
    Map<String, String> p = common(type, challengeSid, accountSid, serviceSid);
    p.put("entity_identity", identity);
    p.put("factor_sid", factorSid);
    String factorType =
        created != null ? created.getFactorType() : factor != null ? factor.getFactorType() : null;
    putIfSet(p, "factor_type", factorType);
    putIfSet(p, "factor_friendly_name", factor == null ? null : factor.getFriendlyName());
    p.put("challenge_sid", challengeSid);
    if (created != null) {
      p.put("challenge_details", Json.write(ChallengeFields.details(created)));
      putJson(p, "challenge_hidden_details", created.getHiddenDetails());
    }
    putJson(p, "challenge_metadata", metadata);
    putJson(p, "factor_metadata", factor == null ? null : factor.getMetadata());
    p.put("status", status);
    p.put("date_created", TwilioDates.format(at));
    return new WebhookEvent(type, uuid(type, challengeSid), serviceSid, at, p, V2_ONLY);
  }

  private static Map<String, String> common(
      String type, String resourceSid, String accountSid, String serviceSid) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("uuid", uuid(type, resourceSid));
    p.put("type", type);
    p.put("account_sid", accountSid);
    p.put("service_sid", serviceSid);
    return p;
  }

  /**
   * The event's id: derived from what happened (each type happens once per challenge or factor), so
   * every instance, retry and redelivery names it alike.
   */
  static String uuid(String type, String resourceSid) {
    return UUID.nameUUIDFromBytes(
            ("lapse-webhook-event:" + type + ":" + resourceSid).getBytes(StandardCharsets.UTF_8))
        .toString();
  }

  private static void putIfSet(Map<String, String> p, String name, String value) {
    if (value != null) {
      p.put(name, value);
    }
  }

  private static void putJson(Map<String, String> p, String name, Map<String, String> values) {
    if (values != null) {
      ObjectNode n = Json.object();
      new java.util.TreeMap<>(values).forEach(n::put);
      p.put(name, Json.write(n));
    }
  }
}
