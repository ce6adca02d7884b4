package io.lapse.contract;

import static org.assertj.core.api.Assertions.assertThat;

import io.lapse.events.v1.AttemptOutcome;
import io.lapse.events.v1.VerificationAttempted;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The MAC of an attempt is fixed by its canonical encoding, not by this implementation: the golden
 * values were computed independently (Python's {@code hmac}, from the layout in {@link
 * AttemptMac}'s Javadoc), so another language can check them too.
 */
class AttemptMacTest {
  private static final HexFormat HEX = HexFormat.of();
  private static final byte[] KEY = new byte[32];

  static {
    for (int i = 0; i < KEY.length; i++) {
      KEY[i] = (byte) i;
    }
  }

  /** Metadata keys whose UTF-8 order differs from Java's String (UTF-16) order. */
  private static VerificationAttempted withMetadata() {
    Map<String, String> metadata = new LinkedHashMap<>();
    metadata.put("os", "Android");
    metadata.put("\uff5a", "fullwidth z");
    metadata.put(new String(Character.toChars(0x1F600)), "grin");
    return VerificationAttempted.newBuilder()
        .setSid("YC" + "0".repeat(31) + "1")
        .setServiceSid("VA" + "0".repeat(31) + "1")
        .setIdentity("user-1")
        .setFactorSid("YF" + "0".repeat(31) + "1")
        .setAttemptId("AT" + "0123456789abcdef".repeat(2))
        .setAttemptAt(Instant.ofEpochMilli(1_767_225_612_345L))
        .setOutcome(AttemptOutcome.APPROVED)
        .setMetadata(metadata)
        .build();
  }

  private static VerificationAttempted withoutMetadata() {
    return VerificationAttempted.newBuilder()
        .setSid("YC" + "0".repeat(31) + "2")
        .setServiceSid("VA" + "0".repeat(31) + "1")
        .setIdentity("alice@example.com")
        .setFactorSid("YF" + "0".repeat(31) + "2")
        .setAttemptId("AT" + "f".repeat(32))
        .setAttemptAt(Instant.parse("2026-01-01T00:00:00Z"))
        .setOutcome(AttemptOutcome.WRONG_CODE)
        .build();
  }

  @Test
  void shouldEncodeTheGoldenLayoutByteForByte() {
    assertThat(HEX.formatHex(AttemptMac.canonical(withoutMetadata())))
        .isEqualTo(
            "000000106c617073652d617474656d70742d7631"
                + "00000022"
                + HEX.formatHex(("YC" + "0".repeat(31) + "2").getBytes())
                + "00000022"
                + HEX.formatHex(("VA" + "0".repeat(31) + "1").getBytes())
                + "00000011616c696365406578616d706c652e636f6d"
                + "00000022"
                + HEX.formatHex(("YF" + "0".repeat(31) + "2").getBytes())
                + "00000022"
                + HEX.formatHex(("AT" + "f".repeat(32)).getBytes())
                + "0000000a57524f4e475f434f4445"
                + "0000019b76daa800"
                + "ffffffff");
  }

  @Test
  void shouldMatchTheGoldenMacs() {
    assertThat(HEX.formatHex(AttemptMac.compute(KEY, withMetadata())))
        .isEqualTo("162c9c3b3410db6492c20fe500942695a4b16d3b8f979145c8aca6254ae521ff");
    assertThat(HEX.formatHex(AttemptMac.compute(KEY, withoutMetadata())))
        .isEqualTo("137d4d5e712ef06318ca22481bf4e3400e492a29bcbd7571b5beac36f3c2b8f8");
  }

  @Test
  void shouldGiveEachKeysOwnMacWhenKeysAlternateOnOneThread() throws Exception {
    // The per-thread Mac is re-keyed only when the key changes: a stale key would sign with the
    // previous producer's key, and a key array changed in place after use must not be trusted.
    byte[] other = KEY.clone();
    other[0] ^= 1;
    byte[] data = AttemptMac.canonical(withMetadata());
    for (byte[] key : new byte[][] {KEY, other, KEY, KEY, other}) {
      javax.crypto.Mac fresh = javax.crypto.Mac.getInstance("HmacSHA256");
      fresh.init(new javax.crypto.spec.SecretKeySpec(key, "HmacSHA256"));
      assertThat(AttemptMac.hmac(key, data)).isEqualTo(fresh.doFinal(data));
    }
    byte[] mutable = KEY.clone();
    byte[] first = AttemptMac.hmac(mutable, data);
    mutable[1] ^= 1;
    assertThat(AttemptMac.hmac(mutable, data)).isNotEqualTo(first);
  }

  @Test
  void shouldNotDependOnTheMetadataMapsOrder() {
    Map<String, String> reversed = new LinkedHashMap<>();
    reversed.put(new String(Character.toChars(0x1F600)), "grin");
    reversed.put("\uff5a", "fullwidth z");
    reversed.put("os", "Android");
    VerificationAttempted same =
        VerificationAttempted.newBuilder(withMetadata()).setMetadata(reversed).build();

    assertThat(AttemptMac.compute(KEY, same)).isEqualTo(AttemptMac.compute(KEY, withMetadata()));
  }

  @Test
  void shouldNotCoverTheMacFieldsThemselves() {
    VerificationAttempted signed =
        VerificationAttempted.newBuilder(withMetadata())
            .setMacKeyId("k1")
            .setMac(java.nio.ByteBuffer.wrap(new byte[32]))
            .build();

    assertThat(AttemptMac.compute(KEY, signed)).isEqualTo(AttemptMac.compute(KEY, withMetadata()));
  }

  static Stream<Arguments> tamperings() {
    return Stream.of(
        tampered("sid", b -> b.setSid("YC" + "0".repeat(31) + "9")),
        tampered("serviceSid", b -> b.setServiceSid("VA" + "0".repeat(31) + "9")),
        tampered("identity", b -> b.setIdentity("user-2")),
        tampered("factorSid", b -> b.setFactorSid("YF" + "0".repeat(31) + "9")),
        tampered("attemptId", b -> b.setAttemptId("AT" + "1".repeat(32))),
        tampered("outcome", b -> b.setOutcome(AttemptOutcome.DENIED)),
        tampered("attemptAt", b -> b.setAttemptAt(Instant.ofEpochMilli(1_767_225_612_346L))),
        tampered("metadata value", b -> b.setMetadata(Map.of("os", "iOS"))),
        tampered("metadata removed", b -> b.setMetadata(null)),
        tampered("metadata emptied", b -> b.setMetadata(Map.of())),
        // Length prefixes keep a boundary from moving between fields.
        tampered(
            "boundary between identity and factorSid",
            b -> b.setIdentity("user-1Y").setFactorSid("F" + "0".repeat(31) + "1")));
  }

  private static Arguments tampered(
      String field, UnaryOperator<VerificationAttempted.Builder> change) {
    return Arguments.of(field, change);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("tamperings")
  void shouldRefuseTheMacOfAnAttemptWithOneFieldTampered(
      String field, UnaryOperator<VerificationAttempted.Builder> change) {
    byte[] mac = AttemptMac.compute(KEY, withMetadata());
    VerificationAttempted tampered =
        change.apply(VerificationAttempted.newBuilder(withMetadata())).build();

    assertThat(AttemptMac.matches(KEY, withMetadata(), mac)).isTrue();
    assertThat(AttemptMac.matches(KEY, tampered, mac)).as(field).isFalse();
  }

  @Test
  void shouldRefuseTheMacUnderAnotherKey() {
    byte[] other = KEY.clone();
    other[0] ^= 1;

    assertThat(AttemptMac.matches(other, withMetadata(), AttemptMac.compute(KEY, withMetadata())))
        .isFalse();
  }
}
