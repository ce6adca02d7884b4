package io.lapse.service.support;

import io.lapse.events.v1.AttemptOutcome;
import io.lapse.events.v1.ChallengeApproved;
import io.lapse.events.v1.ChallengeDenied;
import io.lapse.events.v1.VerificationAttempted;
import io.lapse.events.v1.VerificationFailed;
import io.lapse.events.v1.VerificationRejected;
import io.lapse.service.domain.AttemptGateway;
import io.lapse.service.domain.ChallengeView;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;
import org.apache.avro.specific.SpecificRecord;

/**
 * TEST ONLY: a tiny in-memory decider standing in for the expiry processor in unit tests, so the
 * HTTP layer and domain can be tested without a broker. It follows the decision contract (late →
 * 60323, answered → 60322, fifth wrong code → 60308, a repeated attempt id answered identically);
 * the real processor is used by the integration tests.
 */
public final class FakeDecider implements AttemptGateway {
  private final ChallengeView view;
  private final Clock clock;
  private final Map<String, SpecificRecord> byAttempt = new ConcurrentHashMap<>();
  private final Map<String, Integer> failures = new ConcurrentHashMap<>();
  private final Map<String, Boolean> answered = new ConcurrentHashMap<>();
  private final List<VerificationAttempted> attempts = new CopyOnWriteArrayList<>();
  private volatile boolean silent;

  public FakeDecider(ChallengeView view, Clock clock) {
    this.view = view;
    this.clock = clock;
  }

  /** From now on, never answer (the caller's wait times out). */
  public void goSilent() {
    silent = true;
  }

  public List<VerificationAttempted> attempts() {
    return attempts;
  }

  @Override
  public synchronized CompletableFuture<SpecificRecord> submit(
      VerificationAttempted a, Duration timeout) {
    attempts.add(a);
    if (silent) {
      return CompletableFuture.failedFuture(new TimeoutException("no outcome in " + timeout));
    }
    SpecificRecord previous = byAttempt.get(a.getAttemptId());
    if (previous instanceof ChallengeApproved || previous instanceof ChallengeDenied) {
      // As the processor: a repeat of the deciding attempt gets 60322, never a second terminal
      // event.
      return CompletableFuture.completedFuture(rejected(a, 60322, "Challenge already responded"));
    }
    return CompletableFuture.completedFuture(
        byAttempt.computeIfAbsent(a.getAttemptId(), k -> decide(a)));
  }

  private SpecificRecord decide(VerificationAttempted a) {
    var challenge = view.get(a.getSid());
    if (challenge.isEmpty()) {
      return rejected(a, 20404, "Challenge not found");
    }
    if (!a.getAttemptAt().isBefore(challenge.get().expirationDate())) {
      return rejected(a, 60323, "Challenge expired");
    }
    if (answered.containsKey(a.getSid())) {
      return rejected(a, 60322, "Challenge already responded");
    }
    if (a.getOutcome() == AttemptOutcome.WRONG_CODE) {
      int n = failures.merge(a.getSid(), 1, Integer::sum);
      if (n >= 5) {
        return rejected(a, 60308, "Too many attempts");
      }
      return VerificationFailed.newBuilder()
          .setSid(a.getSid())
          .setServiceSid(a.getServiceSid())
          .setIdentity(a.getIdentity())
          .setFactorSid(a.getFactorSid())
          .setAttemptId(a.getAttemptId())
          .setFailedAttempts(n)
          .setDecidedAt(clock.instant())
          .build();
    }
    answered.put(a.getSid(), true);
    if (a.getOutcome() == AttemptOutcome.APPROVED) {
      return ChallengeApproved.newBuilder()
          .setSid(a.getSid())
          .setServiceSid(a.getServiceSid())
          .setIdentity(a.getIdentity())
          .setFactorSid(a.getFactorSid())
          .setAttemptId(a.getAttemptId())
          .setRespondedAt(a.getAttemptAt())
          .setDecidedAt(clock.instant())
          .setMetadata(a.getMetadata())
          .build();
    }
    return ChallengeDenied.newBuilder()
        .setSid(a.getSid())
        .setServiceSid(a.getServiceSid())
        .setIdentity(a.getIdentity())
        .setFactorSid(a.getFactorSid())
        .setAttemptId(a.getAttemptId())
        .setRespondedAt(a.getAttemptAt())
        .setDecidedAt(clock.instant())
        .setMetadata(a.getMetadata())
        .build();
  }

  private SpecificRecord rejected(VerificationAttempted a, int code, String reason) {
    return VerificationRejected.newBuilder()
        .setSid(a.getSid())
        .setServiceSid(a.getServiceSid())
        .setIdentity(a.getIdentity())
        .setFactorSid(a.getFactorSid())
        .setAttemptId(a.getAttemptId())
        .setCode(code)
        .setReason(reason)
        .setDecidedAt(clock.instant())
        .build();
  }
}
