package io.lapse.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class DeadlineTest {
  private static final Instant AT = Instant.parse("2026-12-01T10:00:00Z");

  @Test
  void shouldCountTheDeadlineInstantItselfAsPassed() {
    Deadline d = Deadline.of(AT);
    assertThat(d.hasPassedAt(AT.minusMillis(1))).isFalse();
    assertThat(d.hasPassedAt(AT)).isTrue();
    assertThat(d.hasPassedAt(AT.plusMillis(1))).isTrue();
  }

  @Test
  void shouldTruncateARequestedDeadlineToTheSecondTwilioShows() {
    Deadline d = Deadline.requested(AT.plusMillis(999).plusNanos(123));
    assertThat(d.toInstant()).isEqualTo(AT);
  }

  @Test
  void shouldKeepMillisecondsOfADeadlineReadFromAnEvent() {
    assertThat(Deadline.of(AT.plusMillis(250)).epochMillis()).isEqualTo(AT.toEpochMilli() + 250);
  }

  @Test
  void shouldNeverStampAnExpiryBeforeTheDeadline() {
    Deadline d = Deadline.of(AT);
    assertThat(d.expiredAt(AT.toEpochMilli() - 40)).isEqualTo(AT.toEpochMilli());
    assertThat(d.expiredAt(AT.toEpochMilli() + 40)).isEqualTo(AT.toEpochMilli() + 40);
  }
}
