package io.lapse.launcher.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * One workload of the side-by-side benchmark: {@code pending} challenges kept pending (due in an
 * hour) while either {@code steadySeconds} of creates at {@code rate}/s, each due 2–12 s ahead, are
 * measured, or a {@code burst} of challenges all due at one instant is drained.
 */
record Scenario(String name, int pending, int rate, int steadySeconds, int burst) {

  static Scenario steady(int pending, int rate, int seconds) {
    return new Scenario(
        String.format("%,d pending + %,d/s for %d s", pending, rate, seconds),
        pending,
        rate,
        seconds,
        0);
  }

  static Scenario burst(int pending, int burst) {
    return new Scenario(
        String.format("burst of %,d due at once (%,d pending)", burst, pending),
        pending,
        0,
        0,
        burst);
  }

  boolean isBurst() {
    return burst > 0;
  }

  /** The quick set, or with {@code full} the whole set (1 M pending, a 200 k burst). */
  static List<Scenario> set(boolean full) {
    List<Scenario> set = new ArrayList<>();
    set.add(steady(10_000, 5_000, 4));
    set.add(steady(100_000, 5_000, 4));
    set.add(burst(100_000, 20_000));
    if (full) {
      set.add(steady(1_000_000, 5_000, 10));
      set.add(burst(1_000_000, 200_000));
    }
    return set;
  }
}
