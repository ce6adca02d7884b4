package io.lapse.service.domain;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAccessor;

/**
 * Dates on the wire. Output is always whole-second UTC with a literal {@code Z} (the mobile SDKs
 * parse that exact shape). Input accepts every form the Twilio SDKs have sent: an instant with
 * {@code Z} or an offset, a zoned date-time with a region ({@code 11.0.x}), and a date-time without
 * offset, which means UTC ({@code ≥ 11.1.0}).
 */
public final class TwilioDates {
  private static final DateTimeFormatter OUT =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

  private TwilioDates() {}

  public static String format(Instant instant) {
    return instant == null ? null : OUT.format(instant.truncatedTo(ChronoUnit.SECONDS));
  }

  /**
   * Parses an input date-time.
   *
   * @throws IllegalArgumentException if the text is none of the accepted forms
   */
  public static Instant parse(String text) {
    try {
      TemporalAccessor parsed =
          DateTimeFormatter.ISO_DATE_TIME.parseBest(
              text.trim(), ZonedDateTime::from, LocalDateTime::from);
      if (parsed instanceof ZonedDateTime zoned) {
        return zoned.toInstant();
      }
      return ((LocalDateTime) parsed).toInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("not an ISO 8601 date-time: " + text, e);
    }
  }
}
