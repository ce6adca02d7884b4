package io.lapse.launcher.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LatenessTest {

  @Test
  void shouldTakeEachExpirysLatenessFromItsDeadline() {
    Lateness lateness = new Lateness();
    for (int i = 1; i <= 100; i++) {
      lateness.created("YC" + i, 1_000);
      lateness.expired("YC" + i, 1_000, 1_000 + i); // late by 1..100 ms
    }

    Lateness.Summary summary = lateness.summary();

    assertThat(summary.correct()).isTrue();
    assertThat(summary.p50()).isEqualTo(50);
    assertThat(summary.p90()).isEqualTo(90);
    assertThat(summary.p99()).isEqualTo(99);
    assertThat(summary.max()).isEqualTo(100);
    assertThat(lateness.complete()).isTrue();
  }

  @Test
  void shouldCountLostDuplicatedAndEarlyExpiries() {
    Lateness lateness = new Lateness();
    lateness.created("YC-on-time", 1_000);
    lateness.created("YC-twice", 1_000);
    lateness.created("YC-early", 1_000);
    lateness.created("YC-never", 1_000);
    lateness.expired("YC-on-time", 1_000, 1_010);
    lateness.expired("YC-twice", 1_001, 1_011);
    lateness.expired("YC-twice", 1_001, 1_020);
    lateness.expired("YC-early", 999, 1_005); // emitted before its deadline
    lateness.expired("YC-someone-elses", 1_000, 1_000);

    Lateness.Summary summary = lateness.summary();

    assertThat(summary.lost()).isEqualTo(1);
    assertThat(summary.duplicated()).isEqualTo(1);
    assertThat(summary.early()).isEqualTo(1);
    assertThat(summary.unknown()).isEqualTo(1);
    assertThat(summary.correct()).isFalse();
    assertThat(lateness.complete()).isFalse();
    assertThat(summary.line()).contains("lost=1 duplicated=1 early=1");
  }

  @Test
  void shouldTakeTheNearestRank() {
    assertThat(Lateness.percentile(new long[] {}, 99)).isZero();
    assertThat(Lateness.percentile(new long[] {7}, 50)).isEqualTo(7);
    assertThat(Lateness.percentile(new long[] {1, 2, 3, 4}, 50)).isEqualTo(2);
    assertThat(Lateness.percentile(new long[] {1, 2, 3, 4}, 99)).isEqualTo(4);
  }
}
