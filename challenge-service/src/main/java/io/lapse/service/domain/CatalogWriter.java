package io.lapse.service.domain;

import io.lapse.state.v1.EntitySnapshot;
import io.lapse.state.v1.FactorSnapshot;
import io.lapse.state.v1.ServiceSnapshot;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Writes snapshots to the {@link SnapshotLog} and applies them to the {@link Catalog} once durable.
 * Check-then-write sequences (unique identity, factor limits) run under one lock: state writes are
 * rare next to challenge traffic, and one lock keeps them simple and correct on this instance.
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

  /** Runs a check-then-write sequence under the write lock. */
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

  public void putEntity(EntitySnapshot e) {
    catalog.entities().apply(e.getSid(), log.writeEntity(e.getSid(), e), e);
  }

  public void deleteEntity(String sid) {
    catalog.entities().apply(sid, log.writeEntity(sid, null), null);
  }

  public void putFactor(FactorSnapshot f) {
    catalog.factors().apply(f.getSid(), log.writeFactor(f.getSid(), f), f);
  }

  public void deleteFactor(String sid) {
    catalog.factors().apply(sid, log.writeFactor(sid, null), null);
  }
}
