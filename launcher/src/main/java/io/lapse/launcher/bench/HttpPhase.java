package io.lapse.launcher.bench;

import java.util.Arrays;

/**
 * What one timed phase of {@link HttpLoad} measured: every timed request's latency, the answers
 * that were not the expected one, and the 5xx among them. Pure, so the figures it prints are tested
 * apart from the load.
 *
 * @param phase the phase's name (create, verify, approve)
 * @param latenciesMicros every timed request's latency, in any order
 * @param unexpected answers other than the phase's expected status and outcome
 * @param serverErrors answers with a 5xx status (also counted in {@code unexpected})
 * @param elapsedMillis the phase's wall time, for the rate
 * @param serverCpuNanos CPU time the running system's processes used during the phase beyond their
 *     idle use, 0 when not known; per request it is a figure that a machine shared with other work
 *     distorts far less than latency
 */
public record HttpPhase(
    String phase,
    long[] latenciesMicros,
    int unexpected,
    int serverErrors,
    long elapsedMillis,
    long serverCpuNanos) {

  public HttpPhase {
    latenciesMicros = latenciesMicros.clone();
    Arrays.sort(latenciesMicros);
  }

  public int requests() {
    return latenciesMicros.length;
  }

  /** Timed requests per second of wall time. */
  public double rate() {
    return elapsedMillis <= 0 ? 0 : requests() * 1000.0 / elapsedMillis;
  }

  /** Nearest-rank percentile in milliseconds; 0 without requests. */
  public double percentileMillis(double p) {
    if (latenciesMicros.length == 0) {
      return 0;
    }
    int rank = (int) Math.ceil(p / 100.0 * latenciesMicros.length);
    return latenciesMicros[Math.max(0, Math.min(rank, latenciesMicros.length) - 1)] / 1000.0;
  }

  public double maxMillis() {
    return latenciesMicros.length == 0 ? 0 : latenciesMicros[latenciesMicros.length - 1] / 1000.0;
  }

  /** The system's CPU milliseconds per timed request (untimed set-up requests included). */
  public double serverCpuMillisPerRequest() {
    return requests() == 0 ? 0 : serverCpuNanos / 1e6 / requests();
  }

  /** Whether every timed request got the expected answer. */
  public boolean clean() {
    return unexpected == 0 && serverErrors == 0;
  }

  /** The one line the load prints per phase. */
  public String line() {
    return String.format(
        java.util.Locale.ROOT,
        "phase=%s requests=%d rate=%.0f/s p50_ms=%.1f p90_ms=%.1f p99_ms=%.1f max_ms=%.1f"
            + " unexpected=%d 5xx=%d server_cpu_ms_per_request=%.2f",
        phase,
        requests(),
        rate(),
        percentileMillis(50),
        percentileMillis(90),
        percentileMillis(99),
        maxMillis(),
        unexpected,
        serverErrors,
        serverCpuMillisPerRequest());
  }
}
