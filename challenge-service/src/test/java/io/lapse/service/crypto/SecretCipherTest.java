package io.lapse.service.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
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
  void shouldOpenASeedSealedUnderAPreviousKeyAfterRotation() {
    byte[] newKey = Arrays.copyOf(key, 32);
    newKey[0] = 1;
    byte[] sealedBefore = cipher.encrypt(seed, "YF1");
    SecretCipher rotated = new SecretCipher(newKey, List.of(key));
    assertThat(rotated.decrypt(sealedBefore, "YF1", cipher.keyId())).isEqualTo(seed);
  }

  @Test
  void shouldSealNewSeedsUnderTheCurrentKeyOnly() {
    byte[] newKey = Arrays.copyOf(key, 32);
    newKey[0] = 1;
    SecretCipher rotated = new SecretCipher(newKey, List.of(key));
    assertThat(rotated.keyId()).isEqualTo(new SecretCipher(newKey).keyId());
    byte[] sealedAfter = rotated.encrypt(seed, "YF1");
    assertThat(new SecretCipher(newKey).decrypt(sealedAfter, "YF1", rotated.keyId()))
        .isEqualTo(seed);
    assertThatThrownBy(() -> cipher.decrypt(sealedAfter, "YF1", rotated.keyId()))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void shouldRefuseAKeyIdInNeitherTheCurrentNorThePreviousKeys() {
    byte[] newKey = Arrays.copyOf(key, 32);
    newKey[0] = 1;
    byte[] unknown = Arrays.copyOf(key, 32);
    unknown[0] = 2;
    SecretCipher lost = new SecretCipher(unknown);
    byte[] sealed = lost.encrypt(seed, "YF1");
    SecretCipher rotated = new SecretCipher(newKey, List.of(key));
    assertThatThrownBy(() -> rotated.decrypt(sealed, "YF1", lost.keyId()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(lost.keyId())
        .hasMessageContaining("LAPSE_SECRET_KEY is " + rotated.keyId())
        .hasMessageContaining("LAPSE_SECRET_KEYS_PREVIOUS holds [" + cipher.keyId() + "]");
  }

  @Test
  void shouldRequireA256BitKey() {
    assertThatThrownBy(() -> new SecretCipher(new byte[16]))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
