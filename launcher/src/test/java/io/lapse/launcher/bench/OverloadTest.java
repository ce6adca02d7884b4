package io.lapse.launcher.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OverloadTest {
  private static Overload with(
      int shedWithoutRetryAfter, int serverErrors, int failed, long recovered, int lost) {
    return new Overload(
        200,
        10,
        2000,
        new long[] {3000, 1000, 2000},
        new long[] {900, 400, 500, 600},
        shedWithoutRetryAfter,
        serverErrors,
        failed,
        0,
        450,
        recovered,
        lost);
  }

  @Test
  void shouldHoldWhenNothingAcceptedIsLostAndEveryRefusalSaysWhenToRetry() {
    assertThat(with(0, 0, 0, 80, 0).held()).isTrue();
  }

  @Test
  void shouldNotHoldOnALostChallengeABareRefusalAnErrorOrNoRecovery() {
    assertThat(with(0, 0, 0, 80, 1).held()).isFalse();
    assertThat(with(1, 0, 0, 80, 0).held()).isFalse();
    assertThat(with(0, 1, 0, 80, 0).held()).isFalse();
    assertThat(with(0, 0, 1, 80, 0).held()).isFalse();
    assertThat(with(0, 0, 0, -1, 0).held()).isFalse();
  }

  @Test
  void shouldPrintEveryCountAndTheLatenciesOfAcceptedAndShedAnswers() {
    assertThat(with(0, 0, 0, 80, 0).line())
        .isEqualTo(
            "offered=200/s seconds=10 sent=2000 accepted=3 shed_503=4"
                + " shed_without_retry_after=0 other_5xx=0 failed=0 not_sent=0"
                + " accepted_p50_ms=2.0 accepted_p99_ms=3.0 accepted_max_ms=3.0"
                + " shed_p50_ms=0.5 shed_p99_ms=0.9 drained_ms=450 recovered_ms=80 lost=0");
  }
}
