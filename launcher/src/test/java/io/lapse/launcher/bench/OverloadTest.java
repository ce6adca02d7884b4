package io.lapse.launcher.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OverloadTest {
  private static Overload with(int shedWithoutRetryAfter, int failed, int probe, int lost) {
    return new Overload(
        200,
        10,
        2000,
        new long[] {3000, 1000, 2000},
        1997,
        shedWithoutRetryAfter,
        failed,
        0,
        450,
        probe,
        lost);
  }

  @Test
  void shouldHoldWhenNothingAcceptedIsLostAndEveryRefusalSaysWhenToRetry() {
    assertThat(with(0, 0, 201, 0).held()).isTrue();
  }

  @Test
  void shouldNotHoldOnALostChallengeABareRefusalAFailureOrNoRecovery() {
    assertThat(with(0, 0, 201, 1).held()).isFalse();
    assertThat(with(1, 0, 201, 0).held()).isFalse();
    assertThat(with(0, 1, 201, 0).held()).isFalse();
    assertThat(with(0, 0, 503, 0).held()).isFalse();
  }

  @Test
  void shouldPrintEveryCountAndTheAcceptedLatencies() {
    assertThat(with(0, 0, 201, 0).line())
        .isEqualTo(
            "offered=200/s seconds=10 sent=2000 accepted=3 shed_503=1997"
                + " shed_without_retry_after=0 failed=0 not_sent=0 accepted_p50_ms=2.0"
                + " accepted_p99_ms=3.0 accepted_max_ms=3.0 drained_ms=450 probe=201 lost=0");
  }
}
