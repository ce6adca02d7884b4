package io.lapse.expiry;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.processor.Cancellable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WakeUpSchedulerTest {
  private static final long INTERVAL = 10;
  private static final long NEVER_TICKED = Long.MIN_VALUE / 2;

  @ParameterizedTest(name = "due {0}, now {1}, last tick {2} -> {3}")
  @CsvSource({
    // on the grid slot itself
    "1000, 500, " + NEVER_TICKED + ", 1000",
    // off the grid: the next slot after it
    "1003, 500, " + NEVER_TICKED + ", 1010",
    // already due: the first slot strictly after now
    "400, 500, " + NEVER_TICKED + ", 510",
    "400, 503, " + NEVER_TICKED + ", 510",
    // the grid ignores the previous tick
    "1003, 1000, 1000, 1010",
    // saturates instead of overflowing
    Long.MAX_VALUE + ", 500, " + NEVER_TICKED + ", " + Long.MAX_VALUE,
  })
  void shouldTickOnTheFirstGridSlotAtOrAfterTheDueInstant(
      long due, long now, long lastTick, long expected) {
    assertThat(new WakeUpScheduler.Grid(INTERVAL).tickAt(due, now, lastTick)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "due {0}, now {1}, last tick {2} -> {3}")
  @CsvSource({
    // exactly at the due instant, on or off the grid
    "1000, 500, " + NEVER_TICKED + ", 1000",
    "1003, 500, " + NEVER_TICKED + ", 1003",
    // already due: just after now
    "400, 500, " + NEVER_TICKED + ", 501",
    // no sooner than one interval after the previous tick
    "1001, 1000, 1000, 1010",
    "1003, 1000, 995, 1005",
    "1020, 1000, 1000, 1020",
    Long.MAX_VALUE + ", 500, 400, " + Long.MAX_VALUE,
  })
  void shouldTickAtTheDueInstantButAtMostOncePerInterval(
      long due, long now, long lastTick, long expected) {
    assertThat(new WakeUpScheduler.Due(INTERVAL).tickAt(due, now, lastTick)).isEqualTo(expected);
  }

  @Test
  void shouldChooseTheAlignmentFromTheSettings() {
    ExpirySettings grid = ExpirySettings.defaults();
    ExpirySettings due = grid.withTickAlignment(ExpirySettings.TickAlignment.DUE);
    long interval = grid.punctuationInterval().toMillis();

    assertThat(WakeUpScheduler.Alignment.of(grid)).isEqualTo(new WakeUpScheduler.Grid(interval));
    assertThat(WakeUpScheduler.Alignment.of(due)).isEqualTo(new WakeUpScheduler.Due(interval));
  }

  /** A timer that records what was scheduled and cancelled. */
  private static final class RecordingTimer implements WakeUpScheduler.Timer {
    final List<Long> scheduled = new ArrayList<>();
    int cancelled;

    @Override
    public Cancellable scheduleAt(long epochMillis) {
      scheduled.add(epochMillis);
      return () -> cancelled++;
    }
  }

  private final RecordingTimer timer = new RecordingTimer();
  private final WakeUpScheduler wakeUps =
      new WakeUpScheduler(new WakeUpScheduler.Grid(INTERVAL), timer);

  @Test
  void shouldPullTheWakeUpForwardOnlyForEarlierWork() {
    wakeUps.dueAt(5_000, 100);
    wakeUps.dueAt(9_000, 100);
    wakeUps.dueAt(2_003, 100);

    assertThat(timer.scheduled).containsExactly(5_000L, 2_010L);
    assertThat(timer.cancelled).isEqualTo(1);
    assertThat(wakeUps.wakeUpAt()).isEqualTo(2_010);
  }

  @Test
  void shouldLeaveSchedulingToTheTickWhileItRuns() {
    wakeUps.dueAt(5_000, 100);
    wakeUps.tickStarted(5_000);

    wakeUps.dueAt(5_001, 5_000);
    wakeUps.tickEnded();
    wakeUps.rescheduleFor(7_000, 5_000);

    assertThat(timer.scheduled).containsExactly(5_000L, 7_000L);
  }

  @Test
  void shouldHaveNoWakeUpWhenNothingIsDue() {
    wakeUps.dueAt(5_000, 100);

    wakeUps.rescheduleFor(Long.MAX_VALUE, 5_000);

    assertThat(timer.cancelled).isEqualTo(1);
    assertThat(wakeUps.wakeUpAt()).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void shouldPlaceDueTicksOneIntervalAfterThePreviousTick() {
    WakeUpScheduler due = new WakeUpScheduler(new WakeUpScheduler.Due(INTERVAL), timer);
    due.tickStarted(1_000);
    due.tickEnded();

    due.rescheduleFor(1_001, 1_000);

    assertThat(timer.scheduled).containsExactly(1_010L);
  }
}
