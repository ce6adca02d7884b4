package io.lapse.service.domain;

import io.lapse.state.v1.EntitySnapshot;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reads of challenges: one challenge of an entity, or an entity's challenges filtered and paged,
 * each with its status as shown now. Answered from the owner's {@link ChallengeStore} (the request
 * runs on the entity's owner); from this instance's {@link ChallengeView} only where the store
 * cannot answer: a challenge created before the store existed (until one retention period after the
 * upgrade), or a store that is not this instance's running active task. Each such read is counted
 * ({@link #fromView}), so the fallback can be removed once it stays at zero
 * (docs/decisions/0009-partitioned-reads.md).
 */
public final class Challenges {
  /** Why a read was answered from the view. */
  public enum Fallback {
    /** The store answered, without the challenge, and the view had it: created before the store. */
    NOT_IN_STORE,
    /** The store could not answer here (not the running active owner, or not yet started). */
    STORE_UNAVAILABLE
  }

  private final Catalog catalog;
  private final ChallengeView view;
  private final ChallengeStore store;
  private final Clock clock;
  private final AtomicLong[] fallbacks = {new AtomicLong(), new AtomicLong()};

  public Challenges(Catalog catalog, ChallengeView view, Clock clock) {
    this(catalog, view, ChallengeStore.NONE, clock);
  }

  public Challenges(Catalog catalog, ChallengeView view, ChallengeStore store, Clock clock) {
    this.catalog = catalog;
    this.view = view;
    this.store = store;
    this.clock = clock;
  }

  /** The clock every "now" of the challenge API is read from. */
  public Clock clock() {
    return clock;
  }

  /** The owner's store these reads come from. */
  ChallengeStore store() {
    return store;
  }

  /** Reads answered from the view since start, by why. */
  public long fromView(Fallback why) {
    return fallbacks[why.ordinal()].get();
  }

  /** A challenge of the entity; "not found", with Twilio's path wording, if it has no such one. */
  public ViewedChallenge get(String serviceSid, String identity, String challengeSid) {
    EntitySnapshot entity = Lookups.entity(catalog, serviceSid, identity);
    ChallengeStore.Lookup stored = store.get(serviceSid, identity, challengeSid);
    Optional<ViewedChallenge> found = stored.challenge();
    if (found.isEmpty()) {
      found = view.get(challengeSid);
      if (found.isPresent()) {
        count(stored.answered() ? Fallback.NOT_IN_STORE : Fallback.STORE_UNAVAILABLE);
      }
    }
    return found
        .filter(c -> c.created().getEntitySid().equals(entity.getSid()))
        .orElseThrow(
            () ->
                ApiError.notFound(
                    "/Services/"
                        + serviceSid
                        + "/Entities/"
                        + identity
                        + "/Challenges/"
                        + challengeSid));
  }

  /** An entity's challenges, optionally of one factor and one status (as shown now). */
  public Pager.Page<ViewedChallenge> list(
      String serviceSid,
      String identity,
      Optional<String> factorSid,
      Optional<ChallengeStatus> status,
      boolean descending,
      PageRequest request) {
    Lookups.entity(catalog, serviceSid, identity);
    Instant now = clock.instant();
    NavigableSet<SortKey> viewed = view.entityChallenges(serviceSid, identity);
    Optional<List<ChallengeStore.Listed>> entries = store.entries(serviceSid, identity);
    if (entries.isPresent()) {
      NavigableMap<SortKey, ChallengeStore.Listed> byKey = new TreeMap<>();
      entries.get().forEach(e -> byKey.put(e.key(), e));
      if (viewed.stream().allMatch(byKey::containsKey)) {
        return fromStore(serviceSid, identity, byKey, factorSid, status, descending, request, now);
      }
      // The view holds challenges the store has not got: created before the store existed.
      count(Fallback.NOT_IN_STORE);
    } else if (!viewed.isEmpty()) {
      count(Fallback.STORE_UNAVAILABLE);
    }
    return Pager.page(
        viewed,
        descending,
        k -> view.get(k.sid()),
        c ->
            factorSid.map(f -> f.equals(c.created().getFactorSid())).orElse(true)
                && status.map(s -> s == c.statusAt(now)).orElse(true),
        request);
  }

  /**
   * The page cut from the order index (filtered on the index's factor and status, as shown now),
   * then only the page's records loaded; one purged in between is left out.
   */
  private Pager.Page<ViewedChallenge> fromStore(
      String serviceSid,
      String identity,
      NavigableMap<SortKey, ChallengeStore.Listed> byKey,
      Optional<String> factorSid,
      Optional<ChallengeStatus> status,
      boolean descending,
      PageRequest request,
      Instant now) {
    Pager.Page<ChallengeStore.Listed> page =
        Pager.page(
            byKey.navigableKeySet(),
            descending,
            k -> Optional.ofNullable(byKey.get(k)),
            e ->
                factorSid.map(f -> f.equals(e.factorSid())).orElse(true)
                    && status.map(s -> s == e.statusAt(now)).orElse(true),
            request);
    List<ViewedChallenge> items = new ArrayList<>(page.items().size());
    for (ChallengeStore.Listed e : page.items()) {
      store.get(serviceSid, identity, e.key().sid()).challenge().ifPresent(items::add);
    }
    return new Pager.Page<>(items, page.hasNext());
  }

  private void count(Fallback why) {
    fallbacks[why.ordinal()].incrementAndGet();
  }
}
