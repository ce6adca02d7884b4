package io.lapse.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class TotpCodesTest {
  /** Base32 of ASCII "12345678901234567890", the RFC 6238 SHA-1 seed. */
  private static final String RFC_SEED = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

  @Test
  void shouldReproduceRfc6238AppendixBVectors() {
    assertThat(TotpCodes.code(RFC_SEED, Instant.ofEpochSecond(59), 8, 30, "HmacSHA1"))
        .isEqualTo("94287082");
    assertThat(TotpCodes.code(RFC_SEED, Instant.ofEpochSecond(1111111109), 8, 30, "HmacSHA1"))
        .isEqualTo("07081804");
  }

  @Test
  void shouldGiveSixDigitsByDefault() {
    assertThat(TotpCodes.code(RFC_SEED, Instant.ofEpochSecond(59))).isEqualTo("287082");
  }
}
