package io.lapse.expiry.decision;

import io.lapse.events.v1.ChallengeCreated;
import io.lapse.events.v1.VerificationAttempted;

/** What can happen to one challenge, as the arbiter sees it. */
public sealed interface ArbiterEvent {

  /** A ChallengeCreated was read. */
  record Created(ChallengeCreated event) implements ArbiterEvent {}

  /** A VerificationAttempted was read. */
  record Attempt(VerificationAttempted event) implements ArbiterEvent {}

  /**
   * The time of the challenge's time-index entry has come: its deadline (pending) or the end of its
   * parked attempts' grace (awaiting). Nothing for a settled challenge.
   */
  record Due() implements ArbiterEvent {}
}
