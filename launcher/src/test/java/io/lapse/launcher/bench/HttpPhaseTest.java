package io.lapse.launcher.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HttpPhaseTest {

  @Test
  void shouldTakeNearestRankPercentilesOfUnsortedLatencies() {
    long[] micros = new long[100];
    for (int i = 0; i < 100; i++) {
      micros[i] = (100 - i) * 1000L; // 100 ms down to 1 ms
    }
    HttpPhase phase = new HttpPhase("create", micros, 0, 0, 2000, 0);

    assertThat(phase.percentileMillis(50)).isEqualTo(50.0);
    assertThat(phase.percentileMillis(99)).isEqualTo(99.0);
    assertThat(phase.maxMillis()).isEqualTo(100.0);
    assertThat(phase.rate()).isEqualTo(50.0);
  }

  @Test
  void shouldPrintEveryFigureInOneLine() {
    HttpPhase phase =
        new HttpPhase("verify", new long[] {1500, 2500, 40_000}, 1, 1, 1000, 30_000_000);

    assertThat(phase.line())
        .isEqualTo(
            "phase=verify requests=3 rate=3/s p50_ms=2.5 p90_ms=40.0 p99_ms=40.0 max_ms=40.0"
                + " unexpected=1 5xx=1 server_cpu_ms_per_request=10.00");
  }

  @Test
  void shouldBeCleanOnlyWithoutUnexpectedAnswers() {
    assertThat(new HttpPhase("approve", new long[] {1}, 0, 0, 1, 0).clean()).isTrue();
    assertThat(new HttpPhase("approve", new long[] {1}, 1, 0, 1, 0).clean()).isFalse();
  }

  @Test
  void shouldAnswerZeroWithoutRequests() {
    HttpPhase empty = new HttpPhase("create", new long[0], 0, 0, 0, 0);

    assertThat(empty.percentileMillis(99)).isZero();
    assertThat(empty.maxMillis()).isZero();
    assertThat(empty.rate()).isZero();
  }

  @Test
  void shouldNotShareTheCallersArray() {
    long[] micros = {3000, 1000};
    HttpPhase phase = new HttpPhase("create", micros, 0, 0, 1, 0);
    micros[0] = 999_000;

    assertThat(phase.maxMillis()).isEqualTo(3.0);
  }
}
