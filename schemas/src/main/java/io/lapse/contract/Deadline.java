package io.lapse.contract;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * A challenge's {@code expirationDate} and the one rule of the contract about it: a challenge is
 * expired <b>at or after</b> its deadline ({@code at >= deadline}), so an attempt stamped exactly
 * at the deadline is late (403 / 60323) and the expiry event may be emitted at that instant, never
 * before it.
 *
 * <p>Precision is fixed at the HTTP edge by {@link #requested(Instant)}: Twilio shows {@code
 * expiration_date} to the second, so a requested deadline is truncated to the second there, and the
 * deadline a client reads is exactly the one the service and the processor enforce. On the wire
 * (Avro {@code timestamp-millis}) and in the processor a deadline is epoch milliseconds, so events
 * produced by other services keep their millisecond precision.
 *
 * @param epochMillis the deadline, epoch milliseconds
 */
public record Deadline(long epochMillis) implements Comparable<Deadline> {

  /** A deadline read from an event (millisecond precision, as on the wire). */
  public static Deadline of(Instant instant) {
    return new Deadline(instant.toEpochMilli());
  }

  /**
   * A deadline as a client requested it (or as the service defaulted it), normalised to the
   * precision Twilio shows, whole seconds, so what is shown is what is enforced.
   */
  public static Deadline requested(Instant instant) {
    return of(instant.truncatedTo(ChronoUnit.SECONDS));
  }

  /** True when something happening at {@code atMillis} is at or after the deadline. */
  public boolean hasPassedAt(long atMillis) {
    return atMillis >= epochMillis;
  }

  /** True when something happening at {@code at} is at or after the deadline. */
  public boolean hasPassedAt(Instant at) {
    return hasPassedAt(at.toEpochMilli());
  }

  /**
   * The instant an expiry decided at {@code nowMillis} is stamped with: never before the deadline,
   * even when the decision comes from an attempt stamped by a clock ahead of the decider's.
   */
  public long expiredAt(long nowMillis) {
    return Math.max(nowMillis, epochMillis);
  }

  public Instant toInstant() {
    return Instant.ofEpochMilli(epochMillis);
  }

  @Override
  public int compareTo(Deadline other) {
    return Long.compare(epochMillis, other.epochMillis);
  }
}
