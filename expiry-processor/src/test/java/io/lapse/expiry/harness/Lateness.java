package io.lapse.expiry.harness;

import java.util.Arrays;

/** Percentiles of lateness samples in milliseconds (nearest-rank). */
public record Lateness(int count, long p50, long p90, long p99, long max, long min) {

  public static Lateness of(long[] samples) {
    if (samples.length == 0) {
      return new Lateness(0, 0, 0, 0, 0, 0);
    }
    long[] s = samples.clone();
    Arrays.sort(s);
    return new Lateness(
        s.length, rank(s, 0.50), rank(s, 0.90), rank(s, 0.99), s[s.length - 1], s[0]);
  }

  private static long rank(long[] sorted, double q) {
    int i = (int) Math.ceil(q * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }

  @Override
  public String toString() {
    return "n=%d p50=%d ms p90=%d ms p99=%d ms max=%d ms (min %d ms)"
        .formatted(count, p50, p90, p99, max, min);
  }
}
