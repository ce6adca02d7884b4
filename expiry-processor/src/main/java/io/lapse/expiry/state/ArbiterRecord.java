package io.lapse.expiry.state;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The arbiter's record of one challenge, in the challenge store of its task: what the expiry
 * processor needs to decide the challenge's attempts and its expiry (not the challenge service's
 * view of a challenge, which is another type).
 *
 * <p>One store holds pending and settled challenges, told apart by {@link #phase}: settling a
 * challenge rewrites its record in place (one put, one changelog record) instead of moving it to
 * another store (a delete plus a put, two changelog records), which matters at the drain rates the
 * processor aims for. Every record has exactly one entry in the time index, at {@link #indexAt}:
 * the deadline for a pending challenge (the expiry scan acts on it), the end of the grace for an
 * awaiting one, and the same instant for a settled one (the retention purge acts on it {@code
 * retention} later).
 *
 * @param phase where the challenge is in its lifecycle
 * @param indexAt the time of this challenge's time-index entry (epoch ms)
 * @param expirationDate the challenge's deadline (epoch ms), or {@link #NO_DEADLINE}
 * @param serviceSid echoed in every outcome
 * @param identity echoed in every outcome
 * @param factorSid echoed in every outcome
 * @param failedAttempts wrong codes counted so far
 * @param answers answers given so far, newest last, bounded (see {@link #withAnswer})
 * @param parked attempts waiting for the challenge's ChallengeCreated ({@link Phase#AWAITING})
 */
public record ArbiterRecord(
    Phase phase,
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

  /**
   * Lifecycle of a challenge in the processor. Each phase is stored as its {@link #code()}, which
   * never changes once released: a new phase takes a new code, whatever its place in this list.
   */
  public enum Phase {
    /** Created, undecided, deadline in the time index. */
    PENDING(0),
    /**
     * Not created yet, but attempts arrived: they wait, up to a grace period, in {@link #parked}.
     */
    AWAITING(1),
    /** Terminal: approved. */
    APPROVED(2),
    /** Terminal: denied. */
    DENIED(3),
    /** Terminal: expired. */
    EXPIRED(4),
    /** Never created within the grace period: its attempts were answered 20404. */
    UNKNOWN(5);

    private final byte code;

    Phase(int code) {
      this.code = (byte) code;
    }

    /** The byte this phase is stored as. */
    public byte code() {
      return code;
    }

    /**
     * The phase stored as {@code code}.
     *
     * @throws IllegalArgumentException for a code no phase has (a newer writer, or corruption)
     */
    public static Phase fromCode(byte code) {
      for (Phase p : values()) {
        if (p.code == code) {
          return p;
        }
      }
      throw new IllegalArgumentException("Unknown arbiter record phase code " + code);
    }

    /** True once the challenge's outcome is final (only the retention purge changes it). */
    public boolean settled() {
      return this != PENDING && this != AWAITING;
    }
  }

  public ArbiterRecord {
    answers = List.copyOf(answers);
    parked = List.copyOf(parked);
  }

  /** A newly created, pending challenge. */
  public static ArbiterRecord pending(
      long expirationDate, String serviceSid, String identity, String factorSid) {
    return new ArbiterRecord(
        Phase.PENDING,
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
  public static ArbiterRecord awaiting(long awaitUntil, ParkedAttempt first) {
    return new ArbiterRecord(
        Phase.AWAITING,
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

  /** True when an attempt with this id is already parked. */
  public boolean hasParked(String attemptId) {
    return parked.stream().anyMatch(p -> p.attemptId().equals(attemptId));
  }

  /** A copy that remembers one more answer, forgetting the oldest beyond {@link #MAX_ANSWERS}. */
  public ArbiterRecord withAnswer(Answer answer) {
    List<Answer> next = new ArrayList<>(answers.size() + 1);
    next.addAll(answers);
    next.add(answer);
    while (next.size() > MAX_ANSWERS) {
      next.remove(0);
    }
    return new ArbiterRecord(
        phase,
        indexAt,
        expirationDate,
        serviceSid,
        identity,
        factorSid,
        failedAttempts,
        next,
        parked);
  }

  public ArbiterRecord withPhase(Phase next) {
    return new ArbiterRecord(
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

  public ArbiterRecord withFailedAttempts(int count) {
    return new ArbiterRecord(
        phase, indexAt, expirationDate, serviceSid, identity, factorSid, count, answers, parked);
  }

  /** A copy with one more parked attempt, dropping it when {@link #MAX_PARKED} are waiting. */
  public ArbiterRecord withParked(ParkedAttempt attempt) {
    if (parked.size() >= MAX_PARKED) {
      return this;
    }
    List<ParkedAttempt> next = new ArrayList<>(parked);
    next.add(attempt);
    return new ArbiterRecord(
        phase,
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
   * A copy whose parked attempts are only {@code kept} (those that may still decide once the
   * challenge is created; the others were refused).
   */
  public ArbiterRecord keepingParked(List<ParkedAttempt> kept) {
    return new ArbiterRecord(
        phase,
        indexAt,
        expirationDate,
        serviceSid,
        identity,
        factorSid,
        failedAttempts,
        answers,
        kept);
  }

  /**
   * The awaited challenge arrived: it becomes pending with its own deadline and identity; answers
   * already given (20404s, if it was settled as unknown before its create arrived) stay.
   */
  public ArbiterRecord created(
      long deadline, String serviceSid, String identity, String factorSid) {
    return new ArbiterRecord(
        Phase.PENDING, deadline, deadline, serviceSid, identity, factorSid, 0, answers, List.of());
  }

  /** The same record with its time-index entry moved to {@code time}. */
  public ArbiterRecord reindexed(long time) {
    return new ArbiterRecord(
        phase,
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
  public ArbiterRecord unknown() {
    return new ArbiterRecord(
        Phase.UNKNOWN,
        indexAt,
        expirationDate,
        serviceSid,
        identity,
        factorSid,
        failedAttempts,
        answers,
        List.of());
  }

  /** This record as seen by the outcome of one parked attempt: its identity fields echoed. */
  public ArbiterRecord echoing(ParkedAttempt attempt) {
    return new ArbiterRecord(
        phase,
        indexAt,
        expirationDate,
        attempt.serviceSid(),
        attempt.identity(),
        attempt.factorSid(),
        failedAttempts,
        answers,
        parked);
  }
}
