package io.lapse.service.domain;

import io.lapse.events.v1.ChallengeApproved;
import io.lapse.events.v1.ChallengeCreated;
import io.lapse.events.v1.ChallengeDenied;
import io.lapse.events.v1.ChallengeExpired;
import io.lapse.events.v1.NotificationRequested;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * The challenges this instance can answer reads for, materialized from the events (created,
 * outcomes, expired, notifications). Every apply is idempotent, because an event may reach it
 * twice: once when this instance's own publish is acknowledged (read-your-writes) and once through
 * the follower.
 *
 * <p>Events of different topics are not ordered with respect to each other, so an outcome, expiry
 * or notification that arrives before its challenge is parked and replayed when the challenge
 * arrives. Parked events are stamped by the same clock that later decides their eviction.
 */
public final class ChallengeView {
  private record Parked(Instant parkedAt, Object event) {}

  private final Clock clock;

  private final Map<String, ViewedChallenge> bySid = new ConcurrentHashMap<>();
  private final Map<String, NavigableSet<SortKey>> byEntity = new ConcurrentHashMap<>();
  private final Map<String, List<Parked>> parked = new ConcurrentHashMap<>();

  /** Requests waiting for a challenge's ChallengeCreated ({@link #whenCreated}); guarded by it. */
  private final Map<String, List<CompletableFuture<Optional<ViewedChallenge>>>> arrivals =
      new HashMap<>();

  public ChallengeView(Clock clock) {
    this.clock = clock;
  }

  /** The key of an entity's challenge list. */
  static String entityKey(String serviceSid, String identity) {
    return serviceSid + "/" + identity;
  }

  public void applyCreated(ChallengeCreated event) {
    ViewedChallenge fresh = ViewedChallenge.of(event);
    if (bySid.putIfAbsent(event.getSid(), fresh) != null) {
      return;
    }
    List<CompletableFuture<Optional<ViewedChallenge>>> waiting;
    synchronized (arrivals) {
      waiting = arrivals.remove(event.getSid());
    }
    if (waiting != null) {
      // The requests waiting for a challenge another instance created (whenCreated).
      waiting.forEach(w -> w.complete(Optional.of(fresh)));
    }
    byEntity
        .computeIfAbsent(
            entityKey(event.getServiceSid(), event.getIdentity()),
            k -> new ConcurrentSkipListSet<>())
        .add(fresh.sortKey());
    List<Parked> early = parked.remove(event.getSid());
    if (early != null) {
      early.forEach(p -> applyEvent(p.event(), p.parkedAt()));
    }
  }

  /** Applies any record of challenge-outcomes; only approvals and denials change the view. */
  public void applyOutcome(Object outcome) {
    applyEvent(outcome, clock.instant());
  }

  public void applyExpired(ChallengeExpired event) {
    applyEvent(event, clock.instant());
  }

  public void applyNotification(NotificationRequested event) {
    applyEvent(event, clock.instant());
  }

  private void applyEvent(Object event, Instant receivedAt) {
    if (event instanceof ChallengeApproved a) {
      update(
          a.getSid(),
          a,
          receivedAt,
          s ->
              s.status() == ChallengeStatus.PENDING
                  ? s.answered(
                      ChallengeStatus.APPROVED,
                      a.getRespondedAt(),
                      a.getDecidedAt(),
                      a.getMetadata(),
                      a.getAttemptId())
                  : s);
    } else if (event instanceof ChallengeDenied d) {
      update(
          d.getSid(),
          d,
          receivedAt,
          s ->
              s.status() == ChallengeStatus.PENDING
                  ? s.answered(
                      ChallengeStatus.DENIED,
                      d.getRespondedAt(),
                      d.getDecidedAt(),
                      d.getMetadata(),
                      d.getAttemptId())
                  : s);
    } else if (event instanceof ChallengeExpired e) {
      update(
          e.getSid(),
          e,
          receivedAt,
          s -> s.status() == ChallengeStatus.PENDING ? s.expired(e.getExpiredAt()) : s);
    } else if (event instanceof NotificationRequested n) {
      update(n.getSid(), n, receivedAt, s -> s.withNotification(n.getNotificationSid()));
    }
    // VerificationFailed and VerificationRejected leave the challenge as it is.
  }

  private void update(
      String sid, Object event, Instant receivedAt, UnaryOperator<ViewedChallenge> change) {
    ViewedChallenge now = bySid.computeIfPresent(sid, (k, s) -> change.apply(s));
    if (now == null) {
      parked
          .computeIfAbsent(sid, k -> Collections.synchronizedList(new ArrayList<>()))
          .add(new Parked(receivedAt, event));
      // The challenge may have arrived between the failed update and the parking.
      if (bySid.containsKey(sid)) {
        List<Parked> early = parked.remove(sid);
        if (early != null) {
          early.forEach(p -> applyEvent(p.event(), p.parkedAt()));
        }
      }
    }
  }

  public Optional<ViewedChallenge> get(String sid) {
    return Optional.ofNullable(bySid.get(sid));
  }

  /**
   * The challenge, waiting up to {@code timeout} for its ChallengeCreated to arrive, on the
   * caller's thread (a webhook sender's, never a request's).
   *
   * @return empty if it did not arrive in time
   */
  public Optional<ViewedChallenge> await(String sid, Duration timeout) {
    return whenCreated(sid, timeout).join();
  }

  /**
   * The challenge once its ChallengeCreated has arrived, without a thread waiting: completed by the
   * apply that brings it, or empty once {@code timeout} has passed.
   */
  public CompletableFuture<Optional<ViewedChallenge>> whenCreated(String sid, Duration timeout) {
    CompletableFuture<Optional<ViewedChallenge>> arrival = new CompletableFuture<>();
    synchronized (arrivals) {
      // Checked under the lock: applyCreated stores the challenge before it takes the waiters.
      Optional<ViewedChallenge> known = get(sid);
      if (known.isPresent()) {
        return CompletableFuture.completedFuture(known);
      }
      arrivals.computeIfAbsent(sid, k -> new ArrayList<>()).add(arrival);
    }
    return arrival
        .completeOnTimeout(Optional.empty(), timeout.toNanos(), TimeUnit.NANOSECONDS)
        .whenComplete((found, error) -> forget(sid, arrival));
  }

  private void forget(String sid, CompletableFuture<Optional<ViewedChallenge>> arrival) {
    synchronized (arrivals) {
      List<CompletableFuture<Optional<ViewedChallenge>>> waiting = arrivals.get(sid);
      if (waiting != null && waiting.remove(arrival) && waiting.isEmpty()) {
        arrivals.remove(sid);
      }
    }
  }

  /** Requests waiting for a ChallengeCreated now. */
  int arrivalWaiters() {
    synchronized (arrivals) {
      return arrivals.values().stream().mapToInt(List::size).sum();
    }
  }

  /** An entity's challenges in creation order (a live view; items may vanish by retention). */
  public NavigableSet<SortKey> entityChallenges(String serviceSid, String identity) {
    NavigableSet<SortKey> keys = byEntity.get(entityKey(serviceSid, identity));
    return keys == null ? new ConcurrentSkipListSet<>() : keys;
  }

  /**
   * Forgets challenges whose deadline had passed at {@code cutoff} (now minus the retention), and
   * parked events older than it.
   *
   * @return how many challenges were forgotten
   */
  public int evictBefore(Instant cutoff) {
    int evicted = 0;
    for (ViewedChallenge s : bySid.values()) {
      if (s.deadline().hasPassedAt(cutoff)) {
        ChallengeCreated c = s.created();
        NavigableSet<SortKey> keys = byEntity.get(entityKey(c.getServiceSid(), c.getIdentity()));
        if (keys != null) {
          keys.remove(s.sortKey());
        }
        bySid.remove(c.getSid());
        evicted++;
      }
    }
    parked.values().forEach(list -> list.removeIf(p -> p.parkedAt().isBefore(cutoff)));
    parked.values().removeIf(List::isEmpty);
    return evicted;
  }

  public int size() {
    return bySid.size();
  }
}
