package io.lapse.service.decision;

import io.lapse.commands.v1.CommandReply;
import io.lapse.commands.v1.CreateService;
import io.lapse.commands.v1.DeleteService;
import io.lapse.commands.v1.PurgeService;
import io.lapse.commands.v1.ServiceRecord;
import io.lapse.commands.v1.UpdateService;
import io.lapse.service.domain.ApiError;
import io.lapse.service.domain.ServiceSettings;
import io.lapse.state.v1.ServiceSnapshot;
import java.time.Instant;
import org.apache.avro.specific.SpecificRecord;

/**
 * The rules of one service, decided once by the task that owns the service SID's partition of
 * {@code lapse-commands}: a pure function of the service's record, the command and the command's
 * record time (docs/decisions/0016-services-on-the-log.md).
 *
 * <ul>
 *   <li>{@link CreateService}: a SID is used once; a deleted service's SID stays used.
 *   <li>{@link UpdateService}: an update never creates (20404 once deleted: delete beats update).
 *   <li>{@link DeleteService}: 20404 if absent; else the tombstone, and a purge of the service's
 *       entities by every entity task.
 *   <li>{@link PurgeService}: on any partition, the service is remembered as deleted, so every
 *       later command of it is refused there ({@link EntityDecider}).
 * </ul>
 */
public final class ServiceDecider {

  /** Whether a command is decided here rather than by {@link EntityDecider}. */
  public static boolean decides(SpecificRecord command) {
    return command instanceof CreateService
        || command instanceof UpdateService
        || command instanceof DeleteService
        || command instanceof PurgeService;
  }

  /** Decides {@code command} for the service whose record is {@code current} (null if none). */
  public ServiceDecision decide(ServiceRecord current, SpecificRecord command, long time) {
    if (command instanceof CreateService c) {
      return create(current, c, time);
    }
    if (command instanceof UpdateService c) {
      return update(current, c, time);
    }
    if (command instanceof DeleteService c) {
      return delete(current, c, time);
    }
    if (command instanceof PurgeService) {
      if (current != null && current.getDeletedAt() != null) {
        return new ServiceDecision("service-purged", null, false, null, false, null);
      }
      return new ServiceDecision(
          "service-purged", new ServiceRecord(null, time), false, null, false, null);
    }
    throw new IllegalArgumentException(
        "not a service command: " + command.getSchema().getFullName());
  }

  private ServiceDecision create(ServiceRecord current, CreateService c, long time) {
    ServiceSnapshot proposed = c.getService();
    if (current != null) {
      // A SID is minted at random by the edge, so this is a replay of a create already decided,
      // or of one whose service was deleted since: never brought back.
      ApiError refusal =
          current.getService() == null
              ? ApiError.notFound(path(proposed.getSid()))
              : ApiError.invalidRequest("Service " + proposed.getSid() + " already exists");
      return ServiceDecision.refused(
          "rejected-" + refusal.code(), EntityDecider.rejected(c.getRequestId(), refusal));
    }
    Instant at = Instant.ofEpochMilli(time);
    ServiceSnapshot service =
        ServiceSnapshot.newBuilder(proposed).setCreatedAt(at).setUpdatedAt(at).build();
    return new ServiceDecision(
        "service-created",
        new ServiceRecord(service, null),
        true,
        service,
        false,
        EntityDecider.accepted(c.getRequestId(), service.getSid()).setService(service).build());
  }

  /**
   * The record a command finds: the stored one, or, when the task never had one, the service as the
   * edge knows it (written before services were decided here); a remembered deletion stays.
   */
  private static ServiceRecord orKnown(ServiceRecord current, ServiceSnapshot known) {
    return current == null && known != null ? new ServiceRecord(known, null) : current;
  }

  private ServiceDecision update(ServiceRecord stored, UpdateService c, long time) {
    ServiceRecord current = orKnown(stored, c.getKnown());
    if (current == null || current.getService() == null) {
      return notFound(c.getRequestId(), c.getSid());
    }
    ServiceSnapshot service = ServiceSettings.apply(current.getService(), ServiceSettings.of(c));
    service.setUpdatedAt(Instant.ofEpochMilli(time));
    return new ServiceDecision(
        "service-updated",
        new ServiceRecord(service, null),
        true,
        service,
        false,
        EntityDecider.accepted(c.getRequestId(), service.getSid()).setService(service).build());
  }

  private ServiceDecision delete(ServiceRecord stored, DeleteService c, long time) {
    ServiceRecord current = orKnown(stored, c.getKnown());
    if (current == null || current.getService() == null) {
      return notFound(c.getRequestId(), c.getSid());
    }
    // The record stays, marked deleted: a later update or a replayed create finds it gone.
    return new ServiceDecision(
        "service-deleted",
        new ServiceRecord(null, time),
        true,
        null,
        true,
        EntityDecider.accepted(c.getRequestId(), c.getSid()).build());
  }

  private static ServiceDecision notFound(String requestId, String sid) {
    CommandReply reply = EntityDecider.rejected(requestId, ApiError.notFound(path(sid)));
    return ServiceDecision.refused("rejected-20404", reply);
  }

  static String path(String serviceSid) {
    return "/Services/" + serviceSid;
  }
}
