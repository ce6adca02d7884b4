package io.lapse.expiry;

import io.lapse.config.Config;
import io.lapse.config.Rule;
import io.lapse.config.Setting;
import io.lapse.streams.CommitPacer;
import java.time.Duration;

/**
 * The processor's behaviour knobs that the topology itself needs (the Streams client's own tuning
 * lives in {@link ExpiryConfig}). Each is declared here once, as the {@link Setting} that reads it
 * from the environment; the {@code DEFAULT_*} constants are those settings' defaults, and the
 * record's values meet the same rules as parsed ones.
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
 * @param commitRequestQuietGap a record that emitted a decision someone waits for requests a commit
 *     only if its record time is at least this long after that of every record its stream thread
 *     processed before (0: every such decision requests one); see {@link CommitPacer}
 * @param tickAlignment where a task's next tick goes: on the grid of the punctuation interval, or
 *     at the due instant itself (no sooner than one interval after the previous tick)
 * @param attemptClockSkew an attempt stamped more than this after its record's broker time is
 *     refused as {@code attempt-in-future}
 * @param attemptMaxDelay an attempt is judged late as if made no earlier than this before its
 *     record's broker time
 * @param attemptMac whether an attempt without a valid MAC is refused or only logged and counted
 */
public record ExpirySettings(
    Duration punctuationInterval,
    Duration tickTimeBudget,
    int tickMaxCount,
    Duration terminalRetention,
    Duration unknownGrace,
    int maxFailedAttempts,
    Duration commitRequestQuietGap,
    TickAlignment tickAlignment,
    Duration attemptClockSkew,
    Duration attemptMaxDelay,
    MacMode attemptMac) {

  /** What the arbiter does with an attempt whose MAC is missing, unknown or invalid. */
  public enum MacMode {
    /** Dead-letter it; it never decides. */
    ENFORCE,
    /**
     * Decide it anyway, logging and counting it as untrusted: only while services that do not sign
     * yet are replaced (a migration step, never a steady state).
     */
    LOG
  }

  /** Where a task's next tick is scheduled. */
  public enum TickAlignment {
    /** The first multiple of the punctuation interval at or after the due instant. */
    GRID,
    /** The due instant itself, at most one tick per punctuation interval. */
    DUE
  }

  // The tick and commit defaults are explained in docs/decisions/0007-ticks-and-commits.md.

  public static final Setting<Duration> PUNCTUATION_INTERVAL =
      Setting.millis("LAPSE_EXPIRY_PUNCTUATION_INTERVAL_MS")
          .defaultsTo(Duration.ofMillis(10))
          .validate(Rule.positive())
          .doc(
              "wall-clock tick grid: a task ticks at the first grid slot at/after its next due"
                  + " entry, at most once per interval, and never while nothing is due (so an idle"
                  + " processor commits nothing)");

  public static final Setting<TickAlignment> TICK_ALIGNMENT =
      Setting.oneOf("LAPSE_EXPIRY_TICK_ALIGNMENT", TickAlignment.class)
          .defaultsTo(TickAlignment.GRID)
          .doc(
              "`grid`, or `due`: tick at the due instant itself (no sooner than one interval after"
                  + " the previous tick)");

  public static final Setting<Duration> TICK_BUDGET =
      Setting.millis("LAPSE_EXPIRY_TICK_BUDGET_MS")
          .defaultsTo(Duration.ofMillis(40))
          .validate(Rule.positive())
          .doc(
              "time budget of one tick; the rest resumes on the next (far below the transaction"
                  + " timeout, 10 s)");

  public static final Setting<Integer> TICK_MAX_COUNT =
      Setting.integer("LAPSE_EXPIRY_TICK_MAX_COUNT")
          .defaultsTo(20_000)
          .validate(Rule.atLeast(1))
          .doc("index entries one tick handles at most; the rest resumes on the next");

  public static final Setting<Duration> COMMIT_REQUEST_QUIET_GAP =
      Setting.millis("LAPSE_EXPIRY_COMMIT_REQUEST_QUIET_GAP_MS")
          .defaultsTo(Duration.ofMillis(5))
          .validate(Rule.notNegative())
          .doc(
              "a decided attempt requests a commit at once (its caller waits less) when its record"
                  + " was written this long after every earlier record of its thread; 0 requests"
                  + " one per decision, which turns a burst into one transaction per record");

  public static final Setting<Duration> TERMINAL_RETENTION =
      Setting.millis("LAPSE_EXPIRY_TERMINAL_RETENTION_MS")
          .defaultsTo(Duration.ofMinutes(65))
          .validate(Rule.positive())
          .doc(
              "how long past its deadline a settled challenge is remembered (default: 65 min) for"
                  + " 60322/60323 answers and idempotent duplicate creates, then purged");

  // The challenge service rejects unknown challenges itself, so a real 20404 from the processor is
  // rare and may be slow; a create and its first attempt arrive on different topics, and a lagging
  // task can read the attempt well before the create.
  public static final Setting<Duration> UNKNOWN_GRACE =
      Setting.millis("LAPSE_EXPIRY_UNKNOWN_GRACE_MS")
          .defaultsTo(Duration.ofSeconds(10))
          .validate(Rule.notNegative())
          .doc(
              "how long an attempt for a not-yet-seen challenge waits for its create before 20404");

  public static final Setting<Integer> MAX_FAILED_ATTEMPTS =
      Setting.integer("LAPSE_EXPIRY_MAX_FAILED_ATTEMPTS")
          .defaultsTo(5) // Twilio's
          .validate(Rule.atLeast(1))
          .doc("the wrong code that reaches this count is answered 60308 (Twilio: 5)");

  // Trust: see docs/decisions/0008-single-writers-on-the-log.md, "Trust".
  public static final Setting<Duration> ATTEMPT_CLOCK_SKEW =
      Setting.millis("LAPSE_EXPIRY_ATTEMPT_CLOCK_SKEW_MS")
          .defaultsTo(Duration.ofSeconds(5))
          .validate(Rule.notNegative())
          .doc(
              "an attempt whose `attemptAt` is more than this after its record's broker time"
                  + " (`LogAppendTime`) is dead-lettered as `attempt-in-future`");

  public static final Setting<Duration> ATTEMPT_MAX_DELAY =
      Setting.millis("LAPSE_EXPIRY_ATTEMPT_MAX_DELAY_MS")
          .defaultsTo(Duration.ofSeconds(30))
          .validate(Rule.notNegative())
          .doc(
              "lateness is judged at `max(attemptAt, broker time - this)`: an attempt appended"
                  + " long after the time it claims is judged by the broker's clock");

  public static final Setting<MacMode> ATTEMPT_MAC =
      Setting.oneOf("LAPSE_EXPIRY_ATTEMPT_MAC", MacMode.class)
          .defaultsTo(MacMode.ENFORCE)
          .doc(
              "`enforce`: an attempt without a valid MAC is dead-lettered and never decides;"
                  + " `log`: decided anyway, logged and counted (only while migrating to signing"
                  + " services)");

  public static final Duration DEFAULT_PUNCTUATION_INTERVAL = PUNCTUATION_INTERVAL.defaultValue();
  public static final Duration DEFAULT_TICK_TIME_BUDGET = TICK_BUDGET.defaultValue();
  public static final int DEFAULT_TICK_MAX_COUNT = TICK_MAX_COUNT.defaultValue();
  public static final Duration DEFAULT_TERMINAL_RETENTION = TERMINAL_RETENTION.defaultValue();
  public static final Duration DEFAULT_UNKNOWN_GRACE = UNKNOWN_GRACE.defaultValue();
  public static final int TWILIO_MAX_FAILED_ATTEMPTS = MAX_FAILED_ATTEMPTS.defaultValue();
  public static final Duration DEFAULT_COMMIT_REQUEST_QUIET_GAP =
      COMMIT_REQUEST_QUIET_GAP.defaultValue();
  public static final TickAlignment DEFAULT_TICK_ALIGNMENT = TICK_ALIGNMENT.defaultValue();
  public static final Duration DEFAULT_ATTEMPT_CLOCK_SKEW = ATTEMPT_CLOCK_SKEW.defaultValue();
  public static final Duration DEFAULT_ATTEMPT_MAX_DELAY = ATTEMPT_MAX_DELAY.defaultValue();
  public static final MacMode DEFAULT_ATTEMPT_MAC = ATTEMPT_MAC.defaultValue();

  public ExpirySettings {
    PUNCTUATION_INTERVAL.check(punctuationInterval);
    TICK_BUDGET.check(tickTimeBudget);
    TICK_MAX_COUNT.check(tickMaxCount);
    TERMINAL_RETENTION.check(terminalRetention);
    UNKNOWN_GRACE.check(unknownGrace);
    MAX_FAILED_ATTEMPTS.check(maxFailedAttempts);
    COMMIT_REQUEST_QUIET_GAP.check(commitRequestQuietGap);
    TICK_ALIGNMENT.check(tickAlignment);
    ATTEMPT_CLOCK_SKEW.check(attemptClockSkew);
    ATTEMPT_MAX_DELAY.check(attemptMaxDelay);
    ATTEMPT_MAC.check(attemptMac);
  }

  /** Every knob at its declared default. */
  public static ExpirySettings defaults() {
    return new ExpirySettings(
        DEFAULT_PUNCTUATION_INTERVAL,
        DEFAULT_TICK_TIME_BUDGET,
        DEFAULT_TICK_MAX_COUNT,
        DEFAULT_TERMINAL_RETENTION,
        DEFAULT_UNKNOWN_GRACE,
        TWILIO_MAX_FAILED_ATTEMPTS,
        DEFAULT_COMMIT_REQUEST_QUIET_GAP,
        DEFAULT_TICK_ALIGNMENT,
        DEFAULT_ATTEMPT_CLOCK_SKEW,
        DEFAULT_ATTEMPT_MAX_DELAY,
        DEFAULT_ATTEMPT_MAC);
  }

  /** The knobs from parsed settings whose declaration includes this class's settings. */
  static ExpirySettings from(Config values) {
    return new ExpirySettings(
        values.get(PUNCTUATION_INTERVAL),
        values.get(TICK_BUDGET),
        values.get(TICK_MAX_COUNT),
        values.get(TERMINAL_RETENTION),
        values.get(UNKNOWN_GRACE),
        values.get(MAX_FAILED_ATTEMPTS),
        values.get(COMMIT_REQUEST_QUIET_GAP),
        values.get(TICK_ALIGNMENT),
        values.get(ATTEMPT_CLOCK_SKEW),
        values.get(ATTEMPT_MAX_DELAY),
        values.get(ATTEMPT_MAC));
  }

  /** A copy with another tick bound (tests of the budgeted scan). */
  public ExpirySettings withTickBudget(Duration time, int count) {
    return new ExpirySettings(
        punctuationInterval,
        time,
        count,
        terminalRetention,
        unknownGrace,
        maxFailedAttempts,
        commitRequestQuietGap,
        tickAlignment,
        attemptClockSkew,
        attemptMaxDelay,
        attemptMac);
  }

  /** A copy with another retention of settled challenges (tests of the purge). */
  public ExpirySettings withTerminalRetention(Duration retention) {
    return new ExpirySettings(
        punctuationInterval,
        tickTimeBudget,
        tickMaxCount,
        retention,
        unknownGrace,
        maxFailedAttempts,
        commitRequestQuietGap,
        tickAlignment,
        attemptClockSkew,
        attemptMaxDelay,
        attemptMac);
  }

  /** A copy with another tick alignment (tests of {@link TickAlignment#DUE}). */
  public ExpirySettings withTickAlignment(TickAlignment alignment) {
    return new ExpirySettings(
        punctuationInterval,
        tickTimeBudget,
        tickMaxCount,
        terminalRetention,
        unknownGrace,
        maxFailedAttempts,
        commitRequestQuietGap,
        alignment,
        attemptClockSkew,
        attemptMaxDelay,
        attemptMac);
  }

  /** A copy with another MAC mode (tests of {@link MacMode#LOG}). */
  public ExpirySettings withAttemptMac(MacMode mode) {
    return new ExpirySettings(
        punctuationInterval,
        tickTimeBudget,
        tickMaxCount,
        terminalRetention,
        unknownGrace,
        maxFailedAttempts,
        commitRequestQuietGap,
        tickAlignment,
        attemptClockSkew,
        attemptMaxDelay,
        mode);
  }
}
