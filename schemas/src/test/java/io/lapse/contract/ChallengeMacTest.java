package io.lapse.contract;

import static org.assertj.core.api.Assertions.assertThat;

import io.lapse.events.v1.ChallengeCreated;
import io.lapse.events.v1.DetailField;
import io.lapse.events.v1.VerificationAttempted;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The MAC of a {@code ChallengeCreated} is fixed by its canonical encoding ({@link ChallengeMac}'s
 * Javadoc): the golden values were computed independently (Python's {@code hmac}), so another
 * producer, in any language, can sign creates the processor accepts.
 */
class ChallengeMacTest {
  private static final HexFormat HEX = HexFormat.of();
  private static final byte[] KEY = new byte[32];

  static {
    for (int i = 0; i < KEY.length; i++) {
      KEY[i] = (byte) i;
    }
  }

  private static ChallengeCreated full() {
    Map<String, String> hidden = new LinkedHashMap<>();
    hidden.put("\uff5a", "z");
    hidden.put("ip", "192.0.2.1");
    return ChallengeCreated.newBuilder()
        .setSid("YC" + "0".repeat(31) + "1")
        .setAccountSid("AC" + "0".repeat(31) + "1")
        .setServiceSid("VA" + "0".repeat(31) + "1")
        .setEntitySid("YE" + "0".repeat(31) + "1")
        .setIdentity("user-1")
        .setFactorSid("YF" + "0".repeat(31) + "1")
        .setFactorType("push")
        .setCreatedAt(Instant.parse("2026-01-01T00:00:00Z"))
        .setExpirationDate(Instant.parse("2026-01-01T00:05:00Z"))
        .setDetailsMessage("Login request")
        .setDetailsFields(
            List.of(new DetailField("Location", "Berlin"), new DetailField("IP", "192.0.2.1")))
        .setDetailsDate(Instant.ofEpochMilli(1_767_225_600_123L))
        .setHiddenDetails(hidden)
        .setIdempotencyKey("key-1")
        .build();
  }

  private static ChallengeCreated minimal() {
    return ChallengeCreated.newBuilder()
        .setSid("YC" + "0".repeat(31) + "2")
        .setAccountSid("AC" + "0".repeat(31) + "1")
        .setServiceSid("VA" + "0".repeat(31) + "1")
        .setEntitySid("YE" + "0".repeat(31) + "1")
        .setIdentity("user-2")
        .setFactorSid("YF" + "0".repeat(31) + "2")
        .setFactorType("totp")
        .setCreatedAt(Instant.parse("2026-01-01T00:00:00Z"))
        .setExpirationDate(Instant.parse("2026-01-01T00:05:00Z"))
        .build();
  }

  @Test
  void shouldMatchTheGoldenMacs() {
    assertThat(HEX.formatHex(ChallengeMac.compute(KEY, full())))
        .isEqualTo("1fa59f8c944c62b6a590b33e8039403ab15d79233b229759ebbc132406f60a8f");
    assertThat(HEX.formatHex(ChallengeMac.compute(KEY, minimal())))
        .isEqualTo("d398431a7d6437e0f8bc7149df355ad4aa9223e7062304a0a446ffababbf1ffe");
  }

  @Test
  void shouldNotCoverTheMacFieldsThemselvesAndVerifyWhatItSigned() {
    AttemptMacKeys keys = AttemptMacKeys.of("k1", KEY);
    ChallengeCreated signed = keys.sign(full());

    assertThat(signed.getMacKeyId()).isEqualTo("k1");
    assertThat(HEX.formatHex(ChallengeMac.compute(KEY, signed)))
        .isEqualTo("1fa59f8c944c62b6a590b33e8039403ab15d79233b229759ebbc132406f60a8f");
    assertThat(keys.verify(signed)).isEqualTo(AttemptMacKeys.Verdict.VALID);
    assertThat(keys.verify(full())).isEqualTo(AttemptMacKeys.Verdict.MISSING);
    assertThat(AttemptMacKeys.of("k2", KEY).verify(signed))
        .isEqualTo(AttemptMacKeys.Verdict.KEY_UNKNOWN);
  }

  static Stream<Arguments> tamperings() {
    return Stream.<Map.Entry<String, UnaryOperator<ChallengeCreated.Builder>>>of(
            Map.entry("sid", b -> b.setSid("YC" + "0".repeat(31) + "9")),
            Map.entry("accountSid", b -> b.setAccountSid("AC" + "0".repeat(31) + "9")),
            Map.entry("serviceSid", b -> b.setServiceSid("VA" + "0".repeat(31) + "9")),
            Map.entry("entitySid", b -> b.setEntitySid("YE" + "0".repeat(31) + "9")),
            Map.entry("identity", b -> b.setIdentity("user-9")),
            Map.entry("factorSid", b -> b.setFactorSid("YF" + "0".repeat(31) + "9")),
            Map.entry("factorType", b -> b.setFactorType("totp")),
            Map.entry("createdAt", b -> b.setCreatedAt(b.getCreatedAt().plusMillis(1))),
            Map.entry(
                "expirationDate",
                b -> b.setExpirationDate(b.getExpirationDate().plusSeconds(3600))),
            Map.entry("detailsMessage", b -> b.setDetailsMessage("Pay 1000 EUR")),
            Map.entry("detailsFields", b -> b.setDetailsFields(List.of())),
            Map.entry("detailsDate", b -> b.setDetailsDate(null)),
            Map.entry("hiddenDetails", b -> b.setHiddenDetails(Map.of())),
            Map.entry("idempotencyKey", b -> b.setIdempotencyKey("key-2")))
        .map(e -> Arguments.of(e.getKey(), e.getValue()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("tamperings")
  void shouldRefuseTheMacOfACreateWithOneFieldTampered(
      String field, UnaryOperator<ChallengeCreated.Builder> tamper) {
    AttemptMacKeys keys = AttemptMacKeys.of("k1", KEY);
    ChallengeCreated signed = keys.sign(full());

    ChallengeCreated tampered = tamper.apply(ChallengeCreated.newBuilder(signed)).build();

    assertThat(keys.verify(tampered)).as(field).isEqualTo(AttemptMacKeys.Verdict.INVALID);
  }

  @Test
  void shouldNeverAcceptAnAttemptsMacAsACreatesUnderTheSameKey() {
    AttemptMacKeys keys = AttemptMacKeys.of("k1", KEY);
    VerificationAttempted attempt =
        keys.sign(
            VerificationAttempted.newBuilder()
                .setSid(full().getSid())
                .setServiceSid(full().getServiceSid())
                .setIdentity(full().getIdentity())
                .setFactorSid(full().getFactorSid())
                .setAttemptId("AT" + "0".repeat(32))
                .setAttemptAt(full().getCreatedAt())
                .setOutcome(io.lapse.events.v1.AttemptOutcome.APPROVED)
                .build());

    ChallengeCreated borrowed =
        ChallengeCreated.newBuilder(full())
            .setMacKeyId("k1")
            .setMac(ByteBuffer.wrap(attempt.getMac().array()))
            .build();

    assertThat(keys.verify(borrowed)).isEqualTo(AttemptMacKeys.Verdict.INVALID);
  }
}
