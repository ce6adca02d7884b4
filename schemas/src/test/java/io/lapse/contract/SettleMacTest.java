package io.lapse.contract;

import static org.assertj.core.api.Assertions.assertThat;

import io.lapse.commands.v1.SettleChallenge;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The MAC of a {@code SettleChallenge} is fixed by its canonical encoding ({@link SettleMac}'s
 * Javadoc): the golden values were computed independently (Python's {@code hmac}).
 */
class SettleMacTest {
  private static final HexFormat HEX = HexFormat.of();
  private static final byte[] KEY = new byte[32];
  private static final Instant T = Instant.ofEpochMilli(1_767_225_600_000L);
  private static final String CHALLENGE = "YC" + "0".repeat(31) + "1";

  static {
    for (int i = 0; i < KEY.length; i++) {
      KEY[i] = (byte) i;
    }
  }

  private static SettleChallenge approved() {
    Map<String, String> metadata = new LinkedHashMap<>();
    metadata.put("\uff5a", "z");
    metadata.put("os", "ios");
    return SettleChallenge.newBuilder()
        .setRequestId("AT-1")
        .setIssuedAt(T.plusMillis(300))
        .setServiceSid("VA" + "0".repeat(31) + "1")
        .setIdentity("user-1")
        .setFactorSid("YF" + "0".repeat(31) + "1")
        .setChallengeSid(CHALLENGE)
        .setStatus("approved")
        .setRespondedAt(T.plusMillis(100))
        .setUpdatedAt(T.plusMillis(300))
        .setMetadata(metadata)
        .setAttemptId("AT-1")
        .build();
  }

  private static SettleChallenge expired() {
    return SettleChallenge.newBuilder(approved())
        .setRequestId("expired:" + CHALLENGE)
        .setIssuedAt(T.plusMillis(600))
        .setStatus("expired")
        .setRespondedAt(null)
        .setUpdatedAt(T.plusMillis(600))
        .setMetadata(null)
        .setAttemptId(null)
        .build();
  }

  @Test
  void shouldMatchTheGoldenMacs() {
    assertThat(HEX.formatHex(SettleMac.compute(KEY, approved())))
        .isEqualTo("746d8ab1270306afc138ef32327df95a3eaa7029e965a65a2d7595e70810821c");
    assertThat(HEX.formatHex(SettleMac.compute(KEY, expired())))
        .isEqualTo("cd155cbbed9bc3bd51a16a8a88ffb3cdff291ab36adb8a47afa8f90d88f180fd");
  }

  static Stream<UnaryOperator<SettleChallenge.Builder>> tamperings() {
    return Stream.of(
        b -> b.setRequestId("AT-2"),
        b -> b.setIssuedAt(T),
        b -> b.setServiceSid("VA" + "0".repeat(31) + "2"),
        b -> b.setIdentity("user-2"),
        b -> b.setFactorSid("YF" + "0".repeat(31) + "2"),
        b -> b.setChallengeSid("YC" + "0".repeat(31) + "2"),
        b -> b.setStatus("denied"),
        b -> b.setRespondedAt(null),
        b -> b.setUpdatedAt(T),
        b -> b.setMetadata(Map.of("os", "android")),
        b -> b.setAttemptId("AT-2"));
  }

  @ParameterizedTest
  @MethodSource("tamperings")
  void shouldNotVerifyAChangedField(UnaryOperator<SettleChallenge.Builder> change) {
    AttemptMacKeys keys = AttemptMacKeys.of("k1", KEY);
    SettleChallenge signed = keys.sign(approved());
    assertThat(keys.verify(signed)).isEqualTo(AttemptMacKeys.Verdict.VALID);

    SettleChallenge tampered = change.apply(SettleChallenge.newBuilder(signed)).build();

    assertThat(keys.verify(tampered)).isEqualTo(AttemptMacKeys.Verdict.INVALID);
  }

  @Test
  void shouldRefuseUnsignedAndUnknownKeys() {
    AttemptMacKeys keys = AttemptMacKeys.of("k1", KEY);
    assertThat(keys.verify(approved())).isEqualTo(AttemptMacKeys.Verdict.MISSING);
    SettleChallenge other = AttemptMacKeys.of("k2", KEY).sign(approved());
    assertThat(keys.verify(other)).isEqualTo(AttemptMacKeys.Verdict.KEY_UNKNOWN);
  }
}
