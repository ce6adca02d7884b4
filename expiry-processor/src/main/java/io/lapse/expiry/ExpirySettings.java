package io.lapse.expiry;

import java.time.Duration;

/**
 * The processor's behaviour knobs that the topology itself needs (the Streams client's own tuning
 * lives in {@link ExpiryConfig}).
 *
 * @param punctuationInterval grid of the expiry ticks: a task ticks at the first multiple of it at
 *     or after its next due entry, at most once per interval, and not at all while nothing is due
 * @param tickTimeBudget a tick stops working after this much time and resumes on the next tick
 * @param tickMaxCount a tick handles at most this many index entries
 * @param terminalRetention how long past its deadline a settled challenge is remembered, so late
 *     attempts get 60322/60323 and duplicate creates stay idempotent
 * @param unknownGrace how long an attempt for an unknown challenge waits for its ChallengeCreated
 *     before it is answered 20404
 * @param maxFailedAttempts the failure that reaches this count is answered 60308
 * @param commitRequestQuietGap a record that emitted a decision requests a commit only if its
 *     stream thread had processed no record for at least this long before it (0: every decision
 *     requests one); see {@link CommitPacer}
 */
public record ExpirySettings(
    Duration punctuationInterval,
    Duration tickTimeBudget,
    int tickMaxCount,
    Duration terminalRetention,
    Duration unknownGrace,
    int maxFailedAttempts,
    Duration commitRequestQuietGap) {

  public static final Duration DEFAULT_PUNCTUATION_INTERVAL = Duration.ofMillis(10);
  public static final Duration DEFAULT_TICK_TIME_BUDGET = Duration.ofMillis(40);
  public static final int DEFAULT_TICK_MAX_COUNT = 20_000;
  public static final Duration DEFAULT_TERMINAL_RETENTION = Duration.ofMinutes(65);
  public static final Duration DEFAULT_UNKNOWN_GRACE = Duration.ofSeconds(10);
  public static final int TWILIO_MAX_FAILED_ATTEMPTS = 5;
  public static final Duration DEFAULT_COMMIT_REQUEST_QUIET_GAP = Duration.ofMillis(5);

  public ExpirySettings {
    positive(punctuationInterval, "punctuation interval");
    positive(tickTimeBudget, "tick time budget");
    if (tickMaxCount < 1) {
      throw new IllegalArgumentException("tick max count must be at least 1, got " + tickMaxCount);
    }
    positive(terminalRetention, "terminal retention");
    if (unknownGrace.isNegative()) {
      throw new IllegalArgumentException("unknown grace must not be negative");
    }
    if (maxFailedAttempts < 1) {
      throw new IllegalArgumentException("max failed attempts must be at least 1");
    }
    if (commitRequestQuietGap.isNegative()) {
      throw new IllegalArgumentException("commit request quiet gap must not be negative");
    }
  }

  public static ExpirySettings defaults() {
    return new ExpirySettings(
        DEFAULT_PUNCTUATION_INTERVAL,
        DEFAULT_TICK_TIME_BUDGET,
        DEFAULT_TICK_MAX_COUNT,
        DEFAULT_TERMINAL_RETENTION,
        DEFAULT_UNKNOWN_GRACE,
        TWILIO_MAX_FAILED_ATTEMPTS,
        DEFAULT_COMMIT_REQUEST_QUIET_GAP);
  }

  public ExpirySettings withTickBudget(Duration time, int count) {
    return new ExpirySettings(
        punctuationInterval,
        time,
        count,
        terminalRetention,
        unknownGrace,
        maxFailedAttempts,
        commitRequestQuietGap);
  }

  public ExpirySettings withTerminalRetention(Duration retention) {
    return new ExpirySettings(
        punctuationInterval,
        tickTimeBudget,
        tickMaxCount,
        retention,
        unknownGrace,
        maxFailedAttempts,
        commitRequestQuietGap);
  }

  private static void positive(Duration d, String what) {
    if (d == null || d.isZero() || d.isNegative()) {
      throw new IllegalArgumentException(what + " must be positive, got " + d);
    }
  }
}
