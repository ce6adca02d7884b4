package io.lapse.expiry.state;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What the processor knows about one challenge, in the challenge store of its task.
 *
 * <p>One store holds pending and settled challenges, told apart by {@link #status}: settling a
 * challenge rewrites its record in place (one put, one changelog record) instead of moving it to
 * another store (a delete plus a put, two changelog records), which matters at the drain rates the
 * processor aims for. Every record has exactly one entry in the time index, at {@link #indexAt}:
 * the deadline for a pending challenge (the expiry scan acts on it), and the same instant for a
 * settled one (the retention purge acts on it {@code retention} later).
 *
 * @param status where the challenge is in its lifecycle
 * @param indexAt the time of this challenge's time-index entry (epoch ms)
 * @param expirationDate the challenge's deadline (epoch ms), or {@link #NO_DEADLINE}
 * @param serviceSid echoed in every outcome
 * @param identity echoed in every outcome
 * @param factorSid echoed in every outcome
 * @param failedAttempts wrong codes counted so far
 * @param answers answers given so far, newest last, bounded (see {@link #withAnswer})
 * @param parked attempts waiting for the challenge's ChallengeCreated ({@link Status#AWAITING})
 */
public record ChallengeState(
    Status status,
    long indexAt,
    long expirationDate,
    String serviceSid,
    String identity,
    String factorSid,
    int failedAttempts,
    List<Answer> answers,
    List<ParkedAttempt> parked) {

  public static final long NO_DEADLINE = Long.MIN_VALUE;

  /** Answers remembered per challenge for replay: bounds the record of a hammered challenge. */
  public static final int MAX_ANSWERS = 16;

  /** Attempts parked per unknown challenge: bounds what an unknown key can make us store. */
  public static final int MAX_PARKED = 16;

  /** Lifecycle of a challenge in the processor. */
  public enum Status {
    /** Created, undecided, deadline in the time index. */
    PENDING,
    /**
     * Not created yet, but attempts arrived: they wait, up to a grace period, in {@link #parked}.
     */
    AWAITING,
    /** Terminal: approved. */
    APPROVED,
    /** Terminal: denied. */
    DENIED,
    /** Terminal: expired. */
    EXPIRED,
    /** Never created within the grace period: its attempts were answered 20404. */
    UNKNOWN;

    public boolean settled() {
      return this != PENDING && this != AWAITING;
    }
  }

  public ChallengeState {
    answers = List.copyOf(answers);
    parked = List.copyOf(parked);
  }

  /** A newly created, pending challenge. */
  public static ChallengeState pending(
      long expirationDate, String serviceSid, String identity, String factorSid) {
    return new ChallengeState(
        Status.PENDING,
        expirationDate,
        expirationDate,
        serviceSid,
        identity,
        factorSid,
        0,
        List.of(),
        List.of());
  }

  /** An unknown challenge with a first parked attempt, waiting until {@code awaitUntil}. */
  public static ChallengeState awaiting(long awaitUntil, ParkedAttempt first) {
    return new ChallengeState(
        Status.AWAITING,
        awaitUntil,
        NO_DEADLINE,
        first.serviceSid(),
        first.identity(),
        first.factorSid(),
        0,
        List.of(),
        List.of(first));
  }

  /** The answer already given to this attempt id, if any. */
  public Optional<Answer> answerTo(String attemptId) {
    for (Answer a : answers) {
      if (a.attemptId().equals(attemptId)) {
        return Optional.of(a);
      }
    }
    return Optional.empty();
  }

  /** A copy that remembers one more answer, forgetting the oldest beyond {@link #MAX_ANSWERS}. */
  public ChallengeState withAnswer(Answer answer) {
    List<Answer> next = new ArrayList<>(answers.size() + 1);
    next.addAll(answers);
    next.add(answer);
    while (next.size() > MAX_ANSWERS) {
      next.remove(0);
    }
    return new ChallengeState(
        status,
        indexAt,
        expirationDate,
        serviceSid,
        identity,
        factorSid,
        failedAttempts,
        next,
        parked);
  }

  public ChallengeState withStatus(Status next) {
    return new ChallengeState(
        next,
        indexAt,
        expirationDate,
        serviceSid,
        identity,
        factorSid,
        failedAttempts,
        answers,
        parked);
  }

  public ChallengeState withFailedAttempts(int count) {
    return new ChallengeState(
        status, indexAt, expirationDate, serviceSid, identity, factorSid, count, answers, parked);
  }

  /** A copy with one more parked attempt, dropping it when {@link #MAX_PARKED} are waiting. */
  public ChallengeState withParked(ParkedAttempt attempt) {
    if (parked.size() >= MAX_PARKED) {
      return this;
    }
    List<ParkedAttempt> next = new ArrayList<>(parked);
    next.add(attempt);
    return new ChallengeState(
        status,
        indexAt,
        expirationDate,
        serviceSid,
        identity,
        factorSid,
        failedAttempts,
        answers,
        next);
  }

  /**
   * The awaited challenge arrived: it becomes pending with its own deadline and identity; answers
   * already given (20404s are never given while awaiting, but keep the list for symmetry) stay.
   */
  public ChallengeState created(
      long deadline, String serviceSid, String identity, String factorSid) {
    return new ChallengeState(
        Status.PENDING, deadline, deadline, serviceSid, identity, factorSid, 0, answers, List.of());
  }

  /** The same state with its time-index entry moved to {@code time}. */
  public ChallengeState reindexed(long time) {
    return new ChallengeState(
        status,
        time,
        expirationDate,
        serviceSid,
        identity,
        factorSid,
        failedAttempts,
        answers,
        parked);
  }

  /** Settled as unknown: parked attempts are answered, nothing waits any more. */
  public ChallengeState unknown() {
    return new ChallengeState(
        Status.UNKNOWN,
        indexAt,
        expirationDate,
        serviceSid,
        identity,
        factorSid,
        failedAttempts,
        answers,
        List.of());
  }
}
