package io.lapse.service.domain;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The latest snapshot per key of one compacted state topic, with a parent index (e.g. entities of a
 * service) and an optional unique index (e.g. service + identity).
 *
 * <p>Each row remembers the log offset it came from and a write with a lower offset is ignored: a
 * key always lives in one partition, so its offsets only grow, and a local write applied on its
 * acknowledgement is never rolled back by the follower that replays the same partition behind it.
 * Deletions are kept as offset-stamped tombstones for the same reason.
 *
 * @param <V> the snapshot type
 */
public final class SnapshotTable<V> {
  private record Row<V>(long offset, V value) {}

  private final Map<String, Row<V>> rows = new ConcurrentHashMap<>();
  private final Map<String, Set<String>> byParent = new ConcurrentHashMap<>();
  private final Map<String, String> byUnique = new ConcurrentHashMap<>();
  private final Function<V, String> parentOf;
  private final Function<V, String> uniqueOf;

  /**
   * @param parentOf the parent key of a snapshot (never null)
   * @param uniqueOf the unique key of a snapshot (null for a snapshot without one), or null for a
   *     table without unique keys
   */
  public SnapshotTable(Function<V, String> parentOf, Function<V, String> uniqueOf) {
    this.parentOf = parentOf;
    this.uniqueOf = uniqueOf;
  }

  /** Applies a snapshot, or a tombstone when {@code value} is null, read at {@code offset}. */
  public synchronized void apply(String key, long offset, V value) {
    Row<V> old = rows.get(key);
    if (old != null && old.offset() > offset) {
      return;
    }
    if (old != null && old.value() != null) {
      unindex(key, old.value());
    }
    rows.put(key, new Row<>(offset, value));
    if (value != null) {
      byParent.computeIfAbsent(parentOf.apply(value), k -> ConcurrentHashMap.newKeySet()).add(key);
      String unique = uniqueOf == null ? null : uniqueOf.apply(value);
      if (unique != null) {
        byUnique.put(unique, key);
      }
    }
    // Wakes the requests waiting to see their own write (awaitRow); writes are rare.
    notifyAll();
  }

  /**
   * Waits until the row of {@code key} (empty if absent or deleted) satisfies {@code shown}, or
   * until {@code deadlineNanos} ({@link System#nanoTime()}) passes.
   *
   * @return whether the row satisfies it
   */
  public synchronized boolean awaitRow(String key, Predicate<Optional<V>> shown, long deadlineNanos)
      throws InterruptedException {
    while (!shown.test(get(key))) {
      long left = deadlineNanos - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    return true;
  }

  private void unindex(String key, V value) {
    Set<String> siblings = byParent.get(parentOf.apply(value));
    if (siblings != null) {
      siblings.remove(key);
      if (siblings.isEmpty()) {
        byParent.remove(parentOf.apply(value));
      }
    }
    String unique = uniqueOf == null ? null : uniqueOf.apply(value);
    if (unique != null) {
      byUnique.remove(unique, key);
    }
  }

  public Optional<V> get(String key) {
    Row<V> row = rows.get(key);
    return row == null ? Optional.empty() : Optional.ofNullable(row.value());
  }

  public Optional<V> byUniqueKey(String uniqueKey) {
    String key = byUnique.get(uniqueKey);
    return key == null ? Optional.empty() : get(key);
  }

  /** The live snapshots under a parent key, in no particular order. */
  public List<V> children(String parentKey) {
    Set<String> keys = byParent.get(parentKey);
    List<V> out = new ArrayList<>();
    if (keys != null) {
      for (String k : keys) {
        get(k).ifPresent(out::add);
      }
    }
    return out;
  }

  /** Every live snapshot, in no particular order. */
  public List<V> all() {
    List<V> out = new ArrayList<>();
    for (Row<V> row : rows.values()) {
      if (row.value() != null) {
        out.add(row.value());
      }
    }
    return out;
  }

  /** Number of live rows. */
  public long size() {
    return rows.values().stream().filter(r -> r.value() != null).count();
  }
}
