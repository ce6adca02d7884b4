package io.lapse.launcher.bench;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * What an outside observer of {@code challenge-expired} saw for the challenges a load run created:
 * each expiry's lateness (receive time minus the challenge's {@code expirationDate}), and the three
 * ways a run can be wrong — an expiry never seen (lost), seen twice (duplicated), or emitted before
 * its deadline (early). Pure: the load run feeds it, the tests feed it by hand.
 */
public final class Lateness {
  private final Map<String, Long> deadlines = new HashMap<>();
  private final Map<String, Long> latenessBySid = new HashMap<>();
  private int duplicated;
  private int early;
  private int unknown;

  /** A challenge the run created, due at {@code deadlineMillis}. */
  public synchronized void created(String sid, long deadlineMillis) {
    deadlines.put(sid, deadlineMillis);
  }

  /**
   * An expiry the observer read at {@code receivedMillis}; {@code expiredAtMillis} is when the
   * processor says it emitted it.
   */
  public synchronized void expired(String sid, long expiredAtMillis, long receivedMillis) {
    Long deadline = deadlines.get(sid);
    if (deadline == null) {
      unknown++; // another writer's challenge, or one of an earlier run
      return;
    }
    if (latenessBySid.containsKey(sid)) {
      duplicated++;
      return;
    }
    if (expiredAtMillis < deadline || receivedMillis < deadline) {
      early++;
    }
    latenessBySid.put(sid, receivedMillis - deadline);
  }

  /** Whether every created challenge has been seen expiring. */
  public synchronized boolean complete() {
    return latenessBySid.size() == deadlines.size();
  }

  /** The latest deadline of the run (when to stop waiting, plus a grace). */
  public synchronized long lastDeadline() {
    return deadlines.values().stream().mapToLong(Long::longValue).max().orElse(0);
  }

  /** Every lateness seen, in milliseconds, ascending (for a CDF). */
  public synchronized long[] sortedLateness() {
    long[] sorted = latenessBySid.values().stream().mapToLong(Long::longValue).toArray();
    Arrays.sort(sorted);
    return sorted;
  }

  public synchronized Summary summary() {
    long[] sorted = latenessBySid.values().stream().mapToLong(Long::longValue).toArray();
    Arrays.sort(sorted);
    return new Summary(
        deadlines.size(),
        deadlines.size() - latenessBySid.size(),
        duplicated,
        early,
        unknown,
        percentile(sorted, 50),
        percentile(sorted, 90),
        percentile(sorted, 99),
        sorted.length == 0 ? 0 : sorted[sorted.length - 1]);
  }

  /** Nearest-rank percentile; 0 for no values. */
  static long percentile(long[] sorted, double p) {
    if (sorted.length == 0) {
      return 0;
    }
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  /** The figures of one run, in milliseconds. */
  public record Summary(
      int created,
      int lost,
      int duplicated,
      int early,
      int unknown,
      long p50,
      long p90,
      long p99,
      long max) {

    public boolean correct() {
      return lost == 0 && duplicated == 0 && early == 0;
    }

    /** One line, as the table has it. */
    public String line() {
      return String.format(
          "expiries=%d lost=%d duplicated=%d early=%d p50_ms=%d p90_ms=%d p99_ms=%d max_ms=%d",
          created, lost, duplicated, early, p50, p90, p99, max);
    }
  }
}
