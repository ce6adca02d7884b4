package io.lapse.service.domain;

import io.lapse.state.v1.ServiceSnapshot;

/**
 * Where service snapshots are written (the compacted {@code lapse-services} topic in production).
 * Each call returns once the write is durable, with the offset it got, so the caller can apply it
 * to the {@link Catalog} (read-your-writes on this instance). A null value writes a tombstone.
 * Entity and factor snapshots have one writer, the entity task (docs/decisions/0008).
 */
public interface SnapshotLog {
  long writeService(String sid, ServiceSnapshot snapshot);
}
