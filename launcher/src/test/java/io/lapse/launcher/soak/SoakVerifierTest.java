package io.lapse.launcher.soak;

import static org.assertj.core.api.Assertions.assertThat;

import io.lapse.events.v1.AttemptOutcome;
import io.lapse.launcher.soak.SoakVerifier.Kind;
import io.lapse.launcher.soak.SoakVerifier.Observed;
import io.lapse.launcher.soak.SoakVerifier.SentAttempt;
import io.lapse.launcher.soak.SoakVerifier.SentChallenge;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The soak's judge catches each kind of violation, and passes a run without any. */
class SoakVerifierTest {
  private static final long DEADLINE = 10_000;

  private final List<SentChallenge> challenges = new ArrayList<>();
  private final List<SentAttempt> attempts = new ArrayList<>();
  private final List<Observed> observed = new ArrayList<>();

  private void challenge(String sid) {
    challenges.add(new SentChallenge(sid, DEADLINE));
  }

  private void attempt(String sid, String id, AttemptOutcome outcome, long at) {
    attempts.add(new SentAttempt(sid, id, outcome, at));
  }

  private void seen(String sid, Kind kind, String attemptId, long at) {
    observed.add(new Observed(sid, kind, attemptId, at, at + 5));
  }

  private SoakVerdict verdict() {
    return SoakVerifier.verify(challenges, attempts, observed);
  }

  /** Every way a challenge may correctly end: approved, denied, expired, late refused. */
  private void cleanRun() {
    challenge("YC1");
    attempt("YC1", "AT1", AttemptOutcome.APPROVED, 2_000);
    seen("YC1", Kind.APPROVED, "AT1", 2_010);

    challenge("YC2");
    attempt("YC2", "AT2", AttemptOutcome.DENIED, 3_000);
    seen("YC2", Kind.DENIED, "AT2", 3_010);

    challenge("YC3");
    attempt("YC3", "AT3", AttemptOutcome.WRONG_CODE, 1_000);
    seen("YC3", Kind.FAILED, "AT3", 1_010);
    seen("YC3", Kind.EXPIRED, null, DEADLINE + 20);

    challenge("YC4");
    attempt("YC4", "AT4", AttemptOutcome.APPROVED, DEADLINE + 300);
    seen("YC4", Kind.EXPIRED, null, DEADLINE + 40);
    seen("YC4", Kind.REJECTED, "AT4", DEADLINE + 310);

    // On time, but the processor (restoring after a kill) expired it first: refused, not wrong.
    challenge("YC5");
    attempt("YC5", "AT5", AttemptOutcome.APPROVED, DEADLINE - 100);
    seen("YC5", Kind.EXPIRED, null, DEADLINE + 900);
    seen("YC5", Kind.REJECTED, "AT5", DEADLINE + 910);
  }

  @Test
  void shouldPassARunWithoutViolations() {
    cleanRun();
    SoakVerdict v = verdict();
    assertThat(v.ok()).isTrue();
    assertThat(v.challenges()).isEqualTo(5);
    assertThat(v.attempts()).isEqualTo(5);
    assertThat(v.approved()).isEqualTo(1);
    assertThat(v.denied()).isEqualTo(1);
    assertThat(v.expired()).isEqualTo(3);
    assertThat(v.maxLatenessMs()).isEqualTo(905);
    assertThat(v.summaryLine(2))
        .isEqualTo(
            "soak: cycles=2 challenges=5 lost=0 duplicated=0 early=0 contradictory=0"
                + " max_lateness_ms=905");
  }

  @Test
  void shouldCountAChallengeWithoutAnEndAsLost() {
    cleanRun();
    challenge("YC9");
    SoakVerdict v = verdict();
    assertThat(v.lost()).isEqualTo(1);
    assertThat(v.ok()).isFalse();
    assertThat(v.examples()).containsExactly("lost YC9");
  }

  @Test
  void shouldCountAnUnansweredAttemptAsLost() {
    cleanRun();
    challenge("YC9");
    attempt("YC9", "AT9", AttemptOutcome.WRONG_CODE, 1_000);
    seen("YC9", Kind.EXPIRED, null, DEADLINE + 1);
    SoakVerdict v = verdict();
    assertThat(v.lost()).isEqualTo(1);
    assertThat(v.unanswered()).isEqualTo(1);
  }

  @Test
  void shouldCountATerminalEventSeenTwiceAsDuplicated() {
    cleanRun();
    seen("YC3", Kind.EXPIRED, null, DEADLINE + 30);
    SoakVerdict v = verdict();
    assertThat(v.duplicated()).isEqualTo(1);
    assertThat(v.contradictory()).isZero();
  }

  @Test
  void shouldCountAnAttemptAnsweredTwiceAsDuplicated() {
    cleanRun();
    seen("YC3", Kind.FAILED, "AT3", 1_020);
    assertThat(verdict().duplicated()).isEqualTo(1);
  }

  @Test
  void shouldCountAnExpiryBeforeTheDeadlineAsEarly() {
    cleanRun();
    challenge("YC9");
    seen("YC9", Kind.EXPIRED, null, DEADLINE - 1);
    SoakVerdict v = verdict();
    assertThat(v.early()).isEqualTo(1);
    assertThat(v.lost()).isZero();
  }

  @Test
  void shouldCountAnExpirySeenBeforeTheDeadlineAsEarlyWhateverItClaims() {
    cleanRun();
    challenge("YC9");
    observed.add(new Observed("YC9", Kind.EXPIRED, null, DEADLINE, DEADLINE - 50));
    assertThat(verdict().early()).isEqualTo(1);
  }

  @Test
  void shouldCountApprovedAndExpiredAsContradictory() {
    cleanRun();
    seen("YC1", Kind.EXPIRED, null, DEADLINE + 10);
    SoakVerdict v = verdict();
    assertThat(v.contradictory()).isEqualTo(1);
    assertThat(v.duplicated()).isZero();
  }

  @Test
  void shouldCountAnApprovalNobodyAskedForAsContradictory() {
    cleanRun();
    challenge("YC9");
    attempt("YC9", "AT9", AttemptOutcome.DENIED, 1_000);
    seen("YC9", Kind.APPROVED, "AT9", 1_010);
    assertThat(verdict().contradictory()).isEqualTo(1);
  }

  @Test
  void shouldCountALateAttemptThatWasApprovedAsContradictory() {
    cleanRun();
    challenge("YC9");
    attempt("YC9", "AT9", AttemptOutcome.APPROVED, DEADLINE);
    seen("YC9", Kind.APPROVED, "AT9", DEADLINE + 10);
    assertThat(verdict().contradictory()).isEqualTo(1);
  }

  @Test
  void shouldCountAWrongCodeAnsweredAsApprovedAsContradictory() {
    cleanRun();
    challenge("YC9");
    attempt("YC9", "AT9", AttemptOutcome.WRONG_CODE, 1_000);
    seen("YC9", Kind.APPROVED, "AT9", 1_010);
    assertThat(verdict().contradictory()).isEqualTo(1);
  }

  @Test
  void shouldNotJudgeEventsOfSendsItWasNotToldAbout() {
    cleanRun();
    seen("YC-unacknowledged", Kind.EXPIRED, null, 1);
    seen("YC1", Kind.REJECTED, "AT-unacknowledged", 3_000);
    SoakVerdict v = verdict();
    assertThat(v.ok()).isTrue();
    assertThat(v.foreign()).isEqualTo(2);
  }
}
