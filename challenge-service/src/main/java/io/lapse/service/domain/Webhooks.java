package io.lapse.service.domain;

import io.lapse.state.v1.WebhookSnapshot;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Verify Webhooks of a Service: create, read, list, update, delete. Snapshots go to their own
 * compacted topic through {@link WebhookLog} and are applied to {@link #table()} once durable. The
 * instance that creates a webhook mints its SID, so no two instances create the same one; an update
 * is a read-modify-write under this instance's lock, last writer wins across instances, as for
 * services before their single writer (docs/decisions/0018-webhooks.md).
 */
public final class Webhooks {
  public static final String SID_PREFIX = "YW";

  public static final String ENABLED = "enabled";
  public static final String DISABLED = "disabled";
  public static final String V1 = "v1";
  public static final String V2 = "v2";
  public static final String POST = "POST";

  /** Every event type, {@code *} included; {@code challenge.expired} is Lapse's extension. */
  public static final List<String> EVENT_TYPES =
      List.of(
          "*",
          "factor.created",
          "factor.verified",
          "factor.deleted",
          "challenge.approved",
          "challenge.denied",
          "challenge.expired");

  public static final Set<String> STATUSES = Set.of(ENABLED, DISABLED);
  public static final Set<String> VERSIONS = Set.of(V1, V2);

  private final Catalog catalog;
  private final SnapshotTable<WebhookSnapshot> table;
  private final WebhookLog log;
  private final String accountSid;
  private final Clock clock;
  private final ReentrantLock lock = new ReentrantLock();

  public Webhooks(
      Catalog catalog,
      SnapshotTable<WebhookSnapshot> table,
      WebhookLog log,
      String accountSid,
      Clock clock) {
    this.catalog = catalog;
    this.table = table;
    this.log = log;
    this.accountSid = accountSid;
    this.clock = clock;
  }

  /** A table of webhook snapshots: by SID, parent the service. */
  public static SnapshotTable<WebhookSnapshot> newTable() {
    return new SnapshotTable<>(WebhookSnapshot::getServiceSid, null);
  }

  /** The webhooks this instance knows (also read by the dispatcher). */
  public SnapshotTable<WebhookSnapshot> table() {
    return table;
  }

  public WebhookSnapshot create(String serviceSid, WebhookChanges changes) {
    Lookups.service(catalog, serviceSid);
    String name = changes.friendlyName().orElseThrow(() -> ApiError.missingParam("FriendlyName"));
    if (changes.eventTypes().isEmpty()) {
      throw ApiError.missingParam("EventTypes");
    }
    String url = changes.webhookUrl().orElseThrow(() -> ApiError.missingParam("WebhookUrl"));
    // Millisecond precision, as the snapshot is stored: every instance compares it with event times
    // alike (a webhook gets the events that happened after it was created).
    Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
    WebhookSnapshot w =
        WebhookSnapshot.newBuilder()
            .setSid(Sids.random(SID_PREFIX))
            .setAccountSid(accountSid)
            .setServiceSid(serviceSid)
            .setFriendlyName(name)
            .setEventTypes(changes.eventTypes())
            .setStatus(changes.status().orElse(ENABLED))
            .setVersion(changes.version().orElse(V2))
            .setWebhookUrl(url)
            .setWebhookMethod(POST)
            .setCreatedAt(now)
            .setUpdatedAt(now)
            .build();
    put(w);
    return w;
  }

  public WebhookSnapshot get(String serviceSid, String sid) {
    Lookups.service(catalog, serviceSid);
    return table
        .get(sid)
        .filter(w -> w.getServiceSid().equals(serviceSid))
        .orElseThrow(() -> ApiError.notFound("/Services/" + serviceSid + "/Webhooks/" + sid));
  }

  public Pager.Page<WebhookSnapshot> list(String serviceSid, PageRequest request) {
    Lookups.service(catalog, serviceSid);
    TreeMap<SortKey, WebhookSnapshot> sorted = new TreeMap<>();
    table
        .children(serviceSid)
        .forEach(w -> sorted.put(SortKey.of(w.getCreatedAt(), w.getSid()), w));
    return Pager.page(
        sorted.navigableKeySet(),
        false,
        k -> Optional.ofNullable(sorted.get(k)),
        w -> true,
        request);
  }

  public WebhookSnapshot update(String serviceSid, String sid, WebhookChanges changes) {
    lock.lock();
    try {
      WebhookSnapshot.Builder b = WebhookSnapshot.newBuilder(get(serviceSid, sid));
      changes.friendlyName().ifPresent(b::setFriendlyName);
      if (!changes.eventTypes().isEmpty()) {
        b.setEventTypes(changes.eventTypes());
      }
      changes.webhookUrl().ifPresent(b::setWebhookUrl);
      changes.status().ifPresent(b::setStatus);
      changes.version().ifPresent(b::setVersion);
      WebhookSnapshot w = b.setUpdatedAt(clock.instant().truncatedTo(ChronoUnit.MILLIS)).build();
      put(w);
      return w;
    } finally {
      lock.unlock();
    }
  }

  public void delete(String serviceSid, String sid) {
    lock.lock();
    try {
      get(serviceSid, sid);
      table.apply(sid, log.writeWebhook(sid, null), null);
    } finally {
      lock.unlock();
    }
  }

  /** Deletes every webhook of a service this instance knows (the service was deleted). */
  public void purge(String serviceSid) {
    lock.lock();
    try {
      for (WebhookSnapshot w : table.children(serviceSid)) {
        table.apply(w.getSid(), log.writeWebhook(w.getSid(), null), null);
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * The enabled webhooks of a service subscribed to {@code eventType} (directly or by {@code *}),
   * oldest first; none once the service is deleted.
   */
  public List<WebhookSnapshot> subscribers(String serviceSid, String eventType) {
    if (catalog.services().get(serviceSid).isEmpty()) {
      return List.of();
    }
    return table.children(serviceSid).stream()
        .filter(w -> ENABLED.equals(w.getStatus()))
        .filter(w -> w.getEventTypes().contains("*") || w.getEventTypes().contains(eventType))
        .sorted(
            java.util.Comparator.comparing((WebhookSnapshot w) -> w.getCreatedAt())
                .thenComparing(WebhookSnapshot::getSid))
        .toList();
  }

  private void put(WebhookSnapshot w) {
    table.apply(w.getSid(), log.writeWebhook(w.getSid(), w), w);
  }
}
