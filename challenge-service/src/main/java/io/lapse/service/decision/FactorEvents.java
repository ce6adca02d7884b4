package io.lapse.service.decision;

import io.lapse.events.v1.FactorEvent;
import io.lapse.state.v1.FactorSnapshot;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The factor events a snapshot change amounts to, for webhooks and other readers of {@code
 * lapse-factor-events} (docs/decisions/0018-webhooks.md): a first snapshot is {@code
 * factor.created}, a snapshot that turns {@code verified} is {@code factor.verified}, a tombstone
 * of a known factor is {@code factor.deleted} (carrying the factor as it was). Any other change (a
 * new notification token, a re-sealed seed, a failed verification) is no event.
 */
public final class FactorEvents {
  public static final String CREATED = "factor.created";
  public static final String VERIFIED = "factor.verified";
  public static final String DELETED = "factor.deleted";

  private static final String VERIFIED_STATUS = "verified";

  private FactorEvents() {}

  /**
   * @param before the factor before the change, null if it did not exist
   * @param after the factor after it, null if deleted
   * @param at when the change was decided
   */
  public static List<FactorEvent> between(FactorSnapshot before, FactorSnapshot after, Instant at) {
    List<FactorEvent> events = new ArrayList<>(2);
    if (after == null) {
      if (before != null) {
        events.add(event(DELETED, before, at));
      }
      return events;
    }
    if (before == null) {
      events.add(event(CREATED, after, at));
    }
    boolean wasVerified = before != null && VERIFIED_STATUS.equals(before.getStatus());
    if (!wasVerified && VERIFIED_STATUS.equals(after.getStatus())) {
      events.add(event(VERIFIED, after, at));
    }
    return events;
  }

  private static FactorEvent event(String type, FactorSnapshot f, Instant at) {
    return FactorEvent.newBuilder()
        .setType(type)
        .setSid(f.getSid())
        .setAccountSid(f.getAccountSid())
        .setServiceSid(f.getServiceSid())
        .setEntitySid(f.getEntitySid())
        .setIdentity(f.getIdentity())
        .setFriendlyName(f.getFriendlyName())
        .setFactorType(f.getFactorType())
        .setStatus(f.getStatus())
        .setMetadata(f.getMetadata())
        .setOccurredAt(at)
        .build();
  }
}
