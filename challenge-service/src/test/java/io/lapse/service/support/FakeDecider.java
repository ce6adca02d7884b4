package io.lapse.service.support;

import io.lapse.contract.AttemptMacKeys;
import io.lapse.events.v1.ChallengeCreated;
import io.lapse.events.v1.ChallengeExpired;
import io.lapse.events.v1.VerificationAttempted;
import io.lapse.expiry.ExpirySettings;
import io.lapse.expiry.decision.ArbiterEvent;
import io.lapse.expiry.decision.Arbitration;
import io.lapse.expiry.decision.Decision;
import io.lapse.expiry.state.ArbiterRecord;
import io.lapse.expiry.trust.AttemptTrust;
import io.lapse.service.domain.AttemptGateway;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;
import org.apache.avro.specific.SpecificRecord;

/**
 * TEST ONLY: the expiry processor's decisions without a broker, so the HTTP layer and domain can be
 * tested on their own. The rules are the processor's own ({@link Arbitration}); this adapter only
 * keeps the arbiter's records in memory and feeds them, in order, the challenges the service
 * published (read from {@link InMemoryLogs}) and the attempts it submits, as the processor's task
 * would. The real processor is used by the integration tests.
 *
 * <p>It does not tick: a challenge expires here only through a late attempt, and an attempt on a
 * challenge never published is answered 20404 at once (every create is read by then).
 *
 * <p>It trusts what the processor trusts ({@link AttemptTrust}, with the fixture's MAC keys and its
 * clock as broker time): an attempt the service failed to sign or address properly fails the test
 * here instead of being decided.
 */
public final class FakeDecider implements AttemptGateway {
  private final InMemoryLogs logs;
  private final Clock clock;
  private final Arbitration arbitration = new Arbitration(ExpirySettings.defaults());
  private final AttemptTrust trust;
  private final Map<String, ArbiterRecord> records = new HashMap<>();
  private final List<VerificationAttempted> attempts = new CopyOnWriteArrayList<>();
  private final Map<String, CompletableFuture<SpecificRecord>> waiting = new HashMap<>();
  private int createsRead;
  private volatile boolean silent;

  public FakeDecider(InMemoryLogs logs, Clock clock, AttemptMacKeys macKeys) {
    this.logs = logs;
    this.clock = clock;
    this.trust = new AttemptTrust(macKeys, ExpirySettings.defaults());
  }

  /** From now on, never answer (the caller's wait times out). */
  public void goSilent() {
    silent = true;
  }

  public List<VerificationAttempted> attempts() {
    return attempts;
  }

  @Override
  public synchronized CompletableFuture<SpecificRecord> await(String attemptId, Duration timeout) {
    if (silent) {
      return CompletableFuture.failedFuture(new TimeoutException("no outcome in " + timeout));
    }
    return waiting.computeIfAbsent(attemptId, k -> new CompletableFuture<>());
  }

  /**
   * An attempt another writer (the entity task) published: decided, and its outcome handed to the
   * request waiting for it ({@link #await}), if any.
   */
  public synchronized void deliver(VerificationAttempted a) {
    CompletableFuture<SpecificRecord> waiter = waiting.remove(a.getAttemptId());
    CompletableFuture<SpecificRecord> outcome = submit(a, Duration.ZERO);
    if (waiter != null) {
      outcome.whenComplete(
          (o, e) -> {
            if (e != null) {
              waiter.completeExceptionally(e);
            } else {
              waiter.complete(o);
            }
          });
    }
  }

  @Override
  public synchronized CompletableFuture<SpecificRecord> submit(
      VerificationAttempted a, Duration timeout) {
    attempts.add(a);
    if (silent) {
      return CompletableFuture.failedFuture(new TimeoutException("no outcome in " + timeout));
    }
    long now = clock.millis();
    AttemptTrust.Assessment assessment = trust.assess(a.getSid(), a, now);
    if (!assessment.trusted()) {
      throw new IllegalStateException(
          "The processor would dead-letter this attempt (" + assessment.refused().code() + ")");
    }
    readCreates(now);
    ArbiterRecord current = records.get(a.getSid());
    if (AttemptTrust.knowsCreate(current) && !AttemptTrust.sameChallenge(current, a)) {
      throw new IllegalStateException("The processor would dead-letter this attempt (mismatch)");
    }
    Decision d = apply(a.getSid(), new ArbiterEvent.Attempt(a), now);
    if (d.next().phase() == ArbiterRecord.Phase.AWAITING) {
      // Every create published so far has been read: the create is not coming, so the grace
      // ends now, as it does in the processor once it has read later creates.
      d = apply(a.getSid(), new ArbiterEvent.Due(), now);
    }
    return CompletableFuture.completedFuture(outcomeOf(d));
  }

  private void readCreates(long now) {
    List<InMemoryLogs.Written> created = logs.written("challenge-created");
    for (; createsRead < created.size(); createsRead++) {
      ChallengeCreated c = (ChallengeCreated) created.get(createsRead).value();
      apply(c.getSid(), new ArbiterEvent.Created(c), now);
    }
  }

  private Decision apply(String sid, ArbiterEvent event, long now) {
    Decision d = arbitration.decide(sid, records.get(sid), event, now, Long.MAX_VALUE);
    if (d.changed()) {
      records.put(sid, d.next());
    }
    return d;
  }

  /** The answer to the attempt (an expiry it caused goes to another topic, unread here). */
  private static SpecificRecord outcomeOf(Decision d) {
    return d.emitted().stream()
        .filter(r -> !(r instanceof ChallengeExpired))
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("No outcome in " + d));
  }
}
