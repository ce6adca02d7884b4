package io.lapse.expiry;

import io.lapse.events.v1.ChallengeCreated;
import io.lapse.events.v1.ChallengeExpired;
import io.lapse.events.v1.VerificationAttempted;
import io.lapse.expiry.decision.ArbiterEvent;
import io.lapse.expiry.decision.Arbitration;
import io.lapse.expiry.decision.Decision;
import io.lapse.expiry.state.ArbiterRecord;
import io.lapse.expiry.trust.AttemptTrust;
import io.lapse.expiry.trust.Distrust;
import io.lapse.streams.CommitPacer;
import java.time.Instant;
import java.util.function.Supplier;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single arbiter of each challenge's terminal outcome, one instance per task: it handles the
 * task's ChallengeCreated and VerificationAttempted records and, on the same stream thread, the
 * wall-clock ticks that expire challenges, so a decision and an expiry of one challenge can never
 * interleave (see {@code docs/architecture.md}, "Who decides what").
 *
 * <p>This class is glue: it reads a challenge's record, asks {@link Arbitration} (the rules) what
 * follows, and applies the {@link Decision}: the record and its time-index entry, the events sent
 * downstream, the metrics and the pending count. Ticks are placed by the {@link WakeUpScheduler}
 * and do the work of an {@link ExpiryScan}; whether a decision requests a commit is up to the
 * thread's {@link CommitPacer}. {@code init} schedules the first tick once the stores are restored,
 * so deadlines that passed while the task was down fire at once. Why ticks and commits work this
 * way: {@code docs/decisions/0007-ticks-and-commits.md}.
 *
 * <p>Settled challenges are remembered for the terminal retention past their deadline, so late
 * attempts get 60322/60323 rather than 20404, and then purged through the same time index.
 *
 * <p>An attempt reaches {@link Arbitration} only once {@link AttemptTrust} trusts it: signed by a
 * challenge service, keyed by its own SID, not dated ahead of the broker, and (once the create is
 * known, also for attempts parked before it) naming the created challenge's service, identity and
 * factor. Anything else goes to {@code challenge-responses-dlq} with its reason ({@link
 * AttemptRefusals}) and changes nothing ({@code docs/decisions/0008-single-writers-on-the-log.md},
 * "Trust"). Likewise a create is taken only when signed by a trusted producer and keyed by its own
 * SID; anything else goes to {@code challenge-created-dlq} and never expires nor decides ({@code
 * docs/decisions/0020-signed-challenge-creates.md}).
 */
final class ChallengeArbiter implements Processor<String, SpecificRecord, String, SpecificRecord> {
  private static final Logger LOG = LoggerFactory.getLogger(ChallengeArbiter.class);

  private final ExpirySettings settings;
  private final AttemptTrust trust;
  private final ExpiryMetrics metrics;
  private final ExpiryTopology.Names names;
  private final String responsesTopic;
  private final String createdTopic;
  private final Arbitration arbitration;
  private final Supplier<CommitPacer> threadPacer;

  private ProcessorContext<String, SpecificRecord> context;
  private KeyValueStore<String, ArbiterRecord> challenges;
  private TimeIndex index;
  private ExpiryScan scan;
  private WakeUpScheduler wakeUps;
  private PendingCount pending;
  private AttemptRefusals refusals;
  private String taskId;
  // Highest timestamp of a ChallengeCreated this task has processed (in memory; 0 after a start).
  private long createdStreamTime;

  ChallengeArbiter(
      ExpirySettings settings,
      AttemptTrust trust,
      ExpiryMetrics metrics,
      ExpiryTopology.Names names,
      String responsesTopic,
      String createdTopic,
      Supplier<CommitPacer> threadPacer) {
    this.createdTopic = createdTopic;
    this.settings = settings;
    this.trust = trust;
    this.metrics = metrics;
    this.names = names;
    this.responsesTopic = responsesTopic;
    this.arbitration = new Arbitration(settings);
    this.threadPacer = threadPacer;
  }

  @Override
  public void init(ProcessorContext<String, SpecificRecord> context) {
    this.context = context;
    this.challenges = context.getStateStore(names.challengeStore());
    KeyValueStore<String, Long> meta = context.getStateStore(names.metaStore());
    this.index = new TimeIndex(context.getStateStore(names.indexStore()), meta);
    this.scan = new ExpiryScan(index, challenges, settings);
    this.taskId = context.taskId().toString();
    this.pending = new PendingCount(meta, metrics.pendingOf(taskId));
    this.refusals =
        new AttemptRefusals(
            context,
            metrics,
            names.responsesDeadLetterSink(),
            responsesTopic,
            names.createdDeadLetterSink(),
            createdTopic);
    this.wakeUps =
        new WakeUpScheduler(
            WakeUpScheduler.Alignment.of(settings),
            // The interval only matters if a tick throws before it reschedules (the punctuation
            // then repeats on the grid, as a fixed tick would), or if the instant has passed by the
            // time Streams registers it (it moves to the next grid slot).
            at ->
                context.schedule(
                    Instant.ofEpochMilli(at),
                    settings.punctuationInterval(),
                    PunctuationType.WALL_CLOCK_TIME,
                    this::tick));
    // init runs once the task's stores are restored (also after a rebalance or a crash), so this
    // is where deadlines that passed while nobody ran this task get their tick.
    long now = context.currentSystemTimeMs();
    wakeUps.rescheduleFor(scan.nextDue(), now);
  }

  @Override
  public void close() {
    if (wakeUps != null) {
      wakeUps.cancel();
    }
    metrics.taskClosed(taskId);
  }

  @Override
  public void process(Record<String, SpecificRecord> record) {
    String key = record.key();
    if (key == null && !(record.value() instanceof VerificationAttempted)) {
      LOG.warn("Dropping a {} without a key", record.value().getClass().getSimpleName());
      return;
    }
    long now = context.currentSystemTimeMs();
    boolean afterQuiet = threadPacer.get().arrivedAfterQuiet(record.timestamp());
    ArbiterRecord current;
    ArbiterEvent event;
    if (record.value() instanceof ChallengeCreated created) {
      AttemptTrust.Assessment assessment = trust.assess(key, created);
      if (!assessment.trusted()) {
        refusals.refuse(key, created, assessment.refused(), record.headers());
        return;
      }
      if (assessment.tolerated() != null) {
        metrics.untrustedCreate(assessment.tolerated().code());
        LOG.warn(
            "Taking the create of {} despite {} (LAPSE_EXPIRY_ATTEMPT_MAC=log)",
            key,
            assessment.tolerated().code());
      }
      createdStreamTime = Math.max(createdStreamTime, record.timestamp());
      current = refusals.refuseMismatchedParked(key, challenges.get(key), created);
      event = new ArbiterEvent.Created(created);
    } else if (record.value() instanceof VerificationAttempted attempt) {
      AttemptTrust.Assessment assessment = trust.assess(key, attempt, record.timestamp());
      if (!assessment.trusted()) {
        refusals.refuse(key, attempt, assessment.refused(), record.headers());
        return;
      }
      if (assessment.tolerated() != null) {
        metrics.untrusted(assessment.tolerated().code());
        LOG.warn(
            "Deciding attempt {} on {} despite {} (LAPSE_EXPIRY_ATTEMPT_MAC=log)",
            attempt.getAttemptId(),
            key,
            assessment.tolerated().code());
      }
      current = challenges.get(key);
      if (AttemptTrust.knowsCreate(current) && !AttemptTrust.sameChallenge(current, attempt)) {
        refusals.refuse(key, attempt, Distrust.CHALLENGE_MISMATCH, record.headers());
        return;
      }
      event = new ArbiterEvent.Attempt(attempt, trust.judgedAt(attempt, record.timestamp()));
    } else {
      // The typed deserializers dead-letter anything else before it gets here.
      throw new IllegalStateException("Unexpected value " + record.value().getClass());
    }
    Decision decision = arbitration.decide(key, current, event, now, createdStreamTime);
    apply(key, current, decision, now);
    pending.persist();
    if (afterQuiet && awaited(decision)) {
      // A decision is awaited by a caller (request-reply): make it visible to read_committed
      // consumers now rather than at the next commit interval, unless records arrive back to
      // back (see CommitPacer).
      context.commit();
    }
  }

  /**
   * Whether someone waits for this decision: an outcome of an attempt does, an expiry does not. A
   * challenge created after its deadline (a lagging or cold processor) expires on arrival; if each
   * of those requested a commit, the lag itself would make every record one transaction (0019).
   */
  private static boolean awaited(Decision decision) {
    return decision.emitted().stream().anyMatch(e -> !(e instanceof ChallengeExpired));
  }

  /**
   * One tick: the scan's work up to now within the tick's budget, then the next wake-up. No commit
   * request here: Streams commits the task after every punctuation anyway, and requesting one per
   * tick collapses throughput (docs/decisions/0007-ticks-and-commits.md).
   */
  void tick(long punctuationTime) {
    long startNanos = System.nanoTime();
    // Streams runs every schedule due at punctuationTime in one loop: the next tick must be
    // strictly after it, whatever the context's cached clock says.
    long now = Math.max(context.currentSystemTimeMs(), punctuationTime);
    wakeUps.tickStarted(now);
    int handled;
    try {
      long budgetEnd = startNanos + settings.tickTimeBudget().toNanos();
      handled = scan.run(now, budgetEnd, (key, current) -> onDue(key, current, now));
    } finally {
      wakeUps.tickEnded();
    }
    pending.persist();
    wakeUps.rescheduleFor(scan.nextDue(), now);
    metrics.tick(System.nanoTime() - startNanos, handled);
  }

  private void onDue(String key, ArbiterRecord current, long now) {
    ArbiterEvent due = new ArbiterEvent.Due();
    apply(key, current, arbitration.decide(key, current, due, now, createdStreamTime), now);
  }

  /** Stores, indexes, sends and counts what a decision says. */
  private void apply(String key, ArbiterRecord current, Decision decision, long now) {
    if (decision.changed()) {
      ArbiterRecord next = decision.next();
      if (current == null || current.indexAt() != next.indexAt()) {
        if (current != null) {
          index.delete(current.indexAt(), key);
        }
        // The expiry scan must see an entry of a live challenge, or one still ahead of now; an
        // entry of a challenge settled on arrival is only for the retention purge. Rescheduled
        // right here rather than at the end of the record, so an exception later in the same
        // record (dead-lettered, processing goes on) cannot leave an entry without its wake-up.
        boolean forExpiry = !next.phase().settled() || next.indexAt() > now;
        index.put(next.indexAt(), key, forExpiry);
        wakeUps.dueAt(scan.dueOf(next.indexAt(), forExpiry), now);
      }
      challenges.put(key, next);
    }
    for (SpecificRecord event : decision.emitted()) {
      if (event instanceof ChallengeExpired expired) {
        context.forward(new Record<>(key, event, now), names.expiredSink());
        metrics.expired(expired.getExpirationDate().toEpochMilli(), now);
      } else {
        context.forward(new Record<>(key, event, now), names.outcomesSink());
      }
    }
    decision.labels().forEach(metrics::decided);
    pending.add(decision.pendingDelta());
  }
}
