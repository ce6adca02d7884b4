package io.lapse.expiry;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

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
 * @param tickAlignment where a task's next tick goes: on the grid of the punctuation interval, or
 *     at the due instant itself (no sooner than one interval after the previous tick)
 */
public record ExpirySettings(
    Duration punctuationInterval,
    Duration tickTimeBudget,
    int tickMaxCount,
    Duration terminalRetention,
    Duration unknownGrace,
    int maxFailedAttempts,
    Duration commitRequestQuietGap,
    TickAlignment tickAlignment) {

  /** Where a task's next tick is scheduled. */
  public enum TickAlignment {
    /** The first multiple of the punctuation interval at or after the due instant. */
    GRID,
    /** The due instant itself, at most one tick per punctuation interval. */
    DUE
  }

  public static final Duration DEFAULT_PUNCTUATION_INTERVAL = Duration.ofMillis(10);
  public static final Duration DEFAULT_TICK_TIME_BUDGET = Duration.ofMillis(40);
  public static final int DEFAULT_TICK_MAX_COUNT = 20_000;
  public static final Duration DEFAULT_TERMINAL_RETENTION = Duration.ofMinutes(65);
  public static final Duration DEFAULT_UNKNOWN_GRACE = Duration.ofSeconds(10);
  public static final int TWILIO_MAX_FAILED_ATTEMPTS = 5;
  public static final Duration DEFAULT_COMMIT_REQUEST_QUIET_GAP = Duration.ofMillis(5);
  public static final TickAlignment DEFAULT_TICK_ALIGNMENT = TickAlignment.GRID;

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
    Objects.requireNonNull(tickAlignment, "tick alignment");
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
        DEFAULT_COMMIT_REQUEST_QUIET_GAP,
        DEFAULT_TICK_ALIGNMENT);
  }

  public ExpirySettings withTickBudget(Duration time, int count) {
    return new ExpirySettings(
        punctuationInterval,
        time,
        count,
        terminalRetention,
        unknownGrace,
        maxFailedAttempts,
        commitRequestQuietGap,
        tickAlignment);
  }

  public ExpirySettings withTerminalRetention(Duration retention) {
    return new ExpirySettings(
        punctuationInterval,
        tickTimeBudget,
        tickMaxCount,
        retention,
        unknownGrace,
        maxFailedAttempts,
        commitRequestQuietGap,
        tickAlignment);
  }

  public ExpirySettings withTickAlignment(TickAlignment alignment) {
    return new ExpirySettings(
        punctuationInterval,
        tickTimeBudget,
        tickMaxCount,
        terminalRetention,
        unknownGrace,
        maxFailedAttempts,
        commitRequestQuietGap,
        alignment);
  }

  /** Parses {@code grid} or {@code due} (any case). */
  public static TickAlignment tickAlignment(String value) {
    try {
      return TickAlignment.valueOf(value.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "LAPSE_EXPIRY_TICK_ALIGNMENT must be grid or due, got \"" + value + "\"", e);
    }
  }

  private static void positive(Duration d, String what) {
    if (d == null || d.isZero() || d.isNegative()) {
      throw new IllegalArgumentException(what + " must be positive, got " + d);
    }
  }
}
