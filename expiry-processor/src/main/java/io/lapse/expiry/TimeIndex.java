package io.lapse.expiry;

import io.lapse.expiry.state.TimeIndexKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * One task's time index ({@code 8-byte big-endian millis ‖ challenge key → empty}) and the two
 * cursors that read it: the expiry cursor (entries whose time has come: deadlines, grace ends) and,
 * behind it, the purge cursor (entries whose retention has ended).
 *
 * <p>Each cursor is a key from which the next scan starts, so a scan never re-reads what it handled
 * and never seeks over the tombstones that purges leave at the head of the index (RocksDB skips
 * tombstones one by one during a seek; starting at zero after a hundred thousand deletes costs
 * milliseconds per seek). The cursor is a full key, not a time: thousands of entries can share one
 * millisecond, and a tick that stops in the middle of them must resume after the last one handled.
 * The cursors' times are persisted in the meta store as hints for the next start; an entry put
 * behind a cursor (a clock step back, an already-due challenge kept for its retention) pulls that
 * cursor back, so a cursor never passes an entry it still has to see.
 *
 * <p>Scans collect keys and close the iterator before the caller changes any store (KAFKA-15302).
 */
final class TimeIndex {
  static final String EXPIRY_CURSOR = "expiry-cursor";
  static final String PURGE_CURSOR = "purge-cursor";
  private static final byte[] EMPTY = new byte[0];
  // Greater than every key: times are clamped to non-negative, so keys start with 0x00..0x7F.
  private static final Bytes ABOVE_ALL = Bytes.wrap(new byte[] {(byte) 0x80});

  /** One entry of the index. */
  record Entry(long time, String challengeKey, Bytes key) {}

  /** Entries read by one scan, in index order; {@code exhausted} when the range had no more. */
  record Batch(List<Entry> entries, boolean exhausted, long upTo) {}

  private final KeyValueStore<Bytes, byte[]> store;
  private final KeyValueStore<String, Long> meta;
  private Bytes expiryCursor;
  private Bytes purgeCursor;
  private long persistedExpiry;
  private long persistedPurge;

  TimeIndex(KeyValueStore<Bytes, byte[]> store, KeyValueStore<String, Long> meta) {
    this.store = store;
    this.meta = meta;
    Long e = meta.get(EXPIRY_CURSOR);
    Long p = meta.get(PURGE_CURSOR);
    this.persistedExpiry = e == null ? 0 : e;
    this.persistedPurge = p == null ? 0 : p;
    this.expiryCursor = TimeIndexKey.lowerBound(persistedExpiry);
    this.purgeCursor = TimeIndexKey.lowerBound(persistedPurge);
  }

  /**
   * Adds an entry. {@code forExpiry} says whether the expiry scan must still see it (a pending or
   * awaiting challenge) or only the purge scan (a challenge settled on arrival).
   */
  void put(long time, String challengeKey, boolean forExpiry) {
    Bytes key = TimeIndexKey.of(time, challengeKey);
    store.put(key, EMPTY);
    if (forExpiry && key.compareTo(expiryCursor) < 0) {
      expiryCursor = TimeIndexKey.lowerBound(time);
      persistedExpiry = time;
      meta.put(EXPIRY_CURSOR, time);
    }
    if (key.compareTo(purgeCursor) < 0) {
      purgeCursor = TimeIndexKey.lowerBound(time);
      persistedPurge = time;
      meta.put(PURGE_CURSOR, time);
    }
  }

  void delete(Bytes key) {
    store.delete(key);
  }

  void delete(long time, String challengeKey) {
    store.delete(TimeIndexKey.of(time, challengeKey));
  }

  /** Entries from the expiry cursor up to and including {@code now}, at most {@code max}. */
  Batch dueForExpiry(long now, int max) {
    return scan(expiryCursor, now, max);
  }

  /** Entries from the purge cursor up to and including {@code upTo}, at most {@code max}. */
  Batch dueForPurge(long upTo, int max) {
    return scan(purgeCursor, upTo, max);
  }

  /** Moves the expiry cursor past the first {@code handled} entries of the batch. */
  void expiryHandled(Batch batch, int handled) {
    expiryCursor = advance(batch, handled, expiryCursor);
    long time = expiryCursorTime();
    // Persisted only when entries were handled: the stored time is a hint that only has to stay
    // behind every unhandled entry, and writing it on idle ticks would dirty the task (one
    // changelog record and a transaction per commit interval while nothing happens).
    if (handled > 0 && time != persistedExpiry) {
      persistedExpiry = time;
      meta.put(EXPIRY_CURSOR, time);
    }
  }

  /** Moves the purge cursor past the first {@code handled} entries of the batch. */
  void purgeHandled(Batch batch, int handled) {
    purgeCursor = advance(batch, handled, purgeCursor);
    long time = purgeCursorTime();
    if (handled > 0 && time != persistedPurge) {
      persistedPurge = time;
      meta.put(PURGE_CURSOR, time);
    }
  }

  /**
   * The time of the first entry the expiry scan has still to handle (at or after its cursor), or
   * {@link Long#MAX_VALUE} when there is none: the earliest instant a tick can have expiry work.
   * One seek, from the cursor, so it never walks the tombstones behind it.
   */
  long nextForExpiry() {
    return firstAt(expiryCursor);
  }

  /**
   * The time of the first entry the purge scan has still to handle, or {@link Long#MAX_VALUE}: the
   * next purge is due its retention after that.
   */
  long nextForPurge() {
    return firstAt(purgeCursor);
  }

  private long firstAt(Bytes from) {
    try (KeyValueIterator<Bytes, byte[]> it = store.range(from, ABOVE_ALL)) {
      return it.hasNext() ? TimeIndexKey.time(it.peekNextKey()) : Long.MAX_VALUE;
    }
  }

  /** The time the expiry scan has reached: every entry before it was handled. */
  long expiryCursorTime() {
    return TimeIndexKey.time(padded(expiryCursor));
  }

  long purgeCursorTime() {
    return TimeIndexKey.time(padded(purgeCursor));
  }

  private Batch scan(Bytes from, long upTo, int max) {
    if (TimeIndexKey.time(padded(from)) > upTo) {
      return new Batch(List.of(), true, upTo);
    }
    List<Entry> entries = new ArrayList<>(Math.min(max, 256));
    boolean exhausted;
    // The upper bound is the bare prefix of the next millisecond: it sorts after every key of
    // upTo and before every key of upTo + 1 (range bounds are inclusive).
    try (KeyValueIterator<Bytes, byte[]> it =
        store.range(from, TimeIndexKey.lowerBound(upTo + 1))) {
      while (entries.size() < max && it.hasNext()) {
        KeyValue<Bytes, byte[]> kv = it.next();
        long time = TimeIndexKey.time(kv.key);
        if (time > upTo) {
          break;
        }
        entries.add(new Entry(time, TimeIndexKey.challengeKey(kv.key), kv.key));
      }
      exhausted = entries.size() < max || !it.hasNext();
    }
    return new Batch(entries, exhausted, upTo);
  }

  private static Bytes advance(Batch batch, int handled, Bytes current) {
    List<Entry> entries = batch.entries();
    if (handled < entries.size()) {
      return handled == 0 ? current : entries.get(handled).key();
    }
    if (batch.exhausted()) {
      Bytes next = TimeIndexKey.lowerBound(batch.upTo() + 1);
      return next.compareTo(current) > 0 ? next : current;
    }
    // Stopped by the count cap: resume right after the last key handled (key ‖ 0x00 is the
    // smallest key greater than it), even in the middle of a millisecond.
    byte[] last = entries.get(entries.size() - 1).key().get();
    return Bytes.wrap(Arrays.copyOf(last, last.length + 1));
  }

  private static Bytes padded(Bytes key) {
    return key.get().length >= Long.BYTES ? key : Bytes.wrap(Arrays.copyOf(key.get(), Long.BYTES));
  }
}
