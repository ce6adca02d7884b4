package io.lapse.service.domain;

import io.lapse.contract.Deadline;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The owner's {@code challenge-records} and {@code challenge-order}, read by interactive query on
 * the instance whose entity task owns the entity (requests about an entity already run there:
 * docs/decisions/0009-partitioned-reads.md). It answers only as that running active task; anywhere
 * else, and while the task restores or moves, it answers {@link Lookup#UNAVAILABLE} and the reader
 * falls back to {@link ChallengeView}.
 */
public interface ChallengeStore {
  /**
   * What the store said: {@code answered} only from the running active owner, and then {@code
   * challenge} is authoritative for challenges created since the store exists.
   */
  record Lookup(boolean answered, Optional<ViewedChallenge> challenge) {
    public static final Lookup UNAVAILABLE = new Lookup(false, Optional.empty());

    public static Lookup of(Optional<ViewedChallenge> challenge) {
      return new Lookup(true, challenge);
    }
  }

  /** One entry of an entity's challenge list, as the order index holds it. */
  record Listed(SortKey key, String factorSid, ChallengeStatus status, Instant expirationDate) {
    /**
     * The status shown at {@code now}: a pending challenge past its deadline is expired, as {@link
     * ViewedChallenge#statusAt} shows it.
     */
    public ChallengeStatus statusAt(Instant now) {
      return status == ChallengeStatus.PENDING && Deadline.of(expirationDate).hasPassedAt(now)
          ? ChallengeStatus.EXPIRED
          : status;
    }
  }

  /** The challenge {@code sid} of the entity {@code serviceSid}/{@code identity}. */
  Lookup get(String serviceSid, String identity, String sid);

  /**
   * The entity's challenges in (createdAt, SID) order, from the order index (no record loaded);
   * empty unless this instance runs the entity's active task.
   */
  Optional<List<Listed>> entries(String serviceSid, String identity);

  /**
   * Completes once the owner's task has applied the settlement that attempt {@code attemptId}'s
   * approval or denial became (its reply on {@code lapse-replies}), or exceptionally after {@code
   * timeout}. Register before the attempt is submitted.
   */
  CompletableFuture<?> awaitSettled(String attemptId, Duration timeout);

  /** No store (unit tests of the HTTP layer): every read falls back to the view. */
  ChallengeStore NONE =
      new ChallengeStore() {
        @Override
        public Lookup get(String serviceSid, String identity, String sid) {
          return Lookup.UNAVAILABLE;
        }

        @Override
        public Optional<List<Listed>> entries(String serviceSid, String identity) {
          return Optional.empty();
        }

        @Override
        public CompletableFuture<?> awaitSettled(String attemptId, Duration timeout) {
          return CompletableFuture.completedFuture(null);
        }
      };
}
