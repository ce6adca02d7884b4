package io.lapse.service.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TwilioDatesTest {
  @ParameterizedTest
  @ValueSource(
      strings = {
        "2026-05-01T12:10:00Z", // twilio-java <= 10.9
        "2026-05-01T14:10+02:00[Europe/Paris]", // 11.0.x
        "2026-05-01T12:10:00", // >= 11.1: no offset means UTC
        "2026-05-01T14:10:00+02:00"
      })
  void shouldAcceptEveryFormTheSdksSend(String text) {
    assertThat(TwilioDates.parse(text)).isEqualTo(Instant.parse("2026-05-01T12:10:00Z"));
  }

  @Test
  void shouldFormatWholeSecondsUtcWithLiteralZ() {
    assertThat(TwilioDates.format(Instant.parse("2026-05-01T12:10:00.987Z")))
        .isEqualTo("2026-05-01T12:10:00Z");
  }

  @Test
  void shouldRejectNonDates() {
    assertThatThrownBy(() -> TwilioDates.parse("tomorrow"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
