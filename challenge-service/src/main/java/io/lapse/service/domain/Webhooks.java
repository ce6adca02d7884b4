package io.lapse.service.domain;

import io.lapse.state.v1.WebhookSnapshot;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * Verify Webhooks of a Service: create, read, list, update, delete. Snapshots go to their own
 * compacted topic through {@link WebhookLog} and are applied to {@link #table()} once durable. The
 * instance that creates a webhook mints its SID, so no two instances create the same one; an update
 * is a read-modify-write in this instance's turn, last writer wins across instances, as for
 * services before their single writer (docs/decisions/0018-webhooks.md).
 *
 * <p>No thread waits for the log's acknowledgement (docs/decisions/0009-partitioned-reads.md): a
 * write returns a future, completed once the write is durable and applied here. A request's write
 * takes a place under the instance's cap on waiting requests before anything is produced, and keeps
 * it until then; at the cap it is refused 503 / 20503 with {@code Retry-After}.
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
  private final WaitingLimit waiting;
  private final Executor turns;

  /**
   * The last update, deletion or purge of this instance, guarded by {@code this}: each starts once
   * the one before it is applied, so a read-modify-write never reads a row an earlier one is still
   * writing (what the lock held across the write did when a thread waited for the log).
   */
  private CompletableFuture<?> last = CompletableFuture.completedFuture(null);

  /**
   * @param waiting the places of webhook writes waiting for the log, under the instance's cap
   * @param turns where a write that waited for the one before it starts (it produces), never on the
   *     producer's thread that completed that one
   */
  public Webhooks(
      Catalog catalog,
      SnapshotTable<WebhookSnapshot> table,
      WebhookLog log,
      String accountSid,
      Clock clock,
      WaitingLimit waiting,
      Executor turns) {
    this.catalog = catalog;
    this.table = table;
    this.log = log;
    this.accountSid = accountSid;
    this.clock = clock;
    this.waiting = waiting;
    this.turns = turns;
  }

  /** The places of webhook writes waiting for the log (for the metrics). */
  public WaitingLimit waiting() {
    return waiting;
  }

  /** A table of webhook snapshots: by SID, parent the service. */
  public static SnapshotTable<WebhookSnapshot> newTable() {
    return new SnapshotTable<>(WebhookSnapshot::getServiceSid, null);
  }

  /** The webhooks this instance knows (also read by the dispatcher). */
  public SnapshotTable<WebhookSnapshot> table() {
    return table;
  }

  /**
   * Creates a webhook; completes with it once durable and in {@link #table()}.
   *
   * @throws ApiError at once for an unknown service, a missing parameter, or 503 / 20503 at the cap
   *     (nothing is then produced)
   */
  public CompletableFuture<WebhookSnapshot> create(String serviceSid, WebhookChanges changes) {
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
    return waiting.admit(() -> put(w));
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

  /**
   * Updates a webhook; completes with it once durable and in {@link #table()}. The update reads the
   * webhook in its turn, after the writes before it.
   *
   * @throws ApiError at once for an unknown service or webhook, or 503 / 20503 at the cap
   */
  public CompletableFuture<WebhookSnapshot> update(
      String serviceSid, String sid, WebhookChanges changes) {
    get(serviceSid, sid);
    return waiting.admit(
        () ->
            inTurn(
                () -> {
                  WebhookSnapshot.Builder b = WebhookSnapshot.newBuilder(get(serviceSid, sid));
                  changes.friendlyName().ifPresent(b::setFriendlyName);
                  if (!changes.eventTypes().isEmpty()) {
                    b.setEventTypes(changes.eventTypes());
                  }
                  changes.webhookUrl().ifPresent(b::setWebhookUrl);
                  changes.status().ifPresent(b::setStatus);
                  changes.version().ifPresent(b::setVersion);
                  return put(
                      b.setUpdatedAt(clock.instant().truncatedTo(ChronoUnit.MILLIS)).build());
                }));
  }

  /**
   * Deletes a webhook; completes once its tombstone is durable and applied here.
   *
   * @throws ApiError at once for an unknown service or webhook, or 503 / 20503 at the cap
   */
  public CompletableFuture<Void> delete(String serviceSid, String sid) {
    get(serviceSid, sid);
    return waiting.admit(
        () ->
            inTurn(
                () -> {
                  get(serviceSid, sid);
                  return tombstone(sid);
                }));
  }

  /**
   * Deletes every webhook of a service this instance knows (the service was deleted); completes
   * once their tombstones are durable. Part of the service's deletion, which holds its place under
   * the cap.
   */
  public CompletableFuture<Void> purge(String serviceSid) {
    return inTurn(
        () ->
            CompletableFuture.allOf(
                table.children(serviceSid).stream()
                    .map(w -> tombstone(w.getSid()))
                    .toArray(CompletableFuture[]::new)));
  }

  /**
   * Runs {@code write} once every update, deletion and purge started before it on this instance has
   * completed (or failed); its failure is the returned future's.
   */
  private synchronized <T> CompletableFuture<T> inTurn(Supplier<CompletableFuture<T>> write) {
    CompletableFuture<T> mine =
        last.handle((v, e) -> null).thenComposeAsync(v -> write.get(), turns);
    last = mine;
    return mine;
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

  /** Writes the snapshot; completes with it once durable and applied to the table. */
  private CompletableFuture<WebhookSnapshot> put(WebhookSnapshot w) {
    return log.writeWebhook(w.getSid(), w)
        .thenApply(
            offset -> {
              table.apply(w.getSid(), offset, w);
              return w;
            });
  }

  private CompletableFuture<Void> tombstone(String sid) {
    return log.writeWebhook(sid, null).thenAccept(offset -> table.apply(sid, offset, null));
  }
}
