package io.lapse.expiry;

import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * A task's count of pending challenges: the gauge the metrics read, and its copy in the task's meta
 * store, so the count survives a restart or a move of the task. The copy is written once per record
 * or tick, and only when the count changed: a create that expires at once nets to zero and writes
 * nothing.
 */
final class PendingCount {
  static final String KEY = "pending-count";

  private final KeyValueStore<String, Long> meta;
  private final AtomicLong gauge;
  private long persisted;

  PendingCount(KeyValueStore<String, Long> meta, AtomicLong gauge) {
    this.meta = meta;
    this.gauge = gauge;
    Long stored = meta.get(KEY);
    persisted = stored == null ? 0 : stored;
    gauge.set(persisted);
  }

  void add(int delta) {
    if (delta != 0) {
      gauge.addAndGet(delta);
    }
  }

  /** Writes the count to the meta store if it changed since the last write. */
  void persist() {
    long count = gauge.get();
    if (count != persisted) {
      meta.put(KEY, count);
      persisted = count;
    }
  }
}
