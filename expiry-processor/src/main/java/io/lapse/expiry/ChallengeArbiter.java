package io.lapse.expiry;

import io.lapse.events.v1.ChallengeCreated;
import io.lapse.events.v1.VerificationAttempted;
import io.lapse.expiry.state.Answer;
import io.lapse.expiry.state.ChallengeState;
import io.lapse.expiry.state.ChallengeState.Status;
import io.lapse.expiry.state.ParkedAttempt;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.Cancellable;
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
 * wall-clock punctuation that expires challenges, so a decision and an expiry of one challenge can
 * never interleave.
 *
 * <p>Rules (DESIGN.md "Who decides what"), for an attempt on a challenge that is:
 *
 * <ul>
 *   <li>already answered for this attempt id: the remembered answer again, identical, counted once;
 *   <li>pending, {@code attemptAt >= expirationDate}: VerificationRejected 60323, and the challenge
 *       expires at once (ChallengeExpired);
 *   <li>pending and locked by failures: VerificationRejected 60308;
 *   <li>pending: ChallengeApproved / ChallengeDenied as the attempt says, or for a wrong code
 *       VerificationFailed with the count, except the failure that reaches the limit (5, as
 *       Twilio), which is answered VerificationRejected 60308;
 *   <li>expired: 60323; approved or denied: 60322;
 *   <li>unknown: the attempt waits up to the grace period for its ChallengeCreated (the two come
 *       from different topics, so a task can see them in either order), then 20404.
 * </ul>
 *
 * <p><b>After the attempt limit</b> the challenge stays pending but locked until its deadline, then
 * expires normally; every further attempt before the deadline is answered 60308, as Twilio answers
 * 429/60308 to further tries on a challenge that stays {@code pending} until it expires (a 60308
 * does not end a challenge, only the deadline or a response does).
 *
 * <p><b>Ticks.</b> A task has at most one wall-clock punctuation scheduled, at the first instant of
 * the tick grid (multiples of the punctuation interval) at or after its earliest work: the next
 * time-index entry the expiry scan has not handled (a deadline, the end of a parked attempt's
 * grace) or the end of the next settled challenge's retention. Each tick reschedules itself from
 * the index, {@code init} schedules the first one once the stores are restored (so deadlines that
 * passed while the task was down fire at once), and an index entry added by a record pulls the
 * wake-up forward if it is due earlier. Under load a task ticks once per interval, as with a fixed
 * tick; with nothing due it has no punctuation at all, hence no commit and no transaction.
 *
 * <p>A ChallengeCreated for a challenge already known is a duplicate and changes nothing; one whose
 * deadline has already passed expires at once. Settled challenges are remembered for the terminal
 * retention past their deadline, so late attempts get 60322/60323 rather than 20404, and then
 * purged through the same time index.
 */
final class ChallengeArbiter implements Processor<String, SpecificRecord, String, SpecificRecord> {
  private static final Logger LOG = LoggerFactory.getLogger(ChallengeArbiter.class);
  static final String PENDING_COUNT = "pending-count";
  static final int UNKNOWN_MAX_WAITS = 6;

  private final ExpirySettings settings;
  private final ExpiryMetrics metrics;
  private final ExpiryTopology.Names names;

  private ProcessorContext<String, SpecificRecord> context;
  private KeyValueStore<String, ChallengeState> challenges;
  private KeyValueStore<String, Long> meta;
  private TimeIndex index;
  private AtomicLong pending;
  private String taskId;
  // The one scheduled wake-up of this task (null when nothing at all is indexed) and its instant.
  private Cancellable wakeUp;
  private long wakeUpAt = Long.MAX_VALUE;
  private boolean inTick;
  private long lastTickAt = Long.MIN_VALUE / 2;
  private long persistedPending;
  private boolean emitted;
  // Highest timestamp of a ChallengeCreated this task has processed (in memory; 0 after a start).
  private long createdStreamTime;

  ChallengeArbiter(ExpirySettings settings, ExpiryMetrics metrics, ExpiryTopology.Names names) {
    this.settings = settings;
    this.metrics = metrics;
    this.names = names;
  }

  @Override
  public void init(ProcessorContext<String, SpecificRecord> context) {
    this.context = context;
    this.challenges = context.getStateStore(names.challengeStore());
    this.meta = context.getStateStore(names.metaStore());
    this.index = new TimeIndex(context.getStateStore(names.indexStore()), meta);
    this.taskId = context.taskId().toString();
    this.pending = metrics.pendingOf(taskId);
    Long count = meta.get(PENDING_COUNT);
    persistedPending = count == null ? 0 : count;
    pending.set(persistedPending);
    // init runs once the task's stores are restored (also after a rebalance or a crash), so this
    // is where deadlines that passed while nobody ran this task get their tick.
    scheduleNextTick(context.currentSystemTimeMs());
  }

  @Override
  public void close() {
    cancelWakeUp();
    metrics.taskClosed(taskId);
  }

  @Override
  public void process(Record<String, SpecificRecord> record) {
    String key = record.key();
    if (key == null) {
      LOG.warn("Dropping a {} without a key", record.value().getClass().getSimpleName());
      return;
    }
    long now = context.currentSystemTimeMs();
    boolean afterQuiet =
        CommitPacer.arrivedAfterQuiet(now, settings.commitRequestQuietGap().toMillis());
    emitted = false;
    if (record.value() instanceof ChallengeCreated created) {
      createdStreamTime = Math.max(createdStreamTime, record.timestamp());
      onCreated(key, created, now);
    } else if (record.value() instanceof VerificationAttempted attempt) {
      onAttempt(key, attempt, now);
    } else {
      // The typed deserializers dead-letter anything else before it gets here.
      throw new IllegalStateException("Unexpected value " + record.value().getClass());
    }
    persistPending();
    if (emitted && afterQuiet) {
      // A decision is awaited by a caller (request-reply): make it visible to read_committed
      // consumers now rather than at the next commit interval, unless records arrive back to
      // back (see CommitPacer).
      context.commit();
    }
  }

  private void onCreated(String key, ChallengeCreated created, long now) {
    ChallengeState state = challenges.get(key);
    long deadline = created.getExpirationDate().toEpochMilli();
    if (state != null && state.status() != Status.AWAITING && state.status() != Status.UNKNOWN) {
      LOG.debug("Duplicate ChallengeCreated for {} ignored", key);
      metrics.decided("duplicate-created");
      return;
    }
    List<ParkedAttempt> parked = List.of();
    if (state == null) {
      state =
          ChallengeState.pending(
              deadline, created.getServiceSid(), created.getIdentity(), created.getFactorSid());
    } else {
      parked = state.parked();
      index.delete(state.indexAt(), key);
      state =
          state.created(
              deadline, created.getServiceSid(), created.getIdentity(), created.getFactorSid());
    }
    indexPut(deadline, key, deadline > now, now);
    addPending(1);
    challenges.put(key, state);
    for (ParkedAttempt p : parked) {
      state = decide(key, state, p.toEvent(key), now);
    }
    if (state.status() == Status.PENDING && deadline <= now) {
      expire(key, state, now);
    }
  }

  private void onAttempt(String key, VerificationAttempted attempt, long now) {
    ChallengeState state = challenges.get(key);
    if (state == null) {
      long awaitUntil = now + settings.unknownGrace().toMillis();
      indexPut(awaitUntil, key, true, now);
      challenges.put(key, ChallengeState.awaiting(awaitUntil, ParkedAttempt.of(attempt)));
      return;
    }
    if (state.status() == Status.AWAITING) {
      boolean known =
          state.parked().stream().anyMatch(p -> p.attemptId().equals(attempt.getAttemptId()));
      if (!known) {
        challenges.put(key, state.withParked(ParkedAttempt.of(attempt)));
      }
      return;
    }
    decide(key, state, attempt, now);
  }

  /** Decides one attempt on a known challenge, stores and emits the answer; returns the state. */
  private ChallengeState decide(
      String key, ChallengeState state, VerificationAttempted attempt, long now) {
    String attemptId = attempt.getAttemptId();
    var previous = state.answerTo(attemptId);
    if (previous.isPresent()) {
      Answer again = previous.get();
      if (again.kind() == Answer.Kind.APPROVED || again.kind() == Answer.Kind.DENIED) {
        // A repeat of the attempt that decided the challenge (a client retry): a second
        // ChallengeApproved/Denied on the wire would break "one terminal event per challenge".
        // Answer 60322 for the same attempt id; the service recognises its own decision in its
        // view (where the first answer already is) and replies 200 with it.
        again = Answer.rejected(attemptId, now, Outcomes.CHALLENGE_ALREADY_RESPONDED);
      }
      emitOutcome(key, state, again, now);
      return state;
    }
    long attemptAt = attempt.getAttemptAt().toEpochMilli();
    Answer answer;
    ChallengeState next = state;
    switch (state.status()) {
      case PENDING -> {
        if (attemptAt >= state.expirationDate()) {
          answer = Answer.rejected(attemptId, now, Outcomes.CHALLENGE_EXPIRED);
          next = expire(key, state, now);
        } else if (state.failedAttempts() >= settings.maxFailedAttempts()) {
          answer = Answer.rejected(attemptId, now, Outcomes.ATTEMPTS_LIMIT);
        } else {
          switch (attempt.getOutcome()) {
            case APPROVED -> {
              answer = Answer.approved(attemptId, now, attemptAt, attempt.getMetadata());
              next = state.withStatus(Status.APPROVED);
              addPending(-1);
            }
            case DENIED -> {
              answer = Answer.denied(attemptId, now, attemptAt, attempt.getMetadata());
              next = state.withStatus(Status.DENIED);
              addPending(-1);
            }
            default -> {
              int failed = state.failedAttempts() + 1;
              next = state.withFailedAttempts(failed);
              answer =
                  failed >= settings.maxFailedAttempts()
                      ? Answer.rejected(attemptId, now, Outcomes.ATTEMPTS_LIMIT)
                      : Answer.failed(attemptId, now, failed);
            }
          }
        }
      }
      case EXPIRED -> answer = Answer.rejected(attemptId, now, Outcomes.CHALLENGE_EXPIRED);
      case APPROVED, DENIED ->
          answer = Answer.rejected(attemptId, now, Outcomes.CHALLENGE_ALREADY_RESPONDED);
      case UNKNOWN -> answer = Answer.rejected(attemptId, now, Outcomes.NOT_FOUND);
      default -> throw new IllegalStateException("No decision while " + state.status());
    }
    next = next.withAnswer(answer);
    challenges.put(key, next);
    emitOutcome(key, next, answer, now);
    return next;
  }

  /** Expires a pending challenge now; the caller stores the returned state. */
  private ChallengeState expire(String key, ChallengeState state, long now) {
    // On an attempt stamped at/after the deadline by a service clock ahead of ours, "now" can be
    // before the deadline; the event still never claims an expiry before expirationDate.
    long expiredAt = Math.max(now, state.expirationDate());
    ChallengeState next = state.withStatus(Status.EXPIRED);
    challenges.put(key, next);
    addPending(-1);
    context.forward(
        new Record<>(key, Outcomes.expired(key, state, expiredAt), now), names.expiredSink());
    emitted = true;
    metrics.expired(state.expirationDate(), now);
    metrics.decided("expired");
    return next;
  }

  private void emitOutcome(String key, ChallengeState state, Answer answer, long now) {
    context.forward(
        new Record<>(key, Outcomes.render(key, state, answer), now), names.outcomesSink());
    emitted = true;
    metrics.decided(
        answer.kind() == Answer.Kind.REJECTED
            ? "rejected-" + answer.number()
            : answer.kind().name().toLowerCase(java.util.Locale.ROOT));
  }

  private void addPending(int delta) {
    pending.addAndGet(delta);
  }

  /**
   * Writes the task's pending count to the meta store once per record or tick, and only when it
   * changed: a create that expires at once nets to zero and writes nothing.
   */
  private void persistPending() {
    long count = pending.get();
    if (count != persistedPending) {
      meta.put(PENDING_COUNT, count);
      persistedPending = count;
    }
  }

  /**
   * Adds a time-index entry and makes sure a tick comes when it is due: at {@code time} for an
   * entry the expiry scan must see, at {@code time} + retention for one only the purge will.
   * Rescheduled right here rather than at the end of {@code process}, so an exception later in the
   * same record (dead-lettered, processing goes on) cannot leave an entry without its wake-up.
   */
  private void indexPut(long time, String key, boolean forExpiry, long now) {
    index.put(time, key, forExpiry);
    if (!inTick) {
      long due = forExpiry ? time : saturatedAdd(time, settings.terminalRetention().toMillis());
      long at = tickAt(due, now);
      if (at < wakeUpAt) {
        wakeUpAt(at);
      }
    }
  }

  /**
   * Schedules the next tick for the earliest instant this task has work: the first index entry the
   * expiry scan has not handled (a deadline or the end of a parked attempt's grace) or the first
   * entry whose retention ends (purge); none when the index is empty. Between now and then the task
   * has no punctuation at all, so an idle task costs nothing (every punctuation makes Streams
   * commit the task, one transaction per commit interval even with nothing to write).
   */
  private void scheduleNextTick(long now) {
    long due =
        Math.min(
            index.nextForExpiry(),
            saturatedAdd(index.nextForPurge(), settings.terminalRetention().toMillis()));
    if (due == Long.MAX_VALUE) {
      cancelWakeUp();
    } else {
      wakeUpAt(tickAt(due, now));
    }
  }

  /**
   * The tick for work due at {@code due}, strictly after {@code now} so a tick never schedules
   * itself into the punctuation loop that is running it. On the grid (default): the first multiple
   * of the punctuation interval at or after {@code due} (KIP-1146 anchoring, so the tasks of a
   * thread tick together). At the due instant: exactly {@code due}, but no sooner than one interval
   * after this task's previous tick, so under load a task still ticks at most once per interval.
   */
  long tickAt(long due, long now) {
    long interval = settings.punctuationInterval().toMillis();
    long at = Math.max(due, now + 1);
    if (settings.tickAlignment() == ExpirySettings.TickAlignment.DUE) {
      return Math.max(at, saturatedAdd(lastTickAt, interval));
    }
    long offGrid = Math.floorMod(at, interval);
    return offGrid == 0 ? at : saturatedAdd(at - offGrid, interval);
  }

  private void wakeUpAt(long at) {
    cancelWakeUp();
    // The interval only matters if a tick throws before it reschedules (the punctuation then
    // repeats on the grid, as a fixed tick would), or if the instant has passed by the time
    // Streams registers it (it moves to the next grid slot).
    wakeUp =
        context.schedule(
            Instant.ofEpochMilli(at),
            settings.punctuationInterval(),
            PunctuationType.WALL_CLOCK_TIME,
            this::tick);
    wakeUpAt = at;
  }

  private void cancelWakeUp() {
    if (wakeUp != null) {
      wakeUp.cancel();
      wakeUp = null;
    }
    wakeUpAt = Long.MAX_VALUE;
  }

  private static long saturatedAdd(long a, long b) {
    long r = a + b;
    return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
  }

  /**
   * One punctuation: expire what is due from the expiry cursor up to now, then, with what is left
   * of the budget, purge settled challenges whose retention ended. Bounded by the tick's time
   * budget and count; what is left resumes on the next tick.
   */
  void tick(long punctuationTime) {
    long startNanos = System.nanoTime();
    // Streams runs every schedule due at punctuationTime in one loop: the next tick must be
    // strictly after it, whatever the context's cached clock says.
    long now = Math.max(context.currentSystemTimeMs(), punctuationTime);
    lastTickAt = now;
    int handled;
    inTick = true;
    try {
      handled = expireAndPurge(now, startNanos + settings.tickTimeBudget().toNanos());
    } finally {
      // On an exception the punctuation stays scheduled and repeats one interval later.
      inTick = false;
    }
    persistPending();
    scheduleNextTick(now);
    // No commit request here: expired events become visible at the next commit interval
    // (Streams marks the task for commit after every punctuation). Requesting one after each tick
    // that emitted collapses throughput: Streams halves the records it processes per loop after
    // every commit, and at 5 000 new challenges/s the lateness went from 74 ms (p99) to 16 s with a
    // request per tick, and to 25 s with at most one request per thread per 5 ms.
    metrics.tick(System.nanoTime() - startNanos, handled);
  }

  /** The work of one tick; returns the index entries handled. */
  private int expireAndPurge(long now, long budgetEnd) {
    int max = settings.tickMaxCount();
    TimeIndex.Batch due = index.dueForExpiry(now, max);
    int i = 0;
    for (; i < due.entries().size(); i++) {
      if ((i & 31) == 31 && System.nanoTime() > budgetEnd) {
        break;
      }
      onDue(due.entries().get(i), now);
    }
    index.expiryHandled(due, i);
    int handled = i;

    boolean expiryDone = i == due.entries().size() && due.exhausted();
    if (expiryDone && handled < max && System.nanoTime() < budgetEnd) {
      // Only entries the expiry scan has passed are purged, so the purge never touches a
      // challenge that still waits for its deadline.
      long upTo =
          Math.min(now - settings.terminalRetention().toMillis(), index.expiryCursorTime() - 1);
      TimeIndex.Batch old = index.dueForPurge(upTo, max - handled);
      int j = 0;
      for (; j < old.entries().size(); j++) {
        if ((j & 31) == 31 && System.nanoTime() > budgetEnd) {
          break;
        }
        purge(old.entries().get(j));
      }
      index.purgeHandled(old, j);
      handled += j;
    }
    return handled;
  }

  /** Handles one due index entry; returns the number of events emitted. */
  private int onDue(TimeIndex.Entry entry, long now) {
    String key = entry.challengeKey();
    ChallengeState state;
    try {
      state = challenges.get(key);
    } catch (RuntimeException e) {
      // A poison record must not stall the scan forever (the cursor could never pass it): log,
      // drop its index entry and move on.
      LOG.error("Unreadable state for challenge {}; dropping its timer", key, e);
      index.delete(entry.key());
      return 0;
    }
    if (state == null || state.indexAt() != entry.time()) {
      index.delete(entry.key());
      return 0;
    }
    if (state.status() == Status.PENDING) {
      expire(key, state, now);
      return 1;
    }
    if (state.status() == Status.AWAITING) {
      return onAwaitingDue(key, state, entry, now);
    }
    return 0;
  }

  /**
   * The grace of an unknown challenge's parked attempts ended. A lagging task can read an attempt
   * long before the create that preceded it (different topics), so 20404 is answered only once this
   * task has processed a ChallengeCreated stamped at least a second after the newest parked attempt
   * (so the create would have been read by now), or after {@link #UNKNOWN_MAX_WAITS} graces in all
   * (a task that sees no creates at all); otherwise the wait is extended.
   */
  private int onAwaitingDue(String key, ChallengeState state, TimeIndex.Entry entry, long now) {
    long newest = state.parked().stream().mapToLong(ParkedAttempt::attemptAt).max().orElse(0);
    long oldest = state.parked().stream().mapToLong(ParkedAttempt::attemptAt).min().orElse(0);
    long grace = settings.unknownGrace().toMillis();
    boolean createsPassed = createdStreamTime >= newest + 1_000;
    boolean waitedLongEnough = now - oldest >= UNKNOWN_MAX_WAITS * Math.max(grace, 1_000);
    if (!createsPassed && !waitedLongEnough) {
      long later = now + Math.max(grace, 1_000);
      index.delete(entry.key());
      indexPut(later, key, true, now);
      challenges.put(key, state.reindexed(later));
      return 0;
    }
    ChallengeState next = state.unknown();
    for (ParkedAttempt p : state.parked()) {
      if (next.answerTo(p.attemptId()).isEmpty()) {
        Answer answer = Answer.rejected(p.attemptId(), now, Outcomes.NOT_FOUND);
        next = next.withAnswer(answer);
        emitOutcome(key, stateFor(next, p), answer, now);
      }
    }
    challenges.put(key, next);
    return state.parked().size();
  }

  /** A 20404 echoes what the attempt itself said, since no challenge is known. */
  private static ChallengeState stateFor(ChallengeState s, ParkedAttempt p) {
    return new ChallengeState(
        s.status(),
        s.indexAt(),
        s.expirationDate(),
        p.serviceSid(),
        p.identity(),
        p.factorSid(),
        s.failedAttempts(),
        s.answers(),
        s.parked());
  }

  private void purge(TimeIndex.Entry entry) {
    ChallengeState state = challenges.get(entry.challengeKey());
    if (state != null && state.indexAt() == entry.time()) {
      if (!state.status().settled()) {
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
