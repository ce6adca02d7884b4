package io.lapse.service.domain;

import io.lapse.events.v1.ChallengeCreated;
import java.time.Instant;
import java.util.Map;
import java.util.Set;

/**
 * What the view knows of one challenge: the creation event, the terminal outcome if one arrived,
 * and the notifications requested for it.
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
public record ChallengeState(
    ChallengeCreated created,
    ChallengeStatus status,
    Instant respondedAt,
    Instant updatedAt,
    Map<String, String> metadata,
    String decidedAttemptId,
    Set<String> notificationSids) {

  public ChallengeState {
    notificationSids = Set.copyOf(notificationSids);
    metadata = metadata == null ? null : Map.copyOf(metadata);
  }

  public static ChallengeState of(ChallengeCreated created) {
    return new ChallengeState(
        created, ChallengeStatus.PENDING, null, created.getCreatedAt(), null, null, Set.of());
  }

  public String sid() {
    return created.getSid();
  }

  public Instant expirationDate() {
    return created.getExpirationDate();
  }

  public SortKey sortKey() {
    return SortKey.of(created.getCreatedAt(), created.getSid());
  }

  /**
   * The status as shown at {@code now}: a pending challenge at or past its deadline is expired,
   * even before the expiry event arrives.
   */
  public ChallengeStatus statusAt(Instant now) {
    if (status == ChallengeStatus.PENDING && !now.isBefore(expirationDate())) {
      return ChallengeStatus.EXPIRED;
    }
    return status;
  }

  /** date_updated as shown at {@code now}: a time-derived expiry updated it at the deadline. */
  public Instant updatedAt(Instant now) {
    if (status == ChallengeStatus.PENDING && !now.isBefore(expirationDate())) {
      return expirationDate();
    }
    return updatedAt;
  }

  ChallengeState answered(
      ChallengeStatus newStatus,
      Instant respondedAt,
      Instant decidedAt,
      Map<String, String> md,
      String attemptId) {
    return new ChallengeState(
        created, newStatus, respondedAt, decidedAt, md, attemptId, notificationSids);
  }

  ChallengeState expired(Instant expiredAt) {
    return new ChallengeState(
        created, ChallengeStatus.EXPIRED, null, expiredAt, null, null, notificationSids);
  }

  ChallengeState withNotification(String notificationSid) {
    Set<String> more = new java.util.HashSet<>(notificationSids);
    more.add(notificationSid);
    return new ChallengeState(
        created, status, respondedAt, updatedAt, metadata, decidedAttemptId, more);
  }
}
