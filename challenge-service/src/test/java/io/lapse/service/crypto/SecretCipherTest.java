package io.lapse.service.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SecretCipherTest {
  private final byte[] key = new byte[32];
  private final SecretCipher cipher = new SecretCipher(key);
  private final byte[] seed = "12345678901234567890".getBytes(StandardCharsets.US_ASCII);

  @Test
  void shouldRoundTripASeedBoundToItsFactor() {
    byte[] sealed = cipher.encrypt(seed, "YF1");
    assertThat(cipher.decrypt(sealed, "YF1", cipher.keyId())).isEqualTo(seed);
  }

  @Test
  void shouldNotLeakThePlaintextAndUseAFreshNonceEachTime() {
    byte[] a = cipher.encrypt(seed, "YF1");
    byte[] b = cipher.encrypt(seed, "YF1");
    assertThat(a).isNotEqualTo(b);
    assertThat(new String(a, StandardCharsets.ISO_8859_1)).doesNotContain("1234567890");
  }

  @Test
  void shouldRefuseACiphertextMovedToAnotherFactor() {
    byte[] sealed = cipher.encrypt(seed, "YF1");
    assertThatThrownBy(() -> cipher.decrypt(sealed, "YF2", cipher.keyId()))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void shouldRefuseAnotherKey() {
    byte[] other = Arrays.copyOf(key, 32);
    other[0] = 1;
    SecretCipher rotated = new SecretCipher(other);
    byte[] sealed = cipher.encrypt(seed, "YF1");
    assertThat(rotated.keyId()).isNotEqualTo(cipher.keyId());
    assertThatThrownBy(() -> rotated.decrypt(sealed, "YF1", cipher.keyId()))
        .hasMessageContaining("LAPSE_SECRET_KEY");
  }

  @Test
  void shouldRequireA256BitKey() {
    assertThatThrownBy(() -> new SecretCipher(new byte[16]))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
