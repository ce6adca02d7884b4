package io.lapse.expiry;

import org.apache.kafka.streams.processor.Cancellable;

/**
 * The one wall-clock wake-up (punctuation) of a task: when it is scheduled, and where the tick for
 * work due at a given instant goes. A task has at most one wake-up scheduled, at the tick of its
 * earliest work; an index entry added by a record pulls it forward if it is due earlier, and each
 * tick reschedules it from the index. With nothing due there is no wake-up at all, so an idle task
 * causes no commit and no transaction (see {@code docs/decisions/0007-ticks-and-commits.md}).
 *
 * <p>The placement of ticks ({@link Alignment}) is chosen once, from the settings.
 */
final class WakeUpScheduler {

  /** Schedules the task's punctuation at an instant (epoch ms); the glue binds it to Streams. */
  @FunctionalInterface
  interface Timer {
    Cancellable scheduleAt(long epochMillis);
  }

  /** Where the tick for work due at {@code due} goes. */
  interface Alignment {
    /**
     * The tick for work due at {@code due}, strictly after {@code now} so a tick never schedules
     * itself into the punctuation loop that is running it.
     */
    long tickAt(long due, long now, long lastTickAt);

    static Alignment of(ExpirySettings settings) {
      long interval = settings.punctuationInterval().toMillis();
      return switch (settings.tickAlignment()) {
        case GRID -> new Grid(interval);
        case DUE -> new Due(interval);
      };
    }
  }

  /**
   * The first multiple of the punctuation interval at or after the due instant (KIP-1146 anchoring,
   * so the tasks of a thread tick together).
   */
  record Grid(long intervalMs) implements Alignment {
    @Override
    public long tickAt(long due, long now, long lastTickAt) {
      long at = Math.max(due, now + 1);
      long offGrid = Math.floorMod(at, intervalMs);
      return offGrid == 0 ? at : saturatedAdd(at - offGrid, intervalMs);
    }
  }

  /**
   * The due instant itself, but no sooner than one interval after the task's previous tick, so
   * under load a task still ticks at most once per interval.
   */
  record Due(long intervalMs) implements Alignment {
    @Override
    public long tickAt(long due, long now, long lastTickAt) {
      long at = Math.max(due, now + 1);
      return Math.max(at, saturatedAdd(lastTickAt, intervalMs));
    }
  }

  private final Alignment alignment;
  private final Timer timer;
  private Cancellable wakeUp;
  private long wakeUpAt = Long.MAX_VALUE;
  private long lastTickAt = Long.MIN_VALUE / 2;
  private boolean inTick;

  WakeUpScheduler(Alignment alignment, Timer timer) {
    this.alignment = alignment;
    this.timer = timer;
  }

  /** The instant of the scheduled wake-up, {@link Long#MAX_VALUE} when there is none. */
  long wakeUpAt() {
    return wakeUpAt;
  }

  long tickAt(long due, long now) {
    return alignment.tickAt(due, now, lastTickAt);
  }

  /**
   * Work became due at {@code due}: wake up for it if that is earlier than the scheduled wake-up.
   * Ignored during a tick, which reschedules itself when it ends.
   */
  void dueAt(long due, long now) {
    if (!inTick) {
      long at = tickAt(due, now);
      if (at < wakeUpAt) {
        wakeUpAt(at);
      }
    }
  }

  /** A tick starts at {@code now}. */
  void tickStarted(long now) {
    lastTickAt = now;
    inTick = true;
  }

  /**
   * The tick ended (also on an exception: the punctuation then stays scheduled and repeats one
   * interval later).
   */
  void tickEnded() {
    inTick = false;
  }

  /** Replaces the wake-up by one for the earliest work, due at {@code due} (none if MAX_VALUE). */
  void rescheduleFor(long due, long now) {
    if (due == Long.MAX_VALUE) {
      cancel();
    } else {
      wakeUpAt(tickAt(due, now));
    }
  }

  void cancel() {
    if (wakeUp != null) {
      wakeUp.cancel();
      wakeUp = null;
    }
    wakeUpAt = Long.MAX_VALUE;
  }

  private void wakeUpAt(long at) {
    cancel();
    wakeUp = timer.scheduleAt(at);
    wakeUpAt = at;
  }

  static long saturatedAdd(long a, long b) {
    long r = a + b;
    return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
  }
}
