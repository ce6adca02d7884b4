package io.lapse.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class CommitPacerTest {
  private static final long QUIET = 5;

  @Test
  void shouldRequestACommitForTheFirstRecordOfAThread() {
    assertThat(new CommitPacer(QUIET).arrivedAfterQuiet(1_000_000)).isTrue();
  }

  @Test
  void shouldRequestACommitForARecordArrivingAfterAQuietSpell() {
    CommitPacer pacer = new CommitPacer(QUIET);
    long t = 1_000_000;
    pacer.arrivedAfterQuiet(t);

    assertThat(pacer.arrivedAfterQuiet(t + QUIET)).isTrue();
  }

  @Test
  void shouldNotRequestCommitsForRecordsArrivingBackToBack() {
    CommitPacer pacer = new CommitPacer(QUIET);
    long t = 2_000_000;
    pacer.arrivedAfterQuiet(t);

    assertThat(pacer.arrivedAfterQuiet(t)).isFalse();
    assertThat(pacer.arrivedAfterQuiet(t + 1)).isFalse();
    assertThat(pacer.arrivedAfterQuiet(t + 1 + QUIET - 1)).isFalse();
  }

  @Test
  void shouldNotTakeAnOlderRecordOfAnotherPartitionForAQuietSpell() {
    CommitPacer pacer = new CommitPacer(QUIET);
    long t = 5_000_000;
    pacer.arrivedAfterQuiet(t);
    pacer.arrivedAfterQuiet(t - 100); // another partition's record, written earlier

    assertThat(pacer.arrivedAfterQuiet(t + QUIET - 1)).isFalse();
    assertThat(pacer.arrivedAfterQuiet(t + QUIET - 1 + QUIET)).isTrue();
  }

  @Test
  void shouldRequestEveryTimeWithAZeroGap() {
    CommitPacer pacer = new CommitPacer(0);
    long t = 4_000_000;
    pacer.arrivedAfterQuiet(t);

    assertThat(pacer.arrivedAfterQuiet(t)).isTrue();
  }

  @Test
  void shouldPaceEachStreamThreadOnItsOwn() throws InterruptedException {
    Supplier<CommitPacer> threadPacer = CommitPacer.perThread(QUIET);
    long t = 3_000_000;
    threadPacer.get().arrivedAfterQuiet(t);
    AtomicReference<CommitPacer> otherPacer = new AtomicReference<>();
    AtomicReference<Boolean> otherQuiet = new AtomicReference<>();

    Thread other =
        new Thread(
            () -> {
              otherPacer.set(threadPacer.get());
              otherQuiet.set(otherPacer.get().arrivedAfterQuiet(t));
            });
    other.start();
    other.join();

    assertThat(otherPacer.get()).isNotSameAs(threadPacer.get());
    assertThat(otherQuiet.get()).isTrue();
    assertThat(threadPacer.get().arrivedAfterQuiet(t)).as("this thread's pacer saw t").isFalse();
  }

  @Test
  void shouldGiveEachTopologyItsOwnPacers() {
    Supplier<CommitPacer> one = CommitPacer.perThread(QUIET);
    Supplier<CommitPacer> two = CommitPacer.perThread(QUIET);

    assertThat(one.get()).isSameAs(one.get()).isNotSameAs(two.get());
  }
}
