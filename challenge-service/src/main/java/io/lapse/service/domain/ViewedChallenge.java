package io.lapse.service.domain;

import io.lapse.contract.Deadline;
import io.lapse.events.v1.ChallengeCreated;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * One challenge as this instance's {@link ChallengeView} knows it from the events: the creation
 * event, the terminal outcome if one arrived, and the notifications requested for it. It is what
 * the API reads and shows; the expiry processor keeps its own record of a challenge for deciding.
 *
 * @param created the ChallengeCreated event (everything the API shows of a new challenge)
 * @param status the stored status (never a time-derived {@code expired}; see {@link
 *     #statusAt(Instant)})
 * @param respondedAt date_responded, null while not answered
 * @param updatedAt date_updated
 * @param metadata the verification's metadata, null if none
 * @param decidedAttemptId the attempt that approved or denied it, null otherwise
 * @param notificationSids the notifications requested so far (their count enforces the limit)
 */
public record ViewedChallenge(
    ChallengeCreated created,
    ChallengeStatus status,
    Instant respondedAt,
    Instant updatedAt,
    Map<String, String> metadata,
    String decidedAttemptId,
    Set<String> notificationSids) {

  public ViewedChallenge {
    notificationSids = Set.copyOf(notificationSids);
    metadata = metadata == null ? null : Map.copyOf(metadata);
  }

  public static ViewedChallenge of(ChallengeCreated created) {
    return new ViewedChallenge(
        created, ChallengeStatus.PENDING, null, created.getCreatedAt(), null, null, Set.of());
  }

  public String sid() {
    return created.getSid();
  }

  /** The expiration date as published in ChallengeCreated. */
  public Instant expirationDate() {
    return created.getExpirationDate();
  }

  /** The expiration date and the contract's rule about it. */
  public Deadline deadline() {
    return Deadline.of(created.getExpirationDate());
  }

  public SortKey sortKey() {
    return SortKey.of(created.getCreatedAt(), created.getSid());
  }

  /**
   * The status as shown at {@code now}: a pending challenge whose deadline has passed is expired,
   * even before the expiry event arrives.
   */
  public ChallengeStatus statusAt(Instant now) {
    return expiredByTimeAt(now) ? ChallengeStatus.EXPIRED : status;
  }

  /** date_updated as shown at {@code now}: a time-derived expiry updated it at the deadline. */
  public Instant updatedAt(Instant now) {
    return expiredByTimeAt(now) ? expirationDate() : updatedAt;
  }

  private boolean expiredByTimeAt(Instant now) {
    return status == ChallengeStatus.PENDING && deadline().hasPassedAt(now);
  }

  ViewedChallenge answered(
      ChallengeStatus newStatus,
      Instant respondedAt,
      Instant decidedAt,
      Map<String, String> md,
      String attemptId) {
    return new ViewedChallenge(
        created, newStatus, respondedAt, decidedAt, md, attemptId, notificationSids);
  }

  ViewedChallenge expired(Instant expiredAt) {
    return new ViewedChallenge(
        created, ChallengeStatus.EXPIRED, null, expiredAt, null, null, notificationSids);
  }

  ViewedChallenge withNotification(String notificationSid) {
    Set<String> more = new HashSet<>(notificationSids);
    more.add(notificationSid);
    return new ViewedChallenge(
        created, status, respondedAt, updatedAt, metadata, decidedAttemptId, more);
  }
}
