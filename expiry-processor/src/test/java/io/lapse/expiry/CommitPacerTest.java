package io.lapse.expiry;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class CommitPacerTest {
  private static final long QUIET = 5;

  @Test
  void shouldRequestACommitForARecordArrivingAfterAQuietSpell() {
    long t = 1_000_000;
    CommitPacer.arrivedAfterQuiet(t, QUIET);

    assertThat(CommitPacer.arrivedAfterQuiet(t + QUIET, QUIET)).isTrue();
  }

  @Test
  void shouldNotRequestCommitsForRecordsArrivingBackToBack() {
    long t = 2_000_000;
    CommitPacer.arrivedAfterQuiet(t, QUIET);

    assertThat(CommitPacer.arrivedAfterQuiet(t, QUIET)).isFalse();
    assertThat(CommitPacer.arrivedAfterQuiet(t + 1, QUIET)).isFalse();
    assertThat(CommitPacer.arrivedAfterQuiet(t + 1 + QUIET - 1, QUIET)).isFalse();
  }

  @Test
  void shouldPaceEachStreamThreadOnItsOwn() throws InterruptedException {
    long t = 3_000_000;
    CommitPacer.arrivedAfterQuiet(t, QUIET);
    AtomicBoolean otherThread = new AtomicBoolean();

    Thread other = new Thread(() -> otherThread.set(CommitPacer.arrivedAfterQuiet(t, QUIET)));
    other.start();
    other.join();

    assertThat(otherThread).isTrue();
    assertThat(CommitPacer.arrivedAfterQuiet(t, QUIET)).isFalse();
  }

  @Test
  void shouldRequestEveryTimeWithAZeroGap() {
    long t = 4_000_000;
    CommitPacer.arrivedAfterQuiet(t, 0);

    assertThat(CommitPacer.arrivedAfterQuiet(t, 0)).isTrue();
  }
}
