package io.lapse.service.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TotpVerifierTest {
  // RFC 6238 Appendix B seeds: 20, 32 and 64 ASCII bytes of "1234567890" repeated.
  private static byte[] seed(TotpAlgorithm alg) {
    int len =
        switch (alg) {
          case SHA1 -> 20;
          case SHA256 -> 32;
          case SHA512 -> 64;
        };
    return "1234567890".repeat(7).substring(0, len).getBytes(StandardCharsets.US_ASCII);
  }

  @ParameterizedTest
  @CsvSource({
    "59, SHA1, 94287082",
    "59, SHA256, 46119246",
    "59, SHA512, 90693936",
    "1111111109, SHA1, 07081804",
    "1111111109, SHA256, 68084774",
    "1111111109, SHA512, 25091201",
    "20000000000, SHA1, 65353130",
    "20000000000, SHA512, 47863826"
  })
  void shouldReproduceRfc6238Vectors(long t, TotpAlgorithm alg, String expected) {
    var params = new TotpVerifier.Params(alg, 8, 30, 1);
    assertThat(TotpVerifier.codeAt(seed(alg), params, Instant.ofEpochSecond(t)))
        .isEqualTo(expected);
  }

  @Test
  void shouldAcceptCodesWithinSkewAndRejectBeyondIt() {
    byte[] secret = seed(TotpAlgorithm.SHA1);
    var params = new TotpVerifier.Params(TotpAlgorithm.SHA1, 6, 30, 1);
    Instant now = Instant.ofEpochSecond(1_700_000_000L);
    String previous = TotpVerifier.codeAt(secret, params, now.minusSeconds(30));
    String next = TotpVerifier.codeAt(secret, params, now.plusSeconds(30));
    String twoBack = TotpVerifier.codeAt(secret, params, now.minusSeconds(60));

    assertThat(TotpVerifier.verify(secret, params, previous, now)).isTrue();
    assertThat(TotpVerifier.verify(secret, params, next, now)).isTrue();
    assertThat(TotpVerifier.verify(secret, params, twoBack, now)).isFalse();
  }

  @Test
  void shouldRejectCodesOfTheWrongLength() {
    byte[] secret = seed(TotpAlgorithm.SHA1);
    var params = new TotpVerifier.Params(TotpAlgorithm.SHA1, 6, 30, 0);
    Instant now = Instant.ofEpochSecond(59);
    String eight =
        TotpVerifier.codeAt(secret, new TotpVerifier.Params(TotpAlgorithm.SHA1, 8, 30, 0), now);

    assertThat(TotpVerifier.verify(secret, params, eight, now)).isFalse();
    assertThat(TotpVerifier.verify(secret, params, eight.substring(2), now)).isTrue();
  }

  @Test
  void shouldNameTheStartOfTheStepThatMatched() {
    byte[] secret = seed(TotpAlgorithm.SHA1);
    var params = new TotpVerifier.Params(TotpAlgorithm.SHA1, 6, 30, 1);
    Instant now = Instant.ofEpochSecond(1_700_000_020L); // in the step [1_700_000_010, +30)
    String previous = TotpVerifier.codeAt(secret, params, now.minusSeconds(30));
    String current = TotpVerifier.codeAt(secret, params, now);

    assertThat(TotpVerifier.matchedStepStarts(secret, params, current, now))
        .containsExactly(1_700_000_010L);
    assertThat(TotpVerifier.matchedStepStarts(secret, params, previous, now))
        .containsExactly(1_699_999_980L);
    assertThat(TotpVerifier.matchedStepStarts(secret, params, "000000x", now)).isEmpty();
  }

  @Test
  void shouldNameEveryStepOfTheWindowWhoseCodeMatches() {
    // A one-digit code repeats often: with skew 2, some window has two steps with the same code.
    byte[] secret = seed(TotpAlgorithm.SHA1);
    var params = new TotpVerifier.Params(TotpAlgorithm.SHA1, 1, 30, 2);
    long[] repeated = null;
    for (long t = 0; repeated == null; t += 30) {
      Instant now = Instant.ofEpochSecond(t);
      long[] steps =
          TotpVerifier.matchedStepStarts(
              secret, params, TotpVerifier.codeAt(secret, params, now), now);
      if (steps.length > 1) {
        repeated = steps;
      }
    }

    assertThat(repeated).isSorted().doesNotHaveDuplicates();
    assertThat(repeated.length).isBetween(2, 5);
  }
}
