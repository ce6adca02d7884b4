package io.lapse.service.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class Base32Test {
  @Test
  void shouldEncodeTheRfc6238SeedAsTwilioDocumentsIt() {
    byte[] seed = "12345678901234567890".getBytes(StandardCharsets.US_ASCII);
    assertThat(Base32.encode(seed)).isEqualTo("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
  }

  @Test
  void shouldDecodeCaseInsensitivelyIgnoringPadding() {
    assertThat(new String(Base32.decode("mzxw6ytboi======"), StandardCharsets.US_ASCII))
        .isEqualTo("foobar");
  }

  @Test
  void shouldRejectCharactersOutsideTheAlphabet() {
    assertThatThrownBy(() -> Base32.decode("ABC1")).isInstanceOf(IllegalArgumentException.class);
  }
}
