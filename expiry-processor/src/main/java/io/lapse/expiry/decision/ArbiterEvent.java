package io.lapse.expiry.decision;

import io.lapse.events.v1.ChallengeCreated;
import io.lapse.events.v1.VerificationAttempted;

/** What can happen to one challenge, as the arbiter sees it. */
public sealed interface ArbiterEvent {

  /** A ChallengeCreated was read. */
  record Created(ChallengeCreated event) implements ArbiterEvent {}

  /**
   * A trusted VerificationAttempted was read.
   *
   * @param judgedAt the time its lateness is judged at (epoch ms): its {@code attemptAt}, or later
   *     when the broker appended it long after that (see {@code AttemptTrust#judgedAt})
   */
  record Attempt(VerificationAttempted event, long judgedAt) implements ArbiterEvent {
    /** An attempt judged at the time it claims. */
    public Attempt(VerificationAttempted event) {
      this(event, event.getAttemptAt().toEpochMilli());
    }
  }

  /**
   * The time of the challenge's time-index entry has come: its deadline (pending) or the end of its
   * parked attempts' grace (awaiting). Nothing for a settled challenge.
   */
  record Due() implements ArbiterEvent {}
}
