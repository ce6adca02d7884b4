package io.lapse.service.domain;

import io.lapse.commands.v1.CommandReply;
import io.lapse.commands.v1.CreateEntity;
import io.lapse.commands.v1.DeleteEntity;
import io.lapse.state.v1.EntitySnapshot;
import io.lapse.state.v1.FactorSnapshot;
import io.lapse.state.v1.ServiceSnapshot;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;

/**
 * Entities (a user of a service, by identity): create, read, list, delete (with its factors). Reads
 * come from this instance's catalog; creates and deletes are decided by the entity's single writer
 * (identity uniqueness, 60301), through the {@link EntityWriter}.
 */
public final class Entities {
  /** "between 8 and 64 characters … dash (-) separated alphanumeric characters". */
  private static final Pattern IDENTITY = Pattern.compile("^[A-Za-z0-9]+(-[A-Za-z0-9]+)*$");

  private final EntityWriter writer;
  private final Clock clock;

  public Entities(EntityWriter writer, Clock clock) {
    this.writer = writer;
    this.clock = clock;
  }

  /** Checks an identity given in a create request ("invalid request" if malformed). */
  public static void checkIdentity(String identity) {
    if (identity == null
        || identity.length() < 8
        || identity.length() > 64
        || !IDENTITY.matcher(identity).matches()) {
      throw ApiError.invalidRequest(
          "Identity must be 8 to 64 dash-separated alphanumeric characters");
    }
  }

  /**
   * Creates the entity; completes once the entity task accepted it and this instance shows it (or
   * the wait for that ran out), without a thread waiting.
   *
   * @throws ApiError a refusal decided here at once (bad identity, unknown service, too many
   *     waiting)
   */
  public CompletableFuture<EntitySnapshot> create(String serviceSid, String identity) {
    if (identity == null || identity.isEmpty()) {
      throw ApiError.missingParam("Identity");
    }
    checkIdentity(identity);
    ServiceSnapshot service = Lookups.service(writer.catalog(), serviceSid);
    // A pre-check that saves a round trip; the entity task decides.
    if (writer
        .catalog()
        .entities()
        .byUniqueKey(Catalog.identityKey(serviceSid, identity))
        .isPresent()) {
      throw ApiError.entityExists();
    }
    String requestId = EntityWriter.newRequestId();
    CreateEntity command =
        CreateEntity.newBuilder()
            .setRequestId(requestId)
            .setIssuedAt(clock.instant())
            .setAccountSid(service.getAccountSid())
            .setServiceSid(serviceSid)
            .setIdentity(identity)
            .setEntitySid(Sids.random(Sids.ENTITY))
            .build();
    return writer
        .admit(
            () ->
                writer
                    .decide(serviceSid, identity, requestId, command)
                    .thenCompose(
                        reply -> writer.whenEntityShown(reply.getEntity()).thenApply(v -> reply)))
        .thenApply(CommandReply::getEntity);
  }

  public EntitySnapshot get(String serviceSid, String identity) {
    return Lookups.entity(writer.catalog(), serviceSid, identity);
  }

  public Pager.Page<EntitySnapshot> list(String serviceSid, PageRequest request) {
    Lookups.service(writer.catalog(), serviceSid);
    TreeMap<SortKey, EntitySnapshot> sorted = new TreeMap<>();
    writer
        .catalog()
        .entities()
        .children(serviceSid)
        .forEach(e -> sorted.put(SortKey.of(e.getCreatedAt(), e.getSid()), e));
    return Pager.page(
        sorted.navigableKeySet(),
        false,
        k -> Optional.ofNullable(sorted.get(k)),
        e -> true,
        request);
  }

  /** Deletes the entity and its factors; completes once decided and shown gone here. */
  public CompletableFuture<Void> delete(String serviceSid, String identity) {
    EntitySnapshot entity = get(serviceSid, identity);
    List<FactorSnapshot> factors = writer.catalog().factors().children(entity.getSid());
    return writer.admit(
        () -> writer.whenAccepted(sendDelete(entity)).thenCompose(r -> whenGone(entity, factors)));
  }

  /**
   * Completes once this instance's catalog no longer shows the deleted service's entities it knew
   * (bounded), which the entity tasks purge on their own after the service's deletion.
   */
  CompletableFuture<Void> whenPurged(List<EntitySnapshot> entities) {
    return CompletableFuture.allOf(
        entities.stream()
            .map(e -> whenGone(e, writer.catalog().factors().children(e.getSid())))
            .toArray(CompletableFuture[]::new));
  }

  private CompletableFuture<CommandReply> sendDelete(EntitySnapshot entity) {
    String requestId = EntityWriter.newRequestId();
    DeleteEntity command =
        DeleteEntity.newBuilder()
            .setRequestId(requestId)
            .setIssuedAt(clock.instant())
            .setServiceSid(entity.getServiceSid())
            .setIdentity(entity.getIdentity())
            .build();
    return writer.send(entity.getServiceSid(), entity.getIdentity(), requestId, command);
  }

  private CompletableFuture<Void> whenGone(EntitySnapshot entity, List<FactorSnapshot> factors) {
    List<CompletableFuture<Void>> gone = new ArrayList<>();
    factors.forEach(f -> gone.add(writer.whenFactorGone(f.getSid())));
    gone.add(writer.whenEntityGone(entity.getSid()));
    return CompletableFuture.allOf(gone.toArray(CompletableFuture[]::new));
  }
}
