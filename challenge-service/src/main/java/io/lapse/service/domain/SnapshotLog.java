package io.lapse.service.domain;

import io.lapse.state.v1.EntitySnapshot;
import io.lapse.state.v1.FactorSnapshot;
import io.lapse.state.v1.ServiceSnapshot;

/**
 * Where state snapshots are written (the compacted topics in production). Each call returns once
 * the write is durable, with the offset it got, so the caller can apply it to the {@link Catalog}
 * (read-your-writes on this instance). A null value writes a tombstone.
 */
public interface SnapshotLog {
  long writeService(String sid, ServiceSnapshot snapshot);

  long writeEntity(String sid, EntitySnapshot snapshot);

  long writeFactor(String sid, FactorSnapshot snapshot);
}
