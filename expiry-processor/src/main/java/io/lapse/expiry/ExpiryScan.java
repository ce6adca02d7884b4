package io.lapse.expiry;

import io.lapse.expiry.state.ArbiterRecord;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The work of one tick over a task's time index: first the expiry scan, from the expiry cursor up
 * to now, handing each due challenge's record to the arbiter; then, with what is left of the
 * budget, the purge of settled challenges whose retention ended, behind the expiry cursor. Bounded
 * by the tick's time budget and count; what is left resumes on the next tick. Each scan collects
 * its entries before anything is changed ({@link TimeIndex}).
 */
final class ExpiryScan {
  private static final Logger LOG = LoggerFactory.getLogger(ExpiryScan.class);

  /** Receives the record of a challenge whose index entry is due. */
  @FunctionalInterface
  interface DueHandler {
    void due(String key, ArbiterRecord record);
  }

  private final TimeIndex index;
  private final KeyValueStore<String, ArbiterRecord> challenges;
  private final int maxCount;
  private final long retentionMs;

  ExpiryScan(
      TimeIndex index, KeyValueStore<String, ArbiterRecord> challenges, ExpirySettings settings) {
    this.index = index;
    this.challenges = challenges;
    this.maxCount = settings.tickMaxCount();
    this.retentionMs = settings.terminalRetention().toMillis();
  }

  /**
   * When the entry at {@code time} makes a tick due: at {@code time} for an entry the expiry scan
   * must see, its retention later for one only the purge will.
   */
  long dueOf(long time, boolean forExpiry) {
    return forExpiry ? time : WakeUpScheduler.saturatedAdd(time, retentionMs);
  }

  /**
   * The earliest instant this task has work: the first index entry the expiry scan has not handled
   * (a deadline or the end of a parked attempt's grace) or the end of the retention of the first
   * entry the purge has not; {@link Long#MAX_VALUE} when the index is empty.
   */
  long nextDue() {
    return Math.min(index.nextForExpiry(), dueOf(index.nextForPurge(), false));
  }

  /** Runs one tick's scans at {@code now} until {@code budgetEndNanos}; returns entries handled. */
  int run(long now, long budgetEndNanos, DueHandler handler) {
    TimeIndex.Batch due = index.dueForExpiry(now, maxCount);
    int i = 0;
    for (; i < due.entries().size(); i++) {
      if (overBudget(i, budgetEndNanos)) {
        break;
      }
      expire(due.entries().get(i), handler);
    }
    index.expiryHandled(due, i);
    int handled = i;

    boolean expiryDone = i == due.entries().size() && due.exhausted();
    if (expiryDone && handled < maxCount && System.nanoTime() < budgetEndNanos) {
      // Only entries the expiry scan has passed are purged, so the purge never touches a
      // challenge that still waits for its deadline.
      long upTo = Math.min(now - retentionMs, index.expiryCursorTime() - 1);
      TimeIndex.Batch old = index.dueForPurge(upTo, maxCount - handled);
      int j = 0;
      for (; j < old.entries().size(); j++) {
        if (overBudget(j, budgetEndNanos)) {
          break;
        }
        purge(old.entries().get(j));
      }
      index.purgeHandled(old, j);
      handled += j;
    }
    return handled;
  }

  /** Reads the clock every 32 entries only: a tick handles up to thousands. */
  private static boolean overBudget(int i, long budgetEndNanos) {
    return (i & 31) == 31 && System.nanoTime() > budgetEndNanos;
  }

  private void expire(TimeIndex.Entry entry, DueHandler handler) {
    String key = entry.challengeKey();
    ArbiterRecord record;
    try {
      record = challenges.get(key);
    } catch (RuntimeException e) {
      // A poison record must not stall the scan forever (the cursor could never pass it): log,
      // drop its index entry and move on.
      LOG.error("Unreadable state for challenge {}; dropping its timer", key, e);
      index.delete(entry.key());
      return;
    }
    if (record == null || record.indexAt() != entry.time()) {
      index.delete(entry.key());
      return;
    }
    handler.due(key, record);
  }

  private void purge(TimeIndex.Entry entry) {
    ArbiterRecord record = challenges.get(entry.challengeKey());
    if (record != null && record.indexAt() == entry.time()) {
      if (!record.phase().settled()) {
        // Unreachable by construction (the purge stays behind the expiry cursor); never drop a
        // live challenge, whatever happened.
        LOG.warn("Purge scan met live challenge {}; left in place", entry.challengeKey());
        return;
      }
      challenges.delete(entry.challengeKey());
    }
    index.delete(entry.key());
  }
}
