package io.lapse.service.domain;

import static org.assertj.core.api.Assertions.assertThat;

import io.lapse.events.v1.ChallengeApproved;
import io.lapse.events.v1.ChallengeCreated;
import io.lapse.events.v1.ChallengeExpired;
import io.lapse.events.v1.NotificationRequested;
import io.lapse.service.support.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ChallengeViewTest {
  private static final Instant T0 = Instant.parse("2026-05-01T12:00:00Z");
  private final MutableClock clock = new MutableClock(T0);
  private final ChallengeView view = new ChallengeView(clock);

  private static ChallengeCreated created(String sid, Instant expires) {
    return ChallengeCreated.newBuilder()
        .setSid(sid)
        .setAccountSid("AC1")
        .setServiceSid("VA1")
        .setEntitySid("YE1")
        .setIdentity("user-0001")
        .setFactorSid("YF1")
        .setFactorType("totp")
        .setCreatedAt(T0)
        .setExpirationDate(expires)
        .setDetailsFields(List.of())
        .setIdempotencyKey("k-" + sid)
        .build();
  }

  private static ChallengeApproved approved(String sid) {
    return ChallengeApproved.newBuilder()
        .setSid(sid)
        .setServiceSid("VA1")
        .setIdentity("user-0001")
        .setFactorSid("YF1")
        .setAttemptId("AT1")
        .setRespondedAt(T0.plusSeconds(5))
        .setDecidedAt(T0.plusSeconds(6))
        .build();
  }

  @Test
  void shouldApplyAnOutcomeThatArrivesBeforeItsChallenge() {
    view.applyOutcome(approved("YC1"));
    assertThat(view.get("YC1")).isEmpty();

    view.applyCreated(created("YC1", T0.plusSeconds(300)));

    ViewedChallenge s = view.get("YC1").orElseThrow();
    assertThat(s.status()).isEqualTo(ChallengeStatus.APPROVED);
    assertThat(s.respondedAt()).isEqualTo(T0.plusSeconds(5));
    assertThat(s.decidedAttemptId()).isEqualTo("AT1");
  }

  @Test
  void shouldIgnoreRepeatedEventsAndKeepTheFirstTerminalState() {
    view.applyCreated(created("YC1", T0.plusSeconds(300)));
    view.applyOutcome(approved("YC1"));
    view.applyCreated(created("YC1", T0.plusSeconds(300)));
    view.applyExpired(
        ChallengeExpired.newBuilder()
            .setSid("YC1")
            .setServiceSid("VA1")
            .setIdentity("user-0001")
            .setFactorSid("YF1")
            .setExpirationDate(T0.plusSeconds(300))
            .setExpiredAt(T0.plusSeconds(300))
            .build());
    assertThat(view.get("YC1").orElseThrow().status()).isEqualTo(ChallengeStatus.APPROVED);
    assertThat(view.entityChallenges("VA1", "user-0001")).hasSize(1);
  }

  @Test
  void shouldCountEachNotificationOnce() {
    view.applyCreated(created("YC1", T0.plusSeconds(300)));
    NotificationRequested n =
        NotificationRequested.newBuilder()
            .setSid("YC1")
            .setNotificationSid("NT1")
            .setAccountSid("AC1")
            .setServiceSid("VA1")
            .setEntitySid("YE1")
            .setIdentity("user-0001")
            .setFactorSid("YF1")
            .setRequestedAt(T0)
            .setTtlSeconds(300)
            .setNotificationPlatform("fcm")
            .build();
    view.applyNotification(n);
    view.applyNotification(n);
    assertThat(view.get("YC1").orElseThrow().notificationSids()).containsExactly("NT1");
  }

  @Test
  void shouldShowAPendingChallengeAsExpiredFromItsDeadline() {
    view.applyCreated(created("YC1", T0.plusSeconds(300)));
    ViewedChallenge s = view.get("YC1").orElseThrow();
    assertThat(s.statusAt(T0.plusSeconds(299))).isEqualTo(ChallengeStatus.PENDING);
    assertThat(s.statusAt(T0.plusSeconds(300))).isEqualTo(ChallengeStatus.EXPIRED);
  }

  @Test
  void shouldForgetChallengesPastTheRetention() {
    view.applyCreated(created("YC1", T0.plusSeconds(60)));
    view.applyCreated(created("YC2", T0.plusSeconds(600)));

    assertThat(view.evictBefore(T0.plusSeconds(61))).isEqualTo(1);

    assertThat(view.get("YC1")).isEmpty();
    assertThat(view.entityChallenges("VA1", "user-0001"))
        .extracting(SortKey::sid)
        .containsExactly("YC2");
  }

  @Test
  void shouldAgeParkedEventsByTheInjectedClock() {
    view.applyOutcome(approved("YC1"));
    clock.advance(Duration.ofMinutes(10));
    view.applyOutcome(approved("YC2"));

    view.evictBefore(T0.plusSeconds(1));
    view.applyCreated(created("YC1", T0.plusSeconds(300)));
    view.applyCreated(created("YC2", T0.plusSeconds(300)));

    assertThat(view.get("YC1").orElseThrow().status()).isEqualTo(ChallengeStatus.PENDING);
    assertThat(view.get("YC2").orElseThrow().status()).isEqualTo(ChallengeStatus.APPROVED);
  }

  @Test
  void shouldCompleteAWaitForAChallengeWhenItsCreateArrivesWithoutAThreadWaiting() {
    var first = view.whenCreated("YC1", Duration.ofSeconds(30));
    var second = view.whenCreated("YC1", Duration.ofSeconds(30));
    assertThat(first).isNotDone();

    view.applyCreated(created("YC1", T0.plusSeconds(300)));

    assertThat(first.join()).map(ViewedChallenge::sid).contains("YC1");
    assertThat(second.join()).map(ViewedChallenge::sid).contains("YC1");
    assertThat(view.whenCreated("YC1", Duration.ZERO).join()).isPresent();
    assertThat(view.arrivalWaiters()).isZero();
  }

  @Test
  void shouldAnswerEmptyAfterTheTimeoutAndForgetTheWaiter() {
    var wait = view.whenCreated("YC1", Duration.ofMillis(20));

    assertThat(wait.orTimeout(5, TimeUnit.SECONDS).join()).isEmpty();
    assertThat(view.arrivalWaiters()).isZero();
    view.applyCreated(created("YC1", T0.plusSeconds(300)));
    assertThat(view.await("YC1", Duration.ZERO)).isPresent();
  }
}
