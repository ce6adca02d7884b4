package io.lapse.service.domain;

import io.lapse.state.v1.ServiceSnapshot;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Writes service snapshots to the {@link SnapshotLog} and applies them to the {@link Catalog} once
 * durable. A service's read-modify-write (an update) runs under one lock: service writes are rare,
 * and a service's SID is minted here, so no two instances create the same one. Entities and factors
 * are not written here: their single writer is the entity task ({@link EntityWriter}).
 */
public final class CatalogWriter {
  private final Catalog catalog;
  private final SnapshotLog log;
  private final ReentrantLock lock = new ReentrantLock();

  public CatalogWriter(Catalog catalog, SnapshotLog log) {
    this.catalog = catalog;
    this.log = log;
  }

  public Catalog catalog() {
    return catalog;
  }

  /** Runs a read-modify-write of a service under the write lock. */
  public <T> T atomically(Supplier<T> work) {
    lock.lock();
    try {
      return work.get();
    } finally {
      lock.unlock();
    }
  }

  public void putService(ServiceSnapshot s) {
    catalog.services().apply(s.getSid(), log.writeService(s.getSid(), s), s);
  }

  public void deleteService(String sid) {
    catalog.services().apply(sid, log.writeService(sid, null), null);
  }
}
