package io.lapse.service.domain;

import io.lapse.state.v1.EntitySnapshot;
import io.lapse.state.v1.FactorSnapshot;
import io.lapse.state.v1.ServiceSnapshot;

/**
 * Services, entities and factors as this instance knows them: the latest snapshot of each, rebuilt
 * from the compacted state topics at start and kept current by the follower and by local writes.
 */
public final class Catalog {
  private final SnapshotTable<ServiceSnapshot> services =
      new SnapshotTable<>(ServiceSnapshot::getAccountSid, null);
  private final SnapshotTable<EntitySnapshot> entities =
      new SnapshotTable<>(
          EntitySnapshot::getServiceSid, e -> identityKey(e.getServiceSid(), e.getIdentity()));
  private final SnapshotTable<FactorSnapshot> factors =
      new SnapshotTable<>(FactorSnapshot::getEntitySid, FactorSnapshot::getCredentialSid);

  /** Services, by SID; parent: the account. */
  public SnapshotTable<ServiceSnapshot> services() {
    return services;
  }

  /** Entities, by SID; parent: the service; unique: service + identity. */
  public SnapshotTable<EntitySnapshot> entities() {
    return entities;
  }

  /** Factors, by SID; parent: the entity; unique: the push credential SID (device JWT kid). */
  public SnapshotTable<FactorSnapshot> factors() {
    return factors;
  }

  /** The unique key of an entity within its service. */
  public static String identityKey(String serviceSid, String identity) {
    return serviceSid + "/" + identity;
  }
}
