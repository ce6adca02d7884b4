package io.lapse.service.domain;

import io.lapse.commands.v1.CommandReply;
import io.lapse.commands.v1.CommandStatus;
import io.lapse.contract.TwilioError;
import io.lapse.service.decision.EntityState;
import io.lapse.state.v1.EntitySnapshot;
import io.lapse.state.v1.FactorSnapshot;
import io.lapse.state.v1.ServiceSnapshot;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.apache.avro.specific.SpecificRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The edge's side of the entity tasks, which decide every write of an entity or a factor: it sends
 * a command through the {@link CommandBus}, has its decision (bounded) come back as a future, turns
 * a refusal into the API's error, and, once a change is accepted, has the answer wait (bounded by
 * the same timeout) until this instance's {@link Catalog} shows it, so a read on this instance
 * right after the answer sees it. The task wrote the snapshots in the reply's transaction; the
 * catalog learns them from the snapshot topics. If that wait runs out, the decided result is
 * answered all the same.
 *
 * <p>No thread waits for any of it (docs/decisions/0009-partitioned-reads.md): every wait is a
 * future completed by the follower that reads the reply or the snapshot, or at its timeout, so what
 * is chained onto one must not block. A write takes a place under the instance's cap on waiting
 * requests ({@link #admit}) before its command is produced.
 */
public final class EntityWriter {
  private static final Logger LOG = LoggerFactory.getLogger(EntityWriter.class);

  private final Catalog catalog;
  private final CommandBus bus;
  private final Duration timeout;
  private final WaitingLimit waiting;

  /**
   * @param waiting the places of writes waiting for their decision and then for the catalog
   */
  public EntityWriter(Catalog catalog, CommandBus bus, Duration timeout, WaitingLimit waiting) {
    this.catalog = catalog;
    this.bus = bus;
    this.timeout = timeout;
    this.waiting = waiting;
  }

  public Catalog catalog() {
    return catalog;
  }

  /** How long a command's decision, and then this instance's view of it, is waited for. */
  Duration timeout() {
    return timeout;
  }

  /** A fresh request id: every HTTP request's command is a new one. */
  static String newRequestId() {
    return Sids.random("RQ");
  }

  /**
   * Starts a write if a place under the cap is free, and keeps the place until the write's answer
   * is ready (decided, and shown here or timed out).
   *
   * @throws ApiError 503 / 20503 with {@code Retry-After} at the cap; {@code write} is then not
   *     started, so nothing is produced
   */
  <T> CompletableFuture<T> admit(Supplier<CompletableFuture<T>> write) {
    return waiting.admit(write);
  }

  /**
   * Sends a service command, keyed by the service SID, to the service's single writer; completes
   * with its accepted reply (docs/decisions/0016-services-on-the-log.md), or fails as {@link
   * #whenAccepted}.
   */
  CompletableFuture<CommandReply> decideService(
      String serviceSid, String requestId, SpecificRecord command) {
    return whenAccepted(bus.send(serviceSid, requestId, command, timeout));
  }

  /** Completes once this instance's catalog has this version of the service, or a later one. */
  CompletableFuture<Void> whenServiceShown(ServiceSnapshot service) {
    return shown(
        catalog.services(),
        service.getSid(),
        row ->
            row.isPresent()
                && (row.get().equals(service)
                    || row.get().getUpdatedAt().isAfter(service.getUpdatedAt())),
        "service " + service.getSid());
  }

  /** Completes once this instance's catalog no longer has the service. */
  CompletableFuture<Void> whenServiceGone(String sid) {
    return shown(catalog.services(), sid, Optional::isEmpty, "deletion of service " + sid);
  }

  /** Sends the command for the entity {@code serviceSid}/{@code identity}. */
  CompletableFuture<CommandReply> send(
      String serviceSid, String identity, String requestId, SpecificRecord command) {
    return bus.send(EntityState.entityKey(serviceSid, identity), requestId, command, timeout);
  }

  /**
   * Sends the command; completes with the reply of an accepted command, or fails with the refusal,
   * or with "service unavailable" if no decision arrived in time (the command may still be decided;
   * a retry is a new command).
   */
  CompletableFuture<CommandReply> decide(
      String serviceSid, String identity, String requestId, SpecificRecord command) {
    return whenAccepted(send(serviceSid, identity, requestId, command));
  }

  /**
   * The reply of an accepted command, once it arrives, without waiting for it; fails with the
   * refusal as the API's error, or "service unavailable" if no decision arrived in time.
   */
  CompletableFuture<CommandReply> whenAccepted(CompletableFuture<CommandReply> pending) {
    return pending.handle(
        (reply, error) -> {
          if (error != null) {
            Throwable cause = Futures.cause(error);
            if (cause instanceof TimeoutException) {
              throw ApiError.notDecidedInTime();
            }
            throw Futures.rethrow(cause);
          }
          if (reply.getStatus() == CommandStatus.REJECTED) {
            throw refusal(reply);
          }
          return reply;
        });
  }

  /** The API's error for a refused command. */
  static ApiError refusal(CommandReply reply) {
    TwilioError error = TwilioError.ofCode(reply.getCode());
    return reply.getReason() == null ? new ApiError(error) : new ApiError(error, reply.getReason());
  }

  /** Completes once this instance's catalog has the entity. */
  CompletableFuture<Void> whenEntityShown(EntitySnapshot entity) {
    return shown(
        catalog.entities(), entity.getSid(), Optional::isPresent, "entity " + entity.getSid());
  }

  /** Completes once this instance's catalog has this version of the factor, or a later one. */
  CompletableFuture<Void> whenFactorShown(FactorSnapshot factor) {
    return shown(
        catalog.factors(),
        factor.getSid(),
        row ->
            row.isPresent()
                && (row.get().equals(factor)
                    || row.get().getUpdatedAt().isAfter(factor.getUpdatedAt())),
        "factor " + factor.getSid());
  }

  /** Completes once this instance's catalog no longer has the entity. */
  CompletableFuture<Void> whenEntityGone(String sid) {
    return shown(catalog.entities(), sid, Optional::isEmpty, "deletion of entity " + sid);
  }

  /** Completes once this instance's catalog no longer has the factor. */
  CompletableFuture<Void> whenFactorGone(String sid) {
    return shown(catalog.factors(), sid, Optional::isEmpty, "deletion of factor " + sid);
  }

  /** Completes when the row shows the write, or after the timeout with a warning: never fails. */
  private <V> CompletableFuture<Void> shown(
      SnapshotTable<V> table, String key, Predicate<Optional<V>> shown, String what) {
    return table
        .whenRow(key, shown, timeout)
        .thenAccept(
            inTime -> {
              if (!inTime) {
                LOG.warn(
                    "The catalog did not show the {} within {}; answering the decision",
                    what,
                    timeout);
              }
            });
  }
}
