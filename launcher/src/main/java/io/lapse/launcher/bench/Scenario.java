package io.lapse.launcher.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * One workload of the side-by-side benchmark: {@code pending} challenges kept pending (due in an
 * hour) while either {@code steadySeconds} of creates at {@code rate}/s, each due 2–12 s ahead, are
 * measured, or a {@code burst} of challenges all due at one instant is drained, or nothing is sent
 * for {@code steadySeconds} and only the CPU the contender burns idle is measured.
 *
 * <p>The {@linkplain Kind#COLD cold start} is the steady workload run first, right after the
 * contender reports ready, with nothing pending: what a deploy or a failover looks like (issue 12
 * part 4), where the warm scenarios after it show the steady state.
 */
record Scenario(Kind kind, String name, int pending, int rate, int steadySeconds, int burst) {

  enum Kind {
    COLD,
    STEADY,
    BURST,
    IDLE
  }

  static Scenario steady(int pending, int rate, int seconds) {
    return new Scenario(
        Kind.STEADY,
        String.format("%,d pending + %,d/s for %d s", pending, rate, seconds),
        pending,
        rate,
        seconds,
        0);
  }

  static Scenario burst(int pending, int burst) {
    return new Scenario(
        Kind.BURST,
        String.format("burst of %,d due at once (%,d pending)", burst, pending),
        pending,
        0,
        0,
        burst);
  }

  /** The first {@code seconds} after ready: {@code rate}/s due 2–12 s ahead, nothing pending. */
  static Scenario cold(int rate, int seconds) {
    return new Scenario(
        Kind.COLD,
        String.format("cold start: %,d/s for the first %d s after ready", rate, seconds),
        0,
        rate,
        seconds,
        0);
  }

  /** Nothing sent for {@code seconds} with {@code pending} pending: the CPU of waiting. */
  static Scenario idle(int pending, int seconds) {
    return new Scenario(
        Kind.IDLE,
        String.format("idle for %d s with %,d pending (CPU only)", seconds, pending),
        pending,
        0,
        seconds,
        0);
  }

  boolean isBurst() {
    return kind == Kind.BURST;
  }

  boolean isIdle() {
    return kind == Kind.IDLE;
  }

  boolean isCold() {
    return kind == Kind.COLD;
  }

  /**
   * The quick set, or with {@code full} the whole set (the first minute, 1 M pending, a 200
   * k burst). The cold start comes first: it is only cold before anything else ran.
   */
  static List<Scenario> set(boolean full) {
    List<Scenario> set = new ArrayList<>();
    set.add(cold(5_000, full ? 60 : 20));
    set.add(steady(10_000, 5_000, 4));
    set.add(steady(100_000, 5_000, 4));
    set.add(burst(100_000, 20_000));
    set.add(idle(100_000, 10));
    if (full) {
      set.add(steady(1_000_000, 5_000, 10));
      set.add(burst(1_000_000, 200_000));
      set.add(idle(1_000_000, 30));
    }
    return set;
  }
}
