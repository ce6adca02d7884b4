package io.lapse.service.domain;

import io.lapse.commands.v1.CreateService;
import io.lapse.commands.v1.DeleteService;
import io.lapse.commands.v1.UpdateService;
import io.lapse.state.v1.EntitySnapshot;
import io.lapse.state.v1.ServiceSnapshot;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.apache.avro.specific.SpecificRecord;

/**
 * Verify Services: create, read, list, update, delete (with its entities and factors). Reads come
 * from this instance's catalog; every write is a command decided by the service's single writer,
 * the task that owns the service SID's partition of {@code lapse-commands}, so a deleted service
 * never comes back (docs/decisions/0016-services-on-the-log.md). Writes return futures: no thread
 * waits for the decision (docs/decisions/0009-partitioned-reads.md).
 */
public final class Services {
  private final EntityWriter writer;
  private final Entities entities;
  private final String accountSid;
  private final Clock clock;
  private final Webhooks webhooks;

  public Services(
      EntityWriter writer, Entities entities, Webhooks webhooks, String accountSid, Clock clock) {
    this.writer = writer;
    this.entities = entities;
    this.webhooks = webhooks;
    this.accountSid = accountSid;
    this.clock = clock;
  }

  public CompletableFuture<ServiceSnapshot> create(ServiceChanges changes) {
    String name = changes.friendlyName().orElseThrow(() -> ApiError.missingParam("FriendlyName"));
    Instant now = clock.instant();
    ServiceSnapshot.Builder b =
        ServiceSnapshot.newBuilder()
            .setSid(Sids.random(Sids.SERVICE))
            .setAccountSid(accountSid)
            .setFriendlyName(name)
            .setCreatedAt(now)
            .setUpdatedAt(now);
    ServiceSnapshot proposed = ServiceSettings.apply(b.build(), changes.settings());
    String requestId = EntityWriter.newRequestId();
    CreateService command =
        CreateService.newBuilder()
            .setRequestId(requestId)
            .setIssuedAt(now)
            .setService(proposed)
            .build();
    return writer.admit(() -> decided(proposed.getSid(), requestId, command));
  }

  /** The decided service, once this instance shows it (bounded). */
  private CompletableFuture<ServiceSnapshot> decided(
      String sid, String requestId, SpecificRecord command) {
    return writer
        .decideService(sid, requestId, command)
        .thenCompose(
            reply ->
                writer.whenServiceShown(reply.getService()).thenApply(v -> reply.getService()));
  }

  public ServiceSnapshot get(String sid) {
    return Lookups.service(writer.catalog(), sid);
  }

  public Pager.Page<ServiceSnapshot> list(PageRequest request) {
    TreeMap<SortKey, ServiceSnapshot> sorted = new TreeMap<>();
    writer
        .catalog()
        .services()
        .children(accountSid)
        .forEach(s -> sorted.put(SortKey.of(s.getCreatedAt(), s.getSid()), s));
    return Pager.page(
        sorted.navigableKeySet(),
        false,
        k -> Optional.ofNullable(sorted.get(k)),
        s -> true,
        request);
  }

  public CompletableFuture<ServiceSnapshot> update(String sid, ServiceChanges changes) {
    ServiceSnapshot known = get(sid);
    String requestId = EntityWriter.newRequestId();
    UpdateService command =
        UpdateService.newBuilder()
            .setRequestId(requestId)
            .setIssuedAt(clock.instant())
            .setSid(sid)
            .setKnown(known)
            .build();
    ServiceSettings.put(command, changes.settings());
    return writer.admit(() -> decided(sid, requestId, command));
  }

  /**
   * Deletes the service. Its single writer decides; then every entity task purges the service's
   * entities and factors and refuses every later command of the service, so none outlives it (also
   * one created on another instance while the deletion is decided). The answer waits (bounded) for
   * this instance's catalog to show the service and the entities it knew gone.
   */
  public CompletableFuture<Void> delete(String sid) {
    ServiceSnapshot known = get(sid);
    List<EntitySnapshot> children = writer.catalog().entities().children(sid);
    String requestId = EntityWriter.newRequestId();
    DeleteService command =
        DeleteService.newBuilder()
            .setRequestId(requestId)
            .setIssuedAt(clock.instant())
            .setSid(sid)
            .setKnown(known)
            .build();
    return writer.admit(
        () ->
            writer
                .decideService(sid, requestId, command)
                .thenCompose(
                    reply ->
                        CompletableFuture.allOf(
                            writer.whenServiceGone(sid), entities.whenPurged(children)))
                // A deleted service's webhooks get no events any more (Webhooks.subscribers);
                // their rows go too, so the compacted topic and every instance's table forget
                // them.
                .thenCompose(v -> webhooks.purge(sid)));
  }
}
