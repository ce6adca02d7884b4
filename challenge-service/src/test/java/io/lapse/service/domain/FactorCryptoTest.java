package io.lapse.service.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lapse.service.crypto.SecretCipher;
import io.lapse.service.crypto.TotpAlgorithm;
import io.lapse.service.crypto.TotpVerifier;
import io.lapse.state.v1.FactorSnapshot;
import java.time.Instant;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class FactorCryptoTest {
  private static final Instant NOW = Instant.parse("2026-05-01T12:00:00Z");
  private static final String SID = "YF" + "0".repeat(32);

  private static byte[] key(int fill) {
    byte[] k = new byte[32];
    Arrays.fill(k, (byte) fill);
    return k;
  }

  private static FactorSnapshot totpFactor(FactorCrypto crypto, byte[] seed) {
    FactorSnapshot.Builder b =
        FactorSnapshot.newBuilder()
            .setSid(SID)
            .setAccountSid("AC" + "0".repeat(32))
            .setServiceSid("VA" + "0".repeat(32))
            .setIdentity("user-0001")
            .setEntitySid("YE" + "0".repeat(32))
            .setFriendlyName("phone")
            .setFactorType(Factors.TOTP)
            .setStatus("unverified")
            .setCreatedAt(NOW)
            .setUpdatedAt(NOW)
            .setTotpAlg("sha1")
            .setTotpTimeStep(30)
            .setTotpSkew(1)
            .setTotpCodeLength(6);
    crypto.sealTotpSecret(b, SID, seed);
    return b.build();
  }

  private static String code(byte[] seed, Instant at) {
    return TotpVerifier.codeAt(seed, new TotpVerifier.Params(TotpAlgorithm.SHA1, 6, 30, 1), at);
  }

  @Test
  void shouldCheckACodeWithinTheSkewItIsGiven() {
    FactorCrypto crypto = new FactorCrypto(new SecretCipher(key(1)));
    byte[] seed = new byte[20];
    FactorSnapshot factor = totpFactor(crypto, seed);
    String next = code(seed, NOW.plusSeconds(30));

    assertThat(crypto.totpMatches(factor, 1, next, NOW)).isTrue();
    assertThat(crypto.totpMatches(factor, 0, next, NOW)).isFalse();
  }

  @Test
  void shouldRefuseASeedEnrolledUnder128BitsAsABadBindingNotAFault() {
    FactorCrypto crypto = new FactorCrypto(new SecretCipher(key(1)));
    FactorSnapshot empty = totpFactor(crypto, new byte[0]);
    FactorSnapshot short15 = totpFactor(crypto, new byte[15]);

    assertThatThrownBy(() -> crypto.totpMatches(empty, 1, "123456", NOW))
        .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.code()).isEqualTo(60314));
    assertThatThrownBy(() -> crypto.totpMatches(short15, 1, "123456", NOW))
        .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.code()).isEqualTo(60314));
  }

  @Test
  void shouldExplainASeedSealedUnderAnotherKey() {
    FactorSnapshot sealedElsewhere =
        totpFactor(new FactorCrypto(new SecretCipher(key(1))), new byte[20]);
    FactorCrypto crypto = new FactorCrypto(new SecretCipher(key(2)));

    assertThatThrownBy(() -> crypto.totpMatches(sealedElsewhere, 1, "123456", NOW))
        .isInstanceOfSatisfying(
            ApiError.class,
            e -> {
              assertThat(e.status()).isEqualTo(500);
              assertThat(e.getMessage())
                  .contains("cannot be decrypted with the server's secret key");
            });
    assertThat(crypto.readableTotpSecret(sealedElsewhere)).isEmpty();
  }

  @Test
  void shouldNameTheMatchedStepSoTheWriterCanAcceptItOnce() {
    FactorCrypto crypto = new FactorCrypto(new SecretCipher(key(1)));
    byte[] seed = new byte[20];
    FactorSnapshot factor = totpFactor(crypto, seed);

    assertThat(crypto.totpMatchedSteps(factor, 1, code(seed, NOW.minusSeconds(30)), NOW))
        .containsExactly(NOW.minusSeconds(30).getEpochSecond());
    assertThat(crypto.totpMatchedSteps(factor, 0, code(seed, NOW.minusSeconds(30)), NOW)).isEmpty();
  }

  @Test
  void shouldDigestATotpSeedUnderTheServersKeyOnly() {
    byte[] seed = new byte[20];
    Arrays.fill(seed, (byte) 7);
    FactorCrypto one = new FactorCrypto(new SecretCipher(key(1)));
    FactorCrypto other = new FactorCrypto(new SecretCipher(key(2)));

    assertThat(one.totpBindingDigest(seed)).isEqualTo(one.totpBindingDigest(seed.clone()));
    assertThat(one.totpBindingDigest(seed)).isNotEqualTo(other.totpBindingDigest(seed));
    assertThat(one.totpBindingDigest(seed)).isNotEqualTo(one.totpBindingDigest(new byte[20]));
  }

  @Test
  void shouldDigestAPushKeyAsGivenWithoutSurroundingSpace() {
    assertThat(FactorCrypto.pushBindingDigest(" MFkw\n"))
        .isEqualTo(FactorCrypto.pushBindingDigest("MFkw\n".trim()))
        .isNotEqualTo(FactorCrypto.pushBindingDigest("MFkx"));
  }
}
