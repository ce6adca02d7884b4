package io.lapse.launcher.bench;

import java.util.Arrays;
import java.util.Locale;

/**
 * What an open-loop overload of challenge creates found (issue 9 part 6: under twice the saturating
 * load the service sheds load, recovers by itself, and loses nothing it accepted). Pure, so the
 * verdict and the line are tested apart from the load.
 *
 * @param offeredRate creates per second offered, whatever the answers
 * @param seconds how long they were offered
 * @param sent requests sent
 * @param acceptedMicros latency of every 201
 * @param shedMicros latency of every 503 with {@code Retry-After} (the cap's refusal)
 * @param shedWithoutRetryAfter 503 answers without it (Twilio's SDKs would not back off)
 * @param serverErrors any other 5xx
 * @param failed any other answer, or no answer (timeout, connection refused)
 * @param notSent requests the load did not send because too many were in flight already
 * @param drainedMillis from the end of the offer until the last answer came
 * @param recoveredMillis from the end of the offer until a single create was answered 201 within
 *     {@link #RECOVERED_MILLIS}; -1 if none was
 * @param lost accepted challenges that a later GET could not find
 */
public record Overload(
    double offeredRate,
    long seconds,
    int sent,
    long[] acceptedMicros,
    long[] shedMicros,
    int shedWithoutRetryAfter,
    int serverErrors,
    int failed,
    int notSent,
    long drainedMillis,
    long recoveredMillis,
    int lost) {

  /** A create answered 201 within this, once the offer stopped, means the service recovered. */
  public static final long RECOVERED_MILLIS = 100;

  public Overload {
    acceptedMicros = sorted(acceptedMicros);
    shedMicros = sorted(shedMicros);
  }

  private static long[] sorted(long[] micros) {
    long[] copy = micros.clone();
    Arrays.sort(copy);
    return copy;
  }

  public int accepted() {
    return acceptedMicros.length;
  }

  public int shed() {
    return shedMicros.length;
  }

  /**
   * Nothing accepted was lost, every refusal told the client when to retry, nothing else failed,
   * and the service answered fast again by itself.
   */
  public boolean held() {
    return lost == 0
        && shedWithoutRetryAfter == 0
        && serverErrors == 0
        && failed == 0
        && recoveredMillis >= 0;
  }

  private static double percentileMillis(long[] sortedMicros, double p) {
    if (sortedMicros.length == 0) {
      return 0;
    }
    int rank = (int) Math.ceil(p / 100.0 * sortedMicros.length);
    return sortedMicros[Math.max(0, Math.min(rank, sortedMicros.length) - 1)] / 1000.0;
  }

  public String line() {
    return String.format(
        Locale.ROOT,
        "offered=%.0f/s seconds=%d sent=%d accepted=%d shed_503=%d shed_without_retry_after=%d"
            + " other_5xx=%d failed=%d not_sent=%d accepted_p50_ms=%.1f accepted_p99_ms=%.1f"
            + " accepted_max_ms=%.1f shed_p50_ms=%.1f shed_p99_ms=%.1f drained_ms=%d"
            + " recovered_ms=%d lost=%d",
        offeredRate,
        seconds,
        sent,
        accepted(),
        shed(),
        shedWithoutRetryAfter,
        serverErrors,
        failed,
        notSent,
        percentileMillis(acceptedMicros, 50),
        percentileMillis(acceptedMicros, 99),
        percentileMillis(acceptedMicros, 100),
        percentileMillis(shedMicros, 50),
        percentileMillis(shedMicros, 99),
        drainedMillis,
        recoveredMillis,
        lost);
  }
}
