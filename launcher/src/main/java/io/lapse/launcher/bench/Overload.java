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
 * @param shed 503 answers with {@code Retry-After}
 * @param shedWithoutRetryAfter 503 answers without it (Twilio's SDKs would not back off)
 * @param failed any other answer, or no answer (timeout, connection refused)
 * @param notSent requests the load did not send because too many were in flight already
 * @param drainedMillis from the end of the offer until the last answer came
 * @param probeStatus the status of one create sent after the drain (201 when recovered)
 * @param lost accepted challenges that a later GET could not find
 */
public record Overload(
    double offeredRate,
    long seconds,
    int sent,
    long[] acceptedMicros,
    int shed,
    int shedWithoutRetryAfter,
    int failed,
    int notSent,
    long drainedMillis,
    int probeStatus,
    int lost) {

  public Overload {
    acceptedMicros = acceptedMicros.clone();
    Arrays.sort(acceptedMicros);
  }

  public int accepted() {
    return acceptedMicros.length;
  }

  /**
   * Nothing accepted was lost, every refusal told the client when to retry, nothing else failed.
   */
  public boolean held() {
    return lost == 0 && shedWithoutRetryAfter == 0 && failed == 0 && probeStatus == 201;
  }

  private double percentileMillis(double p) {
    if (acceptedMicros.length == 0) {
      return 0;
    }
    int rank = (int) Math.ceil(p / 100.0 * acceptedMicros.length);
    return acceptedMicros[Math.max(0, Math.min(rank, acceptedMicros.length) - 1)] / 1000.0;
  }

  public String line() {
    return String.format(
        Locale.ROOT,
        "offered=%.0f/s seconds=%d sent=%d accepted=%d shed_503=%d shed_without_retry_after=%d"
            + " failed=%d not_sent=%d accepted_p50_ms=%.1f accepted_p99_ms=%.1f"
            + " accepted_max_ms=%.1f drained_ms=%d probe=%d lost=%d",
        offeredRate,
        seconds,
        sent,
        accepted(),
        shed,
        shedWithoutRetryAfter,
        failed,
        notSent,
        percentileMillis(50),
        percentileMillis(99),
        acceptedMicros.length == 0 ? 0 : acceptedMicros[acceptedMicros.length - 1] / 1000.0,
        drainedMillis,
        probeStatus,
        lost);
  }
}
