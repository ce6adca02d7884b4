package io.lapse.expiry;

import java.util.function.Supplier;

/**
 * Decides, for one stream thread, whether a decision should request a commit ({@code
 * ProcessorContext#commit()}) so that its waiting caller gets the answer without waiting for the
 * commit interval.
 *
 * <p>Under exactly-once a stream thread commits all its tasks in one transaction, and a commit
 * requested for every decision turns a burst of attempts into one transaction per record. So a
 * decision requests a commit only when its record arrived after a quiet spell on its thread (no
 * record processed for at least the given gap): an isolated decision is committed at once; records
 * that arrive back to back, as in a burst or whenever the thread lags, are committed by the commit
 * interval. The rule limits itself: once commits slow the thread down, records queue up and arrive
 * back to back. Measurements and alternatives: {@code docs/decisions/0007-ticks-and-commits.md}.
 *
 * <p>Not thread-safe: one instance per stream thread, from {@link #perThread}.
 */
final class CommitPacer {
  private final long quietMs;
  private long lastRecordAt = Long.MIN_VALUE / 2;

  CommitPacer(long quietMs) {
    this.quietMs = quietMs;
  }

  /**
   * One pacer per calling thread, created on first use: the tasks of a stream thread share theirs,
   * since they share its commits. Owned by one topology, so two Streams clients in one JVM never
   * share a pacer.
   */
  static Supplier<CommitPacer> perThread(long quietMs) {
    ThreadLocal<CommitPacer> pacers = ThreadLocal.withInitial(() -> new CommitPacer(quietMs));
    return pacers::get;
  }

  /**
   * Notes a record processed at {@code nowMs}; returns whether no record had been processed on this
   * thread for at least the quiet gap before.
   */
  boolean arrivedAfterQuiet(long nowMs) {
    boolean quiet = nowMs - lastRecordAt >= quietMs;
    lastRecordAt = nowMs;
    return quiet;
  }
}
