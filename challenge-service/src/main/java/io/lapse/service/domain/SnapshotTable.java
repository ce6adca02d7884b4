package io.lapse.service.domain;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
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

  /** A request waiting until its key's row satisfies {@code shown} ({@link #whenRow}). */
  private record Waiter<V>(Predicate<Optional<V>> shown, CompletableFuture<Boolean> seen) {}

  private final Map<String, Row<V>> rows = new ConcurrentHashMap<>();
  private final Map<String, Set<String>> byParent = new ConcurrentHashMap<>();
  private final Map<String, String> byUnique = new ConcurrentHashMap<>();
  private final Function<V, String> parentOf;
  private final Function<V, String> uniqueOf;

  /** Guarded by {@code this}, like every change of a row. */
  private final Map<String, List<Waiter<V>>> waiters = new HashMap<>();

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
  public void apply(String key, long offset, V value) {
    List<Waiter<V>> seen;
    synchronized (this) {
      if (!put(key, offset, value)) {
        return;
      }
      seen = due(key);
    }
    // Outside the lock: a waiter's next step may wait on another table.
    seen.forEach(w -> w.seen().complete(true));
  }

  /** Stores the row unless an older offset; whether it did. */
  private boolean put(String key, long offset, V value) {
    Row<V> old = rows.get(key);
    if (old != null && old.offset() > offset) {
      return false;
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
    return true;
  }

  /** Removes and returns the waiters of {@code key} its row now satisfies. */
  private List<Waiter<V>> due(String key) {
    List<Waiter<V>> waiting = waiters.get(key);
    if (waiting == null) {
      return List.of();
    }
    Optional<V> row = get(key);
    List<Waiter<V>> seen = new ArrayList<>();
    waiting.removeIf(
        w -> {
          if (w.shown().test(row)) {
            seen.add(w);
            return true;
          }
          return false;
        });
    if (waiting.isEmpty()) {
      waiters.remove(key);
    }
    return seen;
  }

  /**
   * Completes when the row of {@code key} (empty if absent or deleted) satisfies {@code shown}:
   * with true then, or with false once {@code timeout} has passed. No thread waits meanwhile: the
   * apply that satisfies it completes it, outside this table's lock, or the JDK's delayer at the
   * timeout, so what depends on it must not block.
   */
  public CompletableFuture<Boolean> whenRow(
      String key, Predicate<Optional<V>> shown, Duration timeout) {
    Waiter<V> w = new Waiter<>(shown, new CompletableFuture<>());
    synchronized (this) {
      if (shown.test(get(key))) {
        return CompletableFuture.completedFuture(true);
      }
      waiters.computeIfAbsent(key, k -> new ArrayList<>()).add(w);
    }
    return w.seen()
        .completeOnTimeout(false, timeout.toNanos(), TimeUnit.NANOSECONDS)
        .whenComplete((shownInTime, error) -> forget(key, w));
  }

  private synchronized void forget(String key, Waiter<V> w) {
    List<Waiter<V>> waiting = waiters.get(key);
    if (waiting != null && waiting.remove(w) && waiting.isEmpty()) {
      waiters.remove(key);
    }
  }

  /** Requests waiting for a row now ({@link #whenRow}). */
  synchronized int waiters() {
    return waiters.values().stream().mapToInt(List::size).sum();
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
