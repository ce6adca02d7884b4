package io.lapse.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lapse.config.ConfigDef;
import io.lapse.config.InvalidConfigException;
import io.lapse.contract.AttemptMacKeys.Verdict;
import io.lapse.events.v1.AttemptOutcome;
import io.lapse.events.v1.VerificationAttempted;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AttemptMacKeysTest {
  private static final byte[] K1 = filled(1, 32);
  private static final byte[] K2 = filled(2, 48);

  private static byte[] filled(int value, int length) {
    byte[] b = new byte[length];
    Arrays.fill(b, (byte) value);
    return b;
  }

  private static String b64(byte[] b) {
    return Base64.getEncoder().encodeToString(b);
  }

  private static VerificationAttempted attempt() {
    return VerificationAttempted.newBuilder()
        .setSid("YC" + "0".repeat(31) + "1")
        .setServiceSid("VA" + "0".repeat(31) + "1")
        .setIdentity("user-1")
        .setFactorSid("YF" + "0".repeat(31) + "1")
        .setAttemptId("AT" + "0".repeat(32))
        .setAttemptAt(Instant.parse("2026-01-01T00:00:00Z"))
        .setOutcome(AttemptOutcome.APPROVED)
        .build();
  }

  @Test
  void shouldParseIdsInOrderWithTheFirstSigning() {
    AttemptMacKeys keys = AttemptMacKeys.parse(" k2:" + b64(K2) + " , k1:" + b64(K1) + " ");

    assertThat(keys.ids()).containsExactly("k2", "k1");
    assertThat(keys.signingKeyId()).isEqualTo("k2");
  }

  @Test
  void shouldSignWithTheFirstKeyAndVerifyUnderAnyListedKey() {
    AttemptMacKeys old = AttemptMacKeys.of("k1", K1);
    AttemptMacKeys rotated = AttemptMacKeys.parse("k2:" + b64(K2) + ",k1:" + b64(K1));

    VerificationAttempted signedOld = old.sign(attempt());
    VerificationAttempted signedNew = rotated.sign(attempt());

    assertThat(signedOld.getMacKeyId()).isEqualTo("k1");
    assertThat(signedNew.getMacKeyId()).isEqualTo("k2");
    assertThat(signedNew.getMac().remaining()).isEqualTo(AttemptMac.MAC_BYTES);
    assertThat(rotated.verify(signedOld)).isEqualTo(Verdict.VALID);
    assertThat(rotated.verify(signedNew)).isEqualTo(Verdict.VALID);
    assertThat(old.verify(signedNew)).isEqualTo(Verdict.KEY_UNKNOWN);
  }

  @Test
  void shouldTellMissingUnknownAndInvalidMacsApart() {
    AttemptMacKeys keys = AttemptMacKeys.of("k1", K1);
    VerificationAttempted signed = keys.sign(attempt());

    assertThat(keys.verify(attempt())).isEqualTo(Verdict.MISSING);
    assertThat(keys.verify(VerificationAttempted.newBuilder(signed).setMac(null).build()))
        .isEqualTo(Verdict.MISSING);
    assertThat(keys.verify(VerificationAttempted.newBuilder(signed).setMacKeyId("k9").build()))
        .isEqualTo(Verdict.KEY_UNKNOWN);
    assertThat(
            keys.verify(
                VerificationAttempted.newBuilder(signed)
                    .setMac(ByteBuffer.wrap(new byte[32]))
                    .build()))
        .isEqualTo(Verdict.INVALID);
    assertThat(
            keys.verify(
                VerificationAttempted.newBuilder(signed).setOutcome(AttemptOutcome.DENIED).build()))
        .isEqualTo(Verdict.INVALID);
    assertThat(AttemptMacKeys.of("k1", filled(9, 32)).verify(signed))
        .as("same id, another key")
        .isEqualTo(Verdict.INVALID);
  }

  @Test
  void shouldRefuseMalformedListsWithoutShowingKeyMaterial() {
    String short16 = b64(filled(7, 16));
    assertThatThrownBy(() -> AttemptMacKeys.parse("k1:" + short16))
        .hasMessage("key k1 has 16 bytes, at least 32 needed");
    assertThatThrownBy(() -> AttemptMacKeys.parse("k1:" + b64(K1) + ",k1:" + b64(K2)))
        .hasMessage("key id k1 is listed twice");
    assertThatThrownBy(() -> AttemptMacKeys.parse(b64(K1))).hasMessageNotContaining(b64(K1));
    assertThatThrownBy(() -> AttemptMacKeys.parse("k 1:" + b64(K1)))
        .hasMessageContaining("must be 1 to 64 letters");
    assertThatThrownBy(() -> AttemptMacKeys.parse("k1:not base64!"))
        .hasMessage("key k1 is not Base64");
    assertThatThrownBy(() -> AttemptMacKeys.parse("k1:" + b64(K1) + ","))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void shouldBeARequiredSecretSetting() {
    ConfigDef def = ConfigDef.of("test", AttemptMacKeys.SETTING);
    assertThatThrownBy(() -> def.parse(Map.of()))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("LAPSE_RESPONSE_MAC_KEYS");
    String secret = b64(filled(5, 16));
    assertThatThrownBy(() -> def.parse(Map.of("LAPSE_RESPONSE_MAC_KEYS", "k1:" + secret)))
        .hasMessageContaining("LAPSE_RESPONSE_MAC_KEYS must be")
        .hasMessageNotContaining(secret);

    var parsed = def.parse(Map.of("LAPSE_RESPONSE_MAC_KEYS", "k1:" + b64(K1)));
    assertThat(parsed.get(AttemptMacKeys.SETTING).ids()).containsExactly("k1");
    assertThat(parsed.toString()).doesNotContain(b64(K1));
    assertThat(AttemptMacKeys.of("k1", K1).toString()).isEqualTo("AttemptMacKeys[k1]");
  }
}
