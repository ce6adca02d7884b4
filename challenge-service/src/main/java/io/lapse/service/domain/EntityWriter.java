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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import org.apache.avro.specific.SpecificRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The edge's side of the entity tasks, which decide every write of an entity or a factor: it sends
 * a command through the {@link CommandBus}, waits (bounded) for the decision, turns a refusal into
 * the API's error, and, once a change is accepted, waits (bounded by the same timeout) until this
 * instance's {@link Catalog} shows it, so a read on this instance right after the answer sees it.
 * The task wrote the snapshots in the reply's transaction; the catalog learns them from the
 * snapshot topics. If that wait runs out, the decided result is answered all the same.
 */
public final class EntityWriter {
  private static final Logger LOG = LoggerFactory.getLogger(EntityWriter.class);

  private final Catalog catalog;
  private final CommandBus bus;
  private final Duration timeout;

  public EntityWriter(Catalog catalog, CommandBus bus, Duration timeout) {
    this.catalog = catalog;
    this.bus = bus;
    this.timeout = timeout;
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
   * Sends a service command, keyed by the service SID, to the service's single writer and waits for
   * its decision (docs/decisions/0016-services-on-the-log.md).
   */
  CommandReply decideService(String serviceSid, String requestId, SpecificRecord command) {
    return accepted(bus.send(serviceSid, requestId, command, timeout));
  }

  /** Waits until this instance's catalog has this version of the service, or a later one. */
  void awaitService(ServiceSnapshot service) {
    await(
        catalog.services(),
        service.getSid(),
        row ->
            row.isPresent()
                && (row.get().equals(service)
                    || row.get().getUpdatedAt().isAfter(service.getUpdatedAt())),
        "service " + service.getSid());
  }

  /** Waits until this instance's catalog no longer has the service. */
  void awaitServiceGone(String sid) {
    await(catalog.services(), sid, Optional::isEmpty, "deletion of service " + sid);
  }

  /** Sends the command for the entity {@code serviceSid}/{@code identity}. */
  CompletableFuture<CommandReply> send(
      String serviceSid, String identity, String requestId, SpecificRecord command) {
    return bus.send(EntityState.entityKey(serviceSid, identity), requestId, command, timeout);
  }

  /**
   * Sends the command and waits for its decision.
   *
   * @return the reply of an accepted command
   * @throws ApiError the refusal, or "service unavailable" if no decision arrived in time (the
   *     command may still be decided; a retry is a new command)
   */
  CommandReply decide(
      String serviceSid, String identity, String requestId, SpecificRecord command) {
    return accepted(send(serviceSid, identity, requestId, command));
  }

  /** The reply of an accepted command, or the refusal as the API's error. */
  CommandReply accepted(CompletableFuture<CommandReply> pending) {
    return Futures.join(whenAccepted(pending));
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

  /** Waits until this instance's catalog has the entity. */
  void awaitEntity(EntitySnapshot entity) {
    await(catalog.entities(), entity.getSid(), row -> row.isPresent(), "entity " + entity.getSid());
  }

  /** Waits until this instance's catalog has this version of the factor, or a later one. */
  void awaitFactor(FactorSnapshot factor) {
    await(
        catalog.factors(),
        factor.getSid(),
        row ->
            row.isPresent()
                && (row.get().equals(factor)
                    || row.get().getUpdatedAt().isAfter(factor.getUpdatedAt())),
        "factor " + factor.getSid());
  }

  /** Waits until this instance's catalog no longer has the entity. */
  void awaitEntityGone(String sid) {
    await(catalog.entities(), sid, Optional::isEmpty, "deletion of entity " + sid);
  }

  /** Waits until this instance's catalog no longer has the factor. */
  void awaitFactorGone(String sid) {
    await(catalog.factors(), sid, Optional::isEmpty, "deletion of factor " + sid);
  }

  private <V> void await(
      SnapshotTable<V> table, String key, Predicate<Optional<V>> shown, String what) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeout.toMillis());
    try {
      if (!table.awaitRow(key, shown, deadline)) {
        LOG.warn(
            "The catalog did not show the {} within {}; answering the decision", what, timeout);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
