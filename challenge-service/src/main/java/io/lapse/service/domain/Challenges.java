package io.lapse.service.domain;

import io.lapse.state.v1.EntitySnapshot;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;

/**
 * Reads of challenges from this instance's {@link ChallengeView}: one challenge of an entity, or an
 * entity's challenges filtered and paged, each with its status as shown now.
 */
public final class Challenges {
  private final Catalog catalog;
  private final ChallengeView view;
  private final Clock clock;

  public Challenges(Catalog catalog, ChallengeView view, Clock clock) {
    this.catalog = catalog;
    this.view = view;
    this.clock = clock;
  }

  /** The clock every "now" of the challenge API is read from. */
  public Clock clock() {
    return clock;
  }

  /** A challenge of the entity; "not found", with Twilio's path wording, if it has no such one. */
  public ViewedChallenge get(String serviceSid, String identity, String challengeSid) {
    EntitySnapshot entity = Lookups.entity(catalog, serviceSid, identity);
    return view.get(challengeSid)
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
    return Pager.page(
        view.entityChallenges(serviceSid, identity),
        descending,
        k -> view.get(k.sid()),
        c ->
            factorSid.map(f -> f.equals(c.created().getFactorSid())).orElse(true)
                && status.map(s -> s == c.statusAt(now)).orElse(true),
        request);
  }
}
