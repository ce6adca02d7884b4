package io.lapse.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class TwilioErrorTest {

  @Test
  void shouldFindEveryEntryByItsCode() {
    for (TwilioError e : TwilioError.values()) {
      assertThat(TwilioError.ofCode(e.code())).isSameAs(e);
    }
  }

  @Test
  void shouldHaveOneEntryPerCode() {
    assertThat(Arrays.stream(TwilioError.values()).mapToInt(TwilioError::code).distinct().count())
        .isEqualTo(TwilioError.values().length);
  }

  @Test
  void shouldAnswerTheLateVerificationAsTwilioDoes() {
    TwilioError e = TwilioError.ofCode(60323);
    assertThat(e.httpStatus()).isEqualTo(403);
    assertThat(e.message()).isEqualTo("Challenge expired");
    assertThat(e.moreInfo()).isEqualTo("https://www.twilio.com/docs/errors/60323");
  }

  @Test
  void shouldRefuseACodeLapseDoesNotUse() {
    assertThatThrownBy(() -> TwilioError.ofCode(12345))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
