package io.lapse.service.webhook;

import io.lapse.events.v1.ChallengeApproved;
import io.lapse.events.v1.ChallengeCreated;
import io.lapse.events.v1.ChallengeDenied;
import io.lapse.events.v1.ChallengeExpired;
import io.lapse.events.v1.FactorEvent;
import io.lapse.service.domain.Catalog;
import io.lapse.service.domain.ChallengeView;
import io.lapse.service.domain.ViewedChallenge;
import io.lapse.state.v1.FactorSnapshot;
import java.time.Duration;
import java.time.Instant;

/**
 * Tells which records of the event topics are webhook events ({@link #head}), and completes one
 * with what this instance knows ({@link #resolve}): the challenge as created (details, hidden
 * details, factor type) from its view, the factor (friendly name, metadata) from its catalog.
 */
final class EventResolver {
  /** What decides who gets an event, known from the record alone. */
  record Head(String type, String serviceSid, Instant occurredAt) {}

  private final String accountSid;
  private final ChallengeView view;
  private final Catalog catalog;
  private final Duration lookupBound;

  /**
   * @param lookupBound how long to wait for this instance's view to show a challenge whose outcome
   *     is being delivered (its ChallengeCreated always precedes the outcome on the log)
   */
  EventResolver(String accountSid, ChallengeView view, Catalog catalog, Duration lookupBound) {
    this.accountSid = accountSid;
    this.view = view;
    this.catalog = catalog;
    this.lookupBound = lookupBound;
  }

  /** The event's head; null for a record that is no webhook event (a wrong code, a refusal). */
  static Head head(Object value) {
    if (value instanceof FactorEvent e) {
      return new Head(e.getType(), e.getServiceSid(), e.getOccurredAt());
    }
    if (value instanceof ChallengeApproved a) {
      return new Head(WebhookPayloads.CHALLENGE_APPROVED, a.getServiceSid(), a.getDecidedAt());
    }
    if (value instanceof ChallengeDenied d) {
      return new Head(WebhookPayloads.CHALLENGE_DENIED, d.getServiceSid(), d.getDecidedAt());
    }
    if (value instanceof ChallengeExpired x) {
      return new Head(WebhookPayloads.CHALLENGE_EXPIRED, x.getServiceSid(), x.getExpiredAt());
    }
    return null;
  }

  /** The event with its parameters; only called for a record {@link #head} accepted. */
  WebhookEvent resolve(Object value) {
    if (value instanceof FactorEvent e) {
      return WebhookPayloads.factor(e);
    }
    if (value instanceof ChallengeApproved a) {
      return WebhookPayloads.approved(a, accountSid, created(a.getSid()), factor(a.getFactorSid()));
    }
    if (value instanceof ChallengeDenied d) {
      return WebhookPayloads.denied(d, accountSid, created(d.getSid()), factor(d.getFactorSid()));
    }
    ChallengeExpired x = (ChallengeExpired) value;
    return WebhookPayloads.expired(x, accountSid, created(x.getSid()), factor(x.getFactorSid()));
  }

  private ChallengeCreated created(String challengeSid) {
    return view.await(challengeSid, lookupBound).map(ViewedChallenge::created).orElse(null);
  }

  private FactorSnapshot factor(String factorSid) {
    return catalog.factors().get(factorSid).orElse(null);
  }
}
