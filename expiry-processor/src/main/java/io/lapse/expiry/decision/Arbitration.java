package io.lapse.expiry.decision;

import io.lapse.contract.Deadline;
import io.lapse.contract.TwilioError;
import io.lapse.events.v1.ChallengeCreated;
import io.lapse.expiry.ExpirySettings;
import io.lapse.expiry.state.Answer;
import io.lapse.expiry.state.ArbiterRecord;
import io.lapse.expiry.state.ArbiterRecord.Phase;
import io.lapse.expiry.state.ParkedAttempt;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;

/**
 * The arbiter's rules, as a pure function: (the record of one challenge or none, an event, now) →
 * (the next record, the events to emit). No store, no Kafka: the expiry processor's {@code
 * ChallengeArbiter} feeds it what it reads and applies what it returns, and the challenge service's
 * tests use it as their stand-in for the processor. See {@code docs/architecture.md}, "Who decides
 * what".
 *
 * <p>For an attempt on a challenge that is:
 *
 * <ul>
 *   <li>already answered for this attempt id: the remembered answer again, identical, counted once;
 *       but a repeat of the attempt that approved or denied the challenge (a client retry) is
 *       answered 60322, so there is never a second terminal event;
 *   <li>pending, attempt stamped at or after the deadline ({@link Deadline#hasPassedAt}): 60323,
 *       and the challenge expires at once;
 *   <li>pending and locked by failures: 60308;
 *   <li>pending: approved or denied as the attempt says, or for a wrong code a failure with the
 *       count, except the failure that reaches the limit (5, as Twilio), which is answered 60308;
 *   <li>expired: 60323; approved or denied: 60322;
 *   <li>not created (yet): the attempt is parked, up to a grace period, for its ChallengeCreated
 *       (the two come from different topics, so a task can read them in either order), then 20404.
 * </ul>
 *
 * <p><b>After the attempt limit</b> the challenge stays pending but locked until its deadline, then
 * expires normally; every further attempt before the deadline is answered 60308, as Twilio answers
 * 429/60308 to further tries on a challenge that stays {@code pending} until it expires (a 60308
 * does not end a challenge, only the deadline or a response does).
 *
 * <p>A ChallengeCreated for a challenge already known is a duplicate and changes nothing; one whose
 * deadline has already passed expires at once, after deciding the attempts parked for it.
 */
public final class Arbitration {
  /**
   * An unknown challenge's parked attempts are answered 20404 after this many graces in all, even
   * when no later create shows that their own create is not coming (a task that reads no creates).
   */
  public static final int UNKNOWN_MAX_WAITS = 6;

  /** How far past the newest parked attempt a create must be stamped to prove its absence. */
  private static final long CREATES_PASSED_MARGIN_MS = 1_000;

  private final int maxFailedAttempts;
  private final long unknownGraceMs;

  public Arbitration(ExpirySettings settings) {
    this.maxFailedAttempts = settings.maxFailedAttempts();
    this.unknownGraceMs = settings.unknownGrace().toMillis();
  }

  /**
   * Decides one event of challenge {@code sid}.
   *
   * @param current the arbiter's record of the challenge, or null if it has none
   * @param now the arbiter's clock (epoch ms): the decision time stamped on every answer
   * @param createsSeenUpTo the highest timestamp of a ChallengeCreated the caller has read (used by
   *     {@link ArbiterEvent.Due} on a challenge that was never created)
   */
  public Decision decide(
      String sid, ArbiterRecord current, ArbiterEvent event, long now, long createsSeenUpTo) {
    Step step = new Step(sid, current, now);
    if (event instanceof ArbiterEvent.Created c) {
      step.created(c.event());
    } else if (event instanceof ArbiterEvent.Attempt a) {
      step.attempt(ParkedAttempt.of(a.event(), a.judgedAt()));
    } else {
      step.due(createsSeenUpTo);
    }
    return step.decision();
  }

  /** One decision being built: the record as it evolves and what it emits. */
  private final class Step {
    private final String sid;
    private final ArbiterRecord original;
    private final long now;
    private ArbiterRecord record;
    private final List<SpecificRecord> emitted = new ArrayList<>(2);
    private final List<String> labels = new ArrayList<>(2);
    private int pendingDelta;

    Step(String sid, ArbiterRecord current, long now) {
      this.sid = sid;
      this.original = current;
      this.record = current;
      this.now = now;
    }

    Decision decision() {
      return new Decision(record, record != original, emitted, pendingDelta, labels);
    }

    void created(ChallengeCreated created) {
      if (record != null && record.phase() != Phase.AWAITING && record.phase() != Phase.UNKNOWN) {
        labels.add("duplicate-created");
        return;
      }
      long deadline = created.getExpirationDate().toEpochMilli();
      List<ParkedAttempt> parked = record == null ? List.of() : record.parked();
      record =
          record == null
              ? ArbiterRecord.pending(
                  deadline, created.getServiceSid(), created.getIdentity(), created.getFactorSid())
              : record.created(
                  deadline, created.getServiceSid(), created.getIdentity(), created.getFactorSid());
      pendingDelta++;
      for (ParkedAttempt p : parked) {
        decide(p);
      }
      if (record.phase() == Phase.PENDING && new Deadline(deadline).hasPassedAt(now)) {
        expire();
      }
    }

    void attempt(ParkedAttempt attempt) {
      if (record == null) {
        record = ArbiterRecord.awaiting(now + unknownGraceMs, attempt);
      } else if (record.phase() == Phase.AWAITING) {
        if (!record.hasParked(attempt.attemptId())) {
          record = record.withParked(attempt);
        }
      } else {
        decide(attempt);
      }
    }

    void due(long createsSeenUpTo) {
      if (record == null) {
        return;
      }
      switch (record.phase()) {
        case PENDING -> expire();
        case AWAITING -> awaitingDue(createsSeenUpTo);
        default -> {
          // Settled: the entry stays for the retention purge.
        }
      }
    }

    /** Decides one attempt on a created challenge. */
    private void decide(ParkedAttempt attempt) {
      String attemptId = attempt.attemptId();
      var previous = record.answerTo(attemptId);
      if (previous.isPresent()) {
        Answer again = previous.get();
        if (again.kind() == Answer.Kind.APPROVED || again.kind() == Answer.Kind.DENIED) {
          // A second ChallengeApproved/Denied on the wire would break "one terminal event per
          // challenge". The service recognises its own decision in its view (where the first
          // answer already is) and replies 200 with it.
          again = Answer.rejected(attemptId, now, TwilioError.CHALLENGE_ALREADY_RESPONDED);
        }
        emit(again);
        return;
      }
      Answer answer =
          switch (record.phase()) {
            case PENDING -> decidePending(attempt);
            case EXPIRED -> Answer.rejected(attemptId, now, TwilioError.CHALLENGE_EXPIRED);
            case APPROVED, DENIED ->
                Answer.rejected(attemptId, now, TwilioError.CHALLENGE_ALREADY_RESPONDED);
            case UNKNOWN -> Answer.rejected(attemptId, now, TwilioError.NOT_FOUND);
            case AWAITING -> throw new IllegalStateException("No decision while awaiting");
          };
      record = record.withAnswer(answer);
      emit(answer);
    }

    private Answer decidePending(ParkedAttempt attempt) {
      String attemptId = attempt.attemptId();
      if (new Deadline(record.expirationDate()).hasPassedAt(attempt.attemptAt())) {
        expire();
        return Answer.rejected(attemptId, now, TwilioError.CHALLENGE_EXPIRED);
      }
      if (record.failedAttempts() >= maxFailedAttempts) {
        return Answer.rejected(attemptId, now, TwilioError.CHALLENGE_ATTEMPTS_LIMIT);
      }
      return switch (attempt.outcome()) {
        case APPROVED -> {
          settle(Phase.APPROVED);
          yield Answer.approved(attemptId, now, attempt.attemptAt(), attempt.metadata());
        }
        case DENIED -> {
          settle(Phase.DENIED);
          yield Answer.denied(attemptId, now, attempt.attemptAt(), attempt.metadata());
        }
        case WRONG_CODE -> {
          int failed = record.failedAttempts() + 1;
          record = record.withFailedAttempts(failed);
          yield failed >= maxFailedAttempts
              ? Answer.rejected(attemptId, now, TwilioError.CHALLENGE_ATTEMPTS_LIMIT)
              : Answer.failed(attemptId, now, failed);
        }
      };
    }

    private void settle(Phase phase) {
      record = record.withPhase(phase);
      pendingDelta--;
    }

    /** Expires the pending challenge now. */
    private void expire() {
      // After an attempt stamped at/after the deadline by a service clock ahead of ours, "now" can
      // be before the deadline; the event still never claims an expiry before expirationDate.
      long expiredAt = new Deadline(record.expirationDate()).expiredAt(now);
      emitted.add(Outcomes.expired(sid, record, expiredAt));
      labels.add("expired");
      settle(Phase.EXPIRED);
    }

    /**
     * The grace of an unknown challenge's parked attempts ended. A lagging task can read an attempt
     * long before the create that preceded it (different topics), so 20404 is answered only once a
     * ChallengeCreated stamped at least a second after the newest parked attempt was read (the
     * create would have been read by now), or after {@link #UNKNOWN_MAX_WAITS} graces in all (a
     * task that reads no creates at all); otherwise the wait is extended.
     */
    private void awaitingDue(long createsSeenUpTo) {
      long newest = record.parked().stream().mapToLong(ParkedAttempt::attemptAt).max().orElse(0);
      long oldest = record.parked().stream().mapToLong(ParkedAttempt::attemptAt).min().orElse(0);
      long wait = Math.max(unknownGraceMs, CREATES_PASSED_MARGIN_MS);
      boolean createsPassed = createsSeenUpTo >= newest + CREATES_PASSED_MARGIN_MS;
      boolean waitedLongEnough = now - oldest >= UNKNOWN_MAX_WAITS * wait;
      if (!createsPassed && !waitedLongEnough) {
        record = record.reindexed(now + wait);
        return;
      }
      List<ParkedAttempt> parked = record.parked();
      record = record.unknown();
      for (ParkedAttempt p : parked) {
        if (record.answerTo(p.attemptId()).isEmpty()) {
          Answer answer = Answer.rejected(p.attemptId(), now, TwilioError.NOT_FOUND);
          record = record.withAnswer(answer);
          // No challenge is known: a 20404 echoes what the attempt itself said.
          emitted.add(Outcomes.render(sid, record.echoing(p), answer));
          labels.add(Outcomes.label(answer));
        }
      }
    }

    private void emit(Answer answer) {
      emitted.add(Outcomes.render(sid, record, answer));
      labels.add(Outcomes.label(answer));
    }
  }
}
