package io.lapse.service.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.lapse.contract.AttemptMacKeys;
import io.lapse.events.v1.ChallengeCreated;
import io.lapse.service.kafka.TrustedCreates.Refusal;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrustedCreatesTest {
  private static final AttemptMacKeys KEYS = AttemptMacKeys.of("k1", key('a'));
  private static final Instant T0 = Instant.parse("2026-12-02T10:00:00Z");

  private static byte[] key(char c) {
    byte[] k = new byte[32];
    Arrays.fill(k, (byte) c);
    return k;
  }

  private static ChallengeCreated create(String sid) {
    return ChallengeCreated.newBuilder()
        .setSid(sid)
        .setAccountSid("AC1")
        .setServiceSid("VA1")
        .setEntitySid("YE1")
        .setIdentity("alice")
        .setFactorSid("YF1")
        .setFactorType("totp")
        .setCreatedAt(T0)
        .setExpirationDate(T0.plusSeconds(300))
        .setDetailsMessage("Login?")
        .setDetailsFields(List.of())
        .build();
  }

  @Test
  void shouldAdmitOnlyACreateSignedUnderAListedKeyAndKeyedByItsSid() {
    ChallengeCreated signed = KEYS.sign(create("YC1"));
    ChallengeCreated tampered =
        ChallengeCreated.newBuilder(signed).setExpirationDate(T0.plusSeconds(3600)).build();
    ChallengeCreated wrongMac =
        ChallengeCreated.newBuilder(signed)
            .setMac(ByteBuffer.wrap("x".repeat(32).getBytes(StandardCharsets.UTF_8)))
            .build();

    assertThat(TrustedCreates.assess(KEYS, "YC1", signed)).isNull();
    assertThat(TrustedCreates.assess(KEYS, "YC1", create("YC1"))).isEqualTo(Refusal.MAC_MISSING);
    assertThat(TrustedCreates.assess(KEYS, "YC1", tampered)).isEqualTo(Refusal.MAC_INVALID);
    assertThat(TrustedCreates.assess(KEYS, "YC1", wrongMac)).isEqualTo(Refusal.MAC_INVALID);
    assertThat(
            TrustedCreates.assess(
                KEYS, "YC1", AttemptMacKeys.of("x", key('b')).sign(create("YC1"))))
        .isEqualTo(Refusal.MAC_KEY_UNKNOWN);
    assertThat(TrustedCreates.assess(KEYS, "YC2", signed)).isEqualTo(Refusal.KEY_NOT_SID);
  }

  @Test
  void shouldCountEachRefusalByItsReason() {
    SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    TrustedCreates trust = new TrustedCreates(KEYS, metrics);

    assertThat(trust.admit("YC1", KEYS.sign(create("YC1")), "test")).isTrue();
    assertThat(trust.admit("YC2", create("YC2"), "test")).isFalse();
    assertThat(trust.admit("YC9", KEYS.sign(create("YC3")), "test")).isFalse();

    assertThat(metrics.counter("lapse.view.untrusted.creates", "reason", "mac-missing").count())
        .isEqualTo(1.0);
    assertThat(metrics.counter("lapse.view.untrusted.creates", "reason", "key-not-sid").count())
        .isEqualTo(1.0);
    assertThat(metrics.counter("lapse.view.untrusted.creates", "reason", "mac-invalid").count())
        .isZero();
  }
}
