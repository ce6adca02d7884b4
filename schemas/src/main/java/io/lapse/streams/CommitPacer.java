package io.lapse.streams;

import java.util.function.Supplier;

/**
 * Decides, for one stream thread, whether a decision should request a commit ({@code
 * ProcessorContext#commit()}) so that its waiting caller gets the answer without waiting for the
 * commit interval.
 *
 * <p>Under exactly-once a stream thread commits all its tasks in one transaction, and a commit
 * requested for every decision turns a burst of attempts into one transaction per record. So a
 * decision requests a commit only when its record came after a quiet spell on the log: its record
 * time is at least the given gap after the latest record time this thread has processed. An
 * isolated decision is committed at once; records written back to back, as in a burst, are
 * committed by the commit interval, however slowly the thread gets to them.
 *
 * <p>Why record time and not the time the thread processed the record: a commit takes longer than
 * the gap, so with processing time every record after a requested commit looked quiet, requested
 * the next commit, and a lagging thread fell into one transaction per record (about 50 records/s
 * per thread; measured in {@code docs/decisions/0019-cold-start-lateness.md}). Record times do not
 * stretch when the thread is slow. Measurements and alternatives: {@code
 * docs/decisions/0007-ticks-and-commits.md}.
 *
 * <p>Used by the expiry processor's arbiter and by the challenge service's entity tasks, whose
 * commands had the same one-transaction-per-record ceiling under concurrent HTTP load ({@code
 * docs/decisions/0025-paced-entity-commits.md}).
 *
 * <p>Not thread-safe: one instance per stream thread, from {@link #perThread}.
 */
public final class CommitPacer {
  private final long quietMs;
  private long latestRecordTime = Long.MIN_VALUE / 2;

  public CommitPacer(long quietMs) {
    this.quietMs = quietMs;
  }

  /**
   * One pacer per calling thread, created on first use: the tasks of a stream thread share theirs,
   * since they share its commits. Owned by one topology, so two Streams clients in one JVM never
   * share a pacer.
   */
  public static Supplier<CommitPacer> perThread(long quietMs) {
    ThreadLocal<CommitPacer> pacers = ThreadLocal.withInitial(() -> new CommitPacer(quietMs));
    return pacers::get;
  }

  /**
   * Notes a record of this thread with record time {@code recordTimeMs}; returns whether it came at
   * least the quiet gap after every record this thread processed before (records of its partitions
   * interleave, so an older record time than one already seen is never quiet).
   */
  public boolean arrivedAfterQuiet(long recordTimeMs) {
    boolean quiet = recordTimeMs - latestRecordTime >= quietMs;
    latestRecordTime = Math.max(latestRecordTime, recordTimeMs);
    return quiet;
  }
}
