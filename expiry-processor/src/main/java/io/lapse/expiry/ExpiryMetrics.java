package io.lapse.expiry;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The processor's own meters, on one Micrometer registry: expiry lateness at emission, pending
 * challenges, punctuation cost, decisions, dead-lettered records and schema registry outages.
 * Stream threads record, the HTTP thread scrapes; every meter used here is thread-safe.
 */
public final class ExpiryMetrics {
  private final MeterRegistry registry;
  private final Timer lateness;
  private final Timer tickDuration;
  private final DistributionSummary tickEntries;
  private final Counter rebalances;
  private final Counter threadFailures;
  private final Map<String, AtomicLong> pendingByTask = new ConcurrentHashMap<>();
  private final Map<String, Counter> deadLettered = new ConcurrentHashMap<>();
  private final Map<String, Counter> decisions = new ConcurrentHashMap<>();
  private final Map<String, Counter> registryUnavailable = new ConcurrentHashMap<>();
  private final Counter registryRetries;
  private volatile Instant lastRegistryFault;
  private final Map<String, Counter> untrusted = new ConcurrentHashMap<>();
  private final Map<String, Counter> untrustedCreates = new ConcurrentHashMap<>();

  public ExpiryMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.lateness =
        Timer.builder("lapse.expiry.lateness")
            .description("Emission time of a ChallengeExpired minus the challenge's expirationDate")
            .publishPercentiles(0.5, 0.9, 0.99, 0.999)
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(1))
            .maximumExpectedValue(Duration.ofMinutes(5))
            .register(registry);
    this.tickDuration =
        Timer.builder("lapse.expiry.punctuation.duration")
            .description("Wall time of one expiry punctuation (scan, decisions, sends)")
            .publishPercentiles(0.5, 0.99)
            .register(registry);
    this.tickEntries =
        DistributionSummary.builder("lapse.expiry.punctuation.entries")
            .description("Time-index entries handled by one punctuation")
            .publishPercentiles(0.5, 0.99)
            .register(registry);
    this.rebalances =
        Counter.builder("lapse.expiry.rebalances")
            .description("Transitions of the Streams client into REBALANCING")
            .register(registry);
    this.threadFailures =
        Counter.builder("lapse.expiry.stream.thread.failures")
            .description("Stream threads that died of an uncaught exception and were replaced")
            .register(registry);
    this.registryRetries =
        Counter.builder("lapse.expiry.registry.retries")
            .description(
                "Stream threads replaced (after a backoff) because the schema registry was"
                    + " unavailable; each resumes from the last commit")
            .register(registry);
    Gauge.builder("lapse.expiry.pending", this, ExpiryMetrics::pending)
        .description("Challenges pending in this instance's active tasks")
        .register(registry);
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** Records one expiry: emitted at {@code emittedAt} for a deadline at {@code deadline}. */
  public void expired(long deadline, long emittedAt) {
    lateness.record(Math.max(0, emittedAt - deadline), TimeUnit.MILLISECONDS);
  }

  public void rebalanced() {
    rebalances.increment();
  }

  public double rebalanceCount() {
    return rebalances.count();
  }

  public void threadFailed() {
    threadFailures.increment();
  }

  public double threadFailureCount() {
    return threadFailures.count();
  }

  /** Punctuations recorded so far and their total time in nanoseconds. */
  public long[] tickTotals() {
    return new long[] {tickDuration.count(), (long) tickDuration.totalTime(TimeUnit.NANOSECONDS)};
  }

  public void tick(long nanos, int entries) {
    tickDuration.record(nanos, TimeUnit.NANOSECONDS);
    tickEntries.record(entries);
  }

  /** The pending counter of one task, created at the task's init. */
  public AtomicLong pendingOf(String taskId) {
    return pendingByTask.computeIfAbsent(taskId, t -> new AtomicLong());
  }

  /** The task closed (revoked or shut down): its pending challenges are no longer ours. */
  public void taskClosed(String taskId) {
    pendingByTask.remove(taskId);
  }

  public long pending() {
    long sum = 0;
    for (AtomicLong v : pendingByTask.values()) {
      sum += v.get();
    }
    return sum;
  }

  public void deadLettered(String topic) {
    deadLettered
        .computeIfAbsent(
            topic,
            t ->
                Counter.builder("lapse.expiry.dead.lettered")
                    .description("Input records sent to a dead-letter topic")
                    .tag("topic", t)
                    .register(registry))
        .increment();
  }

  public double deadLetteredCount() {
    return deadLettered.values().stream().mapToDouble(Counter::count).sum();
  }

  /**
   * Counts one record (or punctuation) that could not be handled because the schema registry was
   * unavailable; it is retried, not dead-lettered.
   */
  public void registryUnavailable(String topic) {
    lastRegistryFault = Instant.now();
    registryUnavailable
        .computeIfAbsent(
            topic,
            t ->
                Counter.builder("lapse.expiry.registry.unavailable")
                    .description(
                        "Records whose handling failed because the schema registry was"
                            + " unavailable; retried from the last commit, never dead-lettered")
                    .tag("topic", t)
                    .register(registry))
        .increment();
  }

  /** When a record or tick last failed for a registry outage, or null if none has. */
  public Instant lastRegistryFault() {
    return lastRegistryFault;
  }

  public double registryUnavailableCount() {
    return registryUnavailable.values().stream().mapToDouble(Counter::count).sum();
  }

  /** One stream thread replaced because of a registry outage. */
  public void registryRetried() {
    registryRetries.increment();
  }

  public double registryRetryCount() {
    return registryRetries.count();
  }

  /**
   * Counts one attempt that failed a trust check, by reason ({@code mac-invalid}, …): refused and
   * dead-lettered, or, for a MAC failure with {@code LAPSE_EXPIRY_ATTEMPT_MAC=log}, let through.
   */
  public void untrusted(String reason) {
    untrusted
        .computeIfAbsent(
            reason,
            r ->
                Counter.builder("lapse.expiry.untrusted.attempts")
                    .description(
                        "Attempts that failed a trust check (MAC, key, time, challenge), by reason")
                    .tag("reason", r)
                    .register(registry))
        .increment();
  }

  /**
   * Counts one {@code ChallengeCreated} that failed a trust check, by reason ({@code mac-missing},
   * …): dead-lettered, or, for a MAC failure with {@code LAPSE_EXPIRY_ATTEMPT_MAC=log}, let
   * through.
   */
  public void untrustedCreate(String reason) {
    untrustedCreates
        .computeIfAbsent(
            reason,
            r ->
                Counter.builder("lapse.expiry.untrusted.creates")
                    .description(
                        "Challenge creates that failed a trust check (MAC, key), by reason")
                    .tag("reason", r)
                    .register(registry))
        .increment();
  }

  /** Untrusted creates counted with this reason so far. */
  public double untrustedCreateCount(String reason) {
    Counter c = untrustedCreates.get(reason);
    return c == null ? 0 : c.count();
  }

  /** Untrusted attempts counted with this reason so far. */
  public double untrustedCount(String reason) {
    Counter c = untrusted.get(reason);
    return c == null ? 0 : c.count();
  }

  /** Counts one decision by its kind (approved, denied, failed, rejected-60323, …). */
  public void decided(String kind) {
    decisions
        .computeIfAbsent(
            kind,
            k ->
                Counter.builder("lapse.expiry.decisions")
                    .description("Outcomes decided by the processor, by kind")
                    .tag("kind", k)
                    .register(registry))
        .increment();
  }
}
