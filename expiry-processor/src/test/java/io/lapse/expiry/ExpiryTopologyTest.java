package io.lapse.expiry;

import static io.lapse.events.v1.AttemptOutcome.APPROVED;
import static io.lapse.events.v1.AttemptOutcome.DENIED;
import static io.lapse.events.v1.AttemptOutcome.WRONG_CODE;
import static org.assertj.core.api.Assertions.assertThat;

import io.lapse.events.v1.ChallengeApproved;
import io.lapse.events.v1.ChallengeDenied;
import io.lapse.events.v1.ChallengeExpired;
import io.lapse.events.v1.VerificationFailed;
import io.lapse.events.v1.VerificationRejected;
import io.lapse.expiry.decision.Arbitration;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ExpiryTopologyTest {
  private static final String SID = "YC00000000000000000000000000000001";
  private static final Duration TICK = ExpirySettings.DEFAULT_PUNCTUATION_INTERVAL;

  private ArbiterDriver driver = new ArbiterDriver();

  @AfterEach
  void close() {
    driver.close();
  }

  private Instant in(long ms) {
    return driver.now().plusMillis(ms);
  }

  private static VerificationRejected rejected(SpecificRecord r) {
    assertThat(r).isInstanceOf(VerificationRejected.class);
    return (VerificationRejected) r;
  }

  @Test
  void shouldNotExpireBeforeTheDeadline() {
    Instant deadline = in(1_000);
    driver.create(SID, deadline);

    for (int i = 0; i < 99; i++) {
      driver.advance(TICK);
    }
    driver.advanceTo(deadline.minusMillis(1));

    assertThat(driver.expired()).isEmpty();
  }

  @Test
  void shouldExpireExactlyAtTheDeadlineWhenNoResponseArrives() {
    Instant deadline = in(1_000);
    driver.create(SID, deadline);

    driver.advanceTo(deadline);

    List<ChallengeExpired> expired = driver.expired();
    assertThat(expired).hasSize(1);
    assertThat(expired.get(0).getSid()).isEqualTo(SID);
    assertThat(expired.get(0).getExpirationDate()).isEqualTo(deadline);
    assertThat(expired.get(0).getExpiredAt()).isEqualTo(deadline);
    assertThat(expired.get(0).getServiceSid()).isEqualTo("VA00000000000000000000000000000001");
    driver.advance(Duration.ofSeconds(5));
    assertThat(driver.expired()).isEmpty();
  }

  @Test
  void shouldNotPunctuateWhileNothingIsDue() {
    Instant first = in(1_000);
    Instant second = in(5_000);
    driver.create("YC-first", first);
    driver.create("YC-second", second);

    while (driver.now().plus(TICK).isBefore(first)) {
      driver.advance(TICK);
    }
    driver.advanceTo(first.minusMillis(1));
    assertThat(driver.ticks()).as("ticks before the first deadline").isZero();

    driver.advanceTo(first);
    assertThat(sids(driver.expired())).containsExactly("YC-first");
    assertThat(driver.ticks()).isEqualTo(1);

    while (driver.now().plusMillis(7).isBefore(second)) {
      driver.advance(Duration.ofMillis(7));
    }
    assertThat(driver.ticks()).as("ticks between the two deadlines").isEqualTo(1);
    driver.advanceTo(second);
    assertThat(sids(driver.expired())).containsExactly("YC-second");
    assertThat(driver.ticks()).isEqualTo(2);
  }

  @Test
  void shouldNotPunctuateAtAllWhenNothingIsIndexed() {
    driver.create(SID, in(1_000));
    driver.attempt(SID, "ok", APPROVED);
    driver.advance(Duration.ofSeconds(2));
    int before = (int) driver.ticks();

    for (int i = 0; i < 100; i++) {
      driver.advance(Duration.ofMinutes(1));
    }

    // One tick at the deadline (the approved challenge's entry), then nothing until its purge.
    assertThat(before).isEqualTo(1);
    assertThat(driver.ticks()).isEqualTo(2);
    assertThat(count(driver.challengeStore())).as("purged after the retention").isZero();
  }

  @Test
  void shouldPullTheWakeUpForwardWhenAnEarlierChallengeArrives() {
    Instant late = in(60_000);
    driver.create("YC-late", late);
    driver.advance(Duration.ofMillis(100));

    Instant early = in(300);
    driver.create("YC-early", early);
    driver.advanceTo(early.minusMillis(1));
    assertThat(driver.expired()).isEmpty();
    driver.advanceTo(early);

    List<ChallengeExpired> expired = driver.expired();
    assertThat(sids(expired)).containsExactly("YC-early");
    assertThat(expired.get(0).getExpiredAt()).isEqualTo(early);
    assertThat(driver.ticks()).isEqualTo(1);
    driver.advanceTo(late);
    assertThat(sids(driver.expired())).containsExactly("YC-late");
  }

  @Test
  void shouldTickOnTheFirstGridSlotAfterAnOffGridDeadline() {
    Instant deadline = in(1_003);

    driver.create(SID, deadline);
    driver.advanceTo(deadline);
    assertThat(driver.ticks()).as("the grid slot is after the deadline").isZero();
    driver.advanceTo(in(7));

    List<ChallengeExpired> expired = driver.expired();
    assertThat(expired).hasSize(1);
    assertThat(expired.get(0).getExpiredAt()).isEqualTo(in(0)).isAfter(deadline);
    assertThat(driver.ticks()).isEqualTo(1);
  }

  @Test
  void shouldTickExactlyAtAnOffGridDeadlineWhenTicksAlignOnDueInstants() {
    driver.close();
    driver =
        new ArbiterDriver(
            ExpirySettings.defaults().withTickAlignment(ExpirySettings.TickAlignment.DUE));
    Instant deadline = in(1_003);
    driver.create(SID, deadline);

    driver.advanceTo(deadline.minusMillis(1));
    assertThat(driver.expired()).isEmpty();
    driver.advanceTo(deadline);

    assertThat(driver.expired()).singleElement().returns(deadline, ChallengeExpired::getExpiredAt);
    assertThat(driver.ticks()).isEqualTo(1);
  }

  @Test
  void shouldTickAtMostOncePerIntervalWhenTicksAlignOnDueInstants() {
    driver.close();
    driver =
        new ArbiterDriver(
            ExpirySettings.defaults().withTickAlignment(ExpirySettings.TickAlignment.DUE));
    Instant first = in(1_000);
    driver.create("YC-a", first);
    driver.create("YC-b", first.plusMillis(1));
    driver.create("YC-c", first.plusMillis(2));

    driver.advanceTo(first);
    assertThat(sids(driver.expired())).containsExactly("YC-a");
    driver.advanceTo(first.plus(TICK).minusMillis(1));
    assertThat(driver.expired()).isEmpty();
    driver.advanceTo(first.plus(TICK));

    assertThat(sids(driver.expired())).containsExactly("YC-b", "YC-c");
    assertThat(driver.ticks()).isEqualTo(2);
  }

  @Test
  void shouldNotWriteTheMetaStoreForAChallengeThatExpiresOnArrival() {
    driver.create("YC-pending", in(60_000));
    assertThat(driver.metaChangelog()).hasSize(1);
    driver.advance(Duration.ofSeconds(10));

    driver.create(SID, in(-1_000));

    assertThat(driver.expired()).hasSize(1);
    assertThat(driver.metaChangelog()).as("pending count unchanged, cursors untouched").isEmpty();
  }

  @Test
  void shouldApproveBeforeTheDeadlineAndThenNeverExpire() {
    Instant deadline = in(1_000);
    driver.create(SID, deadline);
    driver.advance(Duration.ofMillis(500));

    driver.attempt(SID, "attempt-1", APPROVED);
    driver.advanceTo(deadline.plusSeconds(10));

    List<SpecificRecord> outcomes = driver.outcomes();
    assertThat(outcomes).hasSize(1).first().isInstanceOf(ChallengeApproved.class);
    ChallengeApproved approved = (ChallengeApproved) outcomes.get(0);
    assertThat(approved.getAttemptId()).isEqualTo("attempt-1");
    assertThat(approved.getRespondedAt()).isEqualTo(ArbiterDriver.T0.plusMillis(500));
    assertThat(approved.getMetadata()).containsEntry("os", "Android");
    assertThat(driver.expired()).isEmpty();
  }

  @Test
  void shouldDenyWhenTheAttemptSaysDenied() {
    driver.create(SID, in(1_000));

    driver.attempt(SID, "attempt-1", DENIED);

    assertThat(driver.outcomes()).singleElement().isInstanceOf(ChallengeDenied.class);
    driver.advance(Duration.ofSeconds(2));
    assertThat(driver.expired()).isEmpty();
  }

  @Test
  void shouldRejectAResponseArrivingAfterExpiryWith60323() {
    Instant deadline = in(1_000);
    driver.create(SID, deadline);
    driver.advanceTo(deadline);
    assertThat(driver.expired()).hasSize(1);

    driver.advance(Duration.ofMillis(50));
    driver.attempt(SID, "late", APPROVED);

    VerificationRejected r = rejected(driver.outcomes().get(0));
    assertThat(r.getCode()).isEqualTo(60323);
    assertThat(r.getReason()).isEqualTo("Challenge expired");
    assertThat(r.getAttemptId()).isEqualTo("late");
    assertThat(driver.expired()).isEmpty();
  }

  @Test
  void shouldExpireAtOnceWhenAnAttemptStampedAtTheDeadlineArrivesBeforeTheTick() {
    Instant deadline = in(1_000);
    driver.create(SID, deadline);
    driver.advance(Duration.ofMillis(995));

    // The service's clock already says the deadline passed; ours has not ticked yet.
    driver.attempt(SID, "at-deadline", deadline, APPROVED);

    assertThat(rejected(driver.outcomes().get(0)).getCode()).isEqualTo(60323);
    List<ChallengeExpired> expired = driver.expired();
    assertThat(expired).hasSize(1);
    assertThat(expired.get(0).getExpiredAt()).isAfterOrEqualTo(deadline);
    driver.advanceTo(deadline.plusSeconds(1));
    assertThat(driver.expired()).isEmpty();
  }

  @Test
  void shouldIgnoreADuplicateChallengeCreated() {
    Instant deadline = in(1_000);
    driver.create(SID, deadline);
    driver.advance(Duration.ofMillis(100));
    driver.create(SID, deadline);

    driver.advanceTo(deadline.plusSeconds(1));

    assertThat(driver.expired()).hasSize(1);
  }

  @Test
  void shouldNotExpireAgainWhenADuplicateCreatedArrivesAfterExpiry() {
    Instant deadline = in(1_000);
    driver.create(SID, deadline);
    driver.advanceTo(deadline);
    assertThat(driver.expired()).hasSize(1);

    driver.create(SID, deadline);
    driver.advance(Duration.ofSeconds(1));

    assertThat(driver.expired()).isEmpty();
  }

  @Test
  void shouldExpireInDeadlineOrderWhenChallengesArriveOutOfOrder() {
    Instant later = in(2_000);
    Instant earlier = in(1_000);
    driver.create("YC-later", later);
    driver.create("YC-earlier", earlier);

    driver.advanceTo(earlier);
    assertThat(driver.expired()).extracting(ChallengeExpired::getSid).containsExactly("YC-earlier");
    driver.advanceTo(later.minusMillis(1));
    assertThat(driver.expired()).isEmpty();
    driver.advanceTo(later);
    assertThat(driver.expired()).extracting(ChallengeExpired::getSid).containsExactly("YC-later");
  }

  @Test
  void shouldExpireAtOnceWhenAlreadyDueOnArrival() {
    driver.advance(Duration.ofSeconds(10));
    Instant deadline = in(-3_000);

    driver.create(SID, deadline);

    List<ChallengeExpired> expired = driver.expired();
    assertThat(expired).hasSize(1);
    assertThat(expired.get(0).getExpirationDate()).isEqualTo(deadline);
    assertThat(expired.get(0).getExpiredAt()).isEqualTo(driver.now());
    driver.advance(Duration.ofSeconds(1));
    assertThat(driver.expired()).isEmpty();
  }

  @Test
  void shouldDecideAnAttemptImmediatelyFollowingItsCreate() {
    driver.create(SID, in(60_000));
    driver.attempt(SID, "totp-create", APPROVED);

    assertThat(driver.outcomes()).singleElement().isInstanceOf(ChallengeApproved.class);
  }

  @Test
  void shouldDecideAnAttemptThatArrivesBeforeItsChallengeCreated() {
    Instant deadline = in(60_000);
    driver.attempt(SID, "early", APPROVED);
    assertThat(driver.outcomes()).isEmpty();

    driver.advance(Duration.ofMillis(20));
    driver.create(SID, deadline);

    ChallengeApproved approved = (ChallengeApproved) driver.outcomes().get(0);
    assertThat(approved.getAttemptId()).isEqualTo("early");
    driver.advance(Duration.ofSeconds(2));
    driver.advanceTo(deadline.plusSeconds(1));
    assertThat(driver.outcomes()).isEmpty();
    assertThat(driver.expired()).isEmpty();
  }

  @Test
  void shouldAnswer20404OnceLaterCreatesShowTheChallengeIsNotComing() {
    driver.attempt(SID, "nobody", APPROVED);
    driver.advance(Duration.ofSeconds(2));
    driver.create("YC-other", in(60_000));
    assertThat(driver.outcomes()).isEmpty();

    driver.advance(ExpirySettings.DEFAULT_UNKNOWN_GRACE);

    VerificationRejected r = rejected(driver.outcomes().get(0));
    assertThat(r.getCode()).isEqualTo(20404);
    assertThat(r.getAttemptId()).isEqualTo("nobody");
    assertThat(r.getSid()).isEqualTo(SID);
  }

  @Test
  void shouldKeepWaitingForTheCreateWhileNoLaterCreateWasSeen() {
    driver.attempt(SID, "early", APPROVED);
    driver.advance(ExpirySettings.DEFAULT_UNKNOWN_GRACE.plusSeconds(1));
    driver.advance(ExpirySettings.DEFAULT_UNKNOWN_GRACE);
    assertThat(driver.outcomes()).isEmpty();

    driver.create(SID, in(60_000));

    assertThat(driver.outcomes()).singleElement().isInstanceOf(ChallengeApproved.class);
  }

  @Test
  void shouldAnswer20404AfterTheLongestWaitWhenNoCreatesArriveAtAll() {
    driver.attempt(SID, "nobody", APPROVED);

    waitOutUnknown();

    assertThat(rejected(driver.outcomes().get(0)).getCode()).isEqualTo(20404);
  }

  private void waitOutUnknown() {
    for (int i = 0; i <= Arbitration.UNKNOWN_MAX_WAITS; i++) {
      driver.advance(ExpirySettings.DEFAULT_UNKNOWN_GRACE.plusMillis(10));
    }
  }

  @Test
  void shouldAnswer60322ToAnAttemptOnAnAnsweredChallenge() {
    driver.create(SID, in(1_000));
    driver.attempt(SID, "first", DENIED);
    driver.outcomes();

    driver.attempt(SID, "second", APPROVED);

    VerificationRejected r = rejected(driver.outcomes().get(0));
    assertThat(r.getCode()).isEqualTo(60322);
    assertThat(r.getReason()).isEqualTo("Challenge already responded");
  }

  @Test
  void shouldCountWrongCodesAndRejectTheFifthWith60308() {
    driver.create(SID, in(60_000));

    for (int i = 1; i <= 5; i++) {
      driver.attempt(SID, "wrong-" + i, WRONG_CODE);
    }

    List<SpecificRecord> outcomes = driver.outcomes();
    assertThat(outcomes).hasSize(5);
    for (int i = 0; i < 4; i++) {
      VerificationFailed f = (VerificationFailed) outcomes.get(i);
      assertThat(f.getFailedAttempts()).isEqualTo(i + 1);
      assertThat(f.getAttemptId()).isEqualTo("wrong-" + (i + 1));
    }
    assertThat(rejected(outcomes.get(4)).getCode()).isEqualTo(60308);
  }

  @Test
  void shouldStayLockedAfterTheAttemptLimitAndStillExpireAtTheDeadline() {
    Instant deadline = in(60_000);
    driver.create(SID, deadline);
    for (int i = 1; i <= 5; i++) {
      driver.attempt(SID, "wrong-" + i, WRONG_CODE);
    }
    driver.outcomes();

    driver.attempt(SID, "right-but-too-late", APPROVED);

    assertThat(rejected(driver.outcomes().get(0)).getCode()).isEqualTo(60308);
    driver.advanceTo(deadline);
    assertThat(driver.expired()).hasSize(1);
  }

  @Test
  void shouldAnswerTheSameAttemptIdIdenticallyAndCountItOnce() {
    driver.create(SID, in(60_000));
    driver.attempt(SID, "retry-me", WRONG_CODE);
    driver.advance(Duration.ofMillis(300));

    driver.attempt(SID, "retry-me", WRONG_CODE);
    driver.attempt(SID, "another", WRONG_CODE);

    List<SpecificRecord> outcomes = driver.outcomes();
    assertThat(outcomes).hasSize(3);
    assertThat(outcomes.get(1)).isEqualTo(outcomes.get(0));
    assertThat(((VerificationFailed) outcomes.get(0)).getFailedAttempts()).isEqualTo(1);
    assertThat(((VerificationFailed) outcomes.get(2)).getFailedAttempts()).isEqualTo(2);
  }

  @Test
  void shouldAnswerARepeatOfTheDecidingAttemptWith60322AndNoSecondTerminalEvent() {
    driver.create(SID, in(60_000));
    driver.attempt(SID, "approve", APPROVED);
    driver.advance(Duration.ofMillis(300));

    driver.attempt(SID, "approve", APPROVED);

    List<SpecificRecord> outcomes = driver.outcomes();
    assertThat(outcomes).hasSize(2);
    assertThat(outcomes.get(0)).isInstanceOf(ChallengeApproved.class);
    VerificationRejected repeat = rejected(outcomes.get(1));
    assertThat(repeat.getCode()).isEqualTo(60322);
    assertThat(repeat.getAttemptId()).isEqualTo("approve");
  }

  @Test
  void shouldReplayA60323ForTheSameLateAttemptId() {
    Instant deadline = in(1_000);
    driver.create(SID, deadline);
    driver.advanceTo(deadline);
    driver.attempt(SID, "late", APPROVED);
    driver.advance(Duration.ofMillis(300));

    driver.attempt(SID, "late", APPROVED);

    List<SpecificRecord> outcomes = driver.outcomes();
    assertThat(outcomes).hasSize(2);
    assertThat(outcomes.get(1)).isEqualTo(outcomes.get(0));
  }

  @Test
  void shouldResumeFromWhereTheBudgetStoppedOnTheNextTick() {
    driver.close();
    driver =
        new ArbiterDriver(ExpirySettings.defaults().withTickBudget(Duration.ofSeconds(10), 10));
    Instant deadline = in(1_000);
    for (int i = 0; i < 25; i++) {
      driver.create("YC-%02d".formatted(i), deadline);
    }

    driver.advanceTo(deadline);
    List<String> first = sids(driver.expired());
    driver.advance(TICK);
    List<String> second = sids(driver.expired());
    driver.advance(TICK);
    List<String> third = sids(driver.expired());
    driver.advance(TICK);

    assertThat(first).hasSize(10);
    assertThat(second).hasSize(10);
    assertThat(third).hasSize(5);
    List<String> all = new ArrayList<>(first);
    all.addAll(second);
    all.addAll(third);
    assertThat(all).doesNotHaveDuplicates().hasSize(25);
    assertThat(driver.expired()).isEmpty();
  }

  @Test
  void shouldMoveTheCursorsPastHandledEntriesAndPurgeAfterRetention() {
    driver.close();
    Duration retention = Duration.ofSeconds(30);
    driver = new ArbiterDriver(ExpirySettings.defaults().withTerminalRetention(retention));
    Instant first = in(1_000);
    for (int i = 0; i < 20; i++) {
      driver.create("YC-%02d".formatted(i), first.plusMillis(i * 10L));
    }
    driver.create("YC-approved", first.plusMillis(5));
    driver.attempt("YC-approved", "ok", APPROVED);
    Instant last = first.plusMillis(190);

    driver.advanceTo(last);
    assertThat(driver.expired()).hasSize(20);
    assertThat(driver.metaStore().get(TimeIndex.EXPIRY_CURSOR)).isGreaterThan(last.toEpochMilli());
    // Settled challenges stay, for late attempts, until the retention ends.
    assertThat(count(driver.challengeStore())).isEqualTo(21);

    driver.advanceTo(last.plus(retention).plusMillis(10));

    assertThat(countEntries(driver)).isZero();
    assertThat(driver.metaStore().get(TimeIndex.PURGE_CURSOR)).isGreaterThan(last.toEpochMilli());
    // A challenge created after the purge still expires: the cursor never passed it.
    Instant next = in(1_000);
    driver.create("YC-next", next);
    driver.advanceTo(next);
    assertThat(sids(driver.expired())).containsExactly("YC-next");
  }

  @Test
  void shouldAnswerLateAttemptsWith60323UntilTheRetentionEnds() {
    driver.close();
    Duration retention = Duration.ofSeconds(30);
    driver = new ArbiterDriver(ExpirySettings.defaults().withTerminalRetention(retention));
    Instant deadline = in(1_000);
    driver.create(SID, deadline);
    driver.advanceTo(deadline.plus(retention).minusMillis(10));

    driver.attempt(SID, "late", APPROVED);
    assertThat(rejected(driver.outcomes().get(0)).getCode()).isEqualTo(60323);

    driver.advanceTo(deadline.plus(retention).plusMillis(10));
    driver.attempt(SID, "much-later", APPROVED);
    waitOutUnknown();
    assertThat(rejected(driver.outcomes().get(0)).getCode()).isEqualTo(20404);
  }

  @Test
  void shouldKeepThePendingCountOfTheTask() {
    driver.create("YC-a", in(1_000));
    driver.create("YC-b", in(2_000));
    driver.create("YC-c", in(3_000));
    driver.attempt("YC-c", "ok", APPROVED);
    assertThat(driver.metrics().pending()).isEqualTo(2);

    driver.advanceTo(in(1_000));

    assertThat(driver.metrics().pending()).isEqualTo(1);
  }

  @Test
  void shouldDeadLetterAnUndecodableRecordAndKeepProcessing() {
    byte[] garbage = "not avro at all".getBytes(StandardCharsets.UTF_8);
    driver.pipeRawCreated(SID.getBytes(StandardCharsets.UTF_8), garbage);
    Instant deadline = in(1_000);
    driver.create(SID, deadline);

    List<TestRecord<byte[], byte[]>> dead = driver.createdDeadLetters();
    assertThat(dead).hasSize(1);
    assertThat(dead.get(0).value()).isEqualTo(garbage);
    assertThat(dead.get(0).key()).isEqualTo(SID.getBytes(StandardCharsets.UTF_8));
    assertThat(header(dead.get(0), DeadLetterHandler.HEADER_MESSAGE)).contains("magic byte");
    assertThat(header(dead.get(0), DeadLetterHandler.HEADER_TOPIC)).isEqualTo("challenge-created");
    assertThat(driver.metrics().deadLetteredCount()).isEqualTo(1.0);
    driver.advanceTo(deadline);
    assertThat(driver.expired()).hasSize(1);
  }

  @Test
  void shouldDeadLetterATombstoneOnTheCreatedTopic() {
    driver.pipeRawCreated(SID.getBytes(StandardCharsets.UTF_8), null);

    List<TestRecord<byte[], byte[]>> dead = driver.createdDeadLetters();
    assertThat(dead).hasSize(1);
    assertThat(header(dead.get(0), DeadLetterHandler.HEADER_MESSAGE)).contains("tombstone");
  }

  private static String header(TestRecord<byte[], byte[]> r, String name) {
    return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
  }

  private static List<String> sids(List<ChallengeExpired> expired) {
    return expired.stream().map(ChallengeExpired::getSid).toList();
  }

  private static long countEntries(ArbiterDriver d) {
    return count(d.challengeStore()) + count(d.indexStore());
  }

  private static long count(KeyValueStore<?, ?> store) {
    long n = 0;
    try (var it = store.all()) {
      while (it.hasNext()) {
        it.next();
        n++;
      }
    }
    return n;
  }
}
