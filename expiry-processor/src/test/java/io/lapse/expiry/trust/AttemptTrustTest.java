package io.lapse.expiry.trust;

import static org.assertj.core.api.Assertions.assertThat;

import io.lapse.contract.AttemptMacKeys;
import io.lapse.events.v1.AttemptOutcome;
import io.lapse.events.v1.ChallengeCreated;
import io.lapse.events.v1.VerificationAttempted;
import io.lapse.expiry.ExpirySettings;
import io.lapse.expiry.ExpirySettings.MacMode;
import io.lapse.expiry.harness.TestKeys;
import io.lapse.expiry.state.ArbiterRecord;
import io.lapse.expiry.state.ParkedAttempt;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class AttemptTrustTest {
  private static final String SID = "YC" + "0".repeat(31) + "1";
  private static final String SERVICE = "VA" + "0".repeat(31) + "1";
  private static final String FACTOR = "YF" + "0".repeat(31) + "1";
  private static final long BROKER_TIME = Instant.parse("2026-01-01T00:00:10Z").toEpochMilli();

  private final AttemptTrust trust = new AttemptTrust(TestKeys.MAC_KEYS, ExpirySettings.defaults());

  private static VerificationAttempted.Builder unsigned() {
    return VerificationAttempted.newBuilder()
        .setSid(SID)
        .setServiceSid(SERVICE)
        .setIdentity("user-1")
        .setFactorSid(FACTOR)
        .setAttemptId("AT" + "0".repeat(32))
        .setAttemptAt(Instant.ofEpochMilli(BROKER_TIME - 3))
        .setOutcome(AttemptOutcome.APPROVED);
  }

  private static VerificationAttempted signed(UnaryOperator<VerificationAttempted.Builder> change) {
    return TestKeys.signed(change.apply(unsigned()).build());
  }

  private static byte[] bytes(int value) {
    byte[] b = new byte[32];
    Arrays.fill(b, (byte) value);
    return b;
  }

  static Stream<Arguments> refusals() {
    VerificationAttempted genuine = signed(b -> b);
    return Stream.of(
        row("unsigned", SID, unsigned().build(), BROKER_TIME, Distrust.MAC_MISSING),
        row(
            "key id without MAC",
            SID,
            VerificationAttempted.newBuilder(genuine).setMac(null).build(),
            BROKER_TIME,
            Distrust.MAC_MISSING),
        row(
            "MAC without key id",
            SID,
            VerificationAttempted.newBuilder(genuine).setMacKeyId(null).build(),
            BROKER_TIME,
            Distrust.MAC_MISSING),
        row(
            "key id not listed",
            SID,
            VerificationAttempted.newBuilder(genuine).setMacKeyId("k-elsewhere").build(),
            BROKER_TIME,
            Distrust.MAC_KEY_UNKNOWN),
        row(
            "MAC of zeros",
            SID,
            VerificationAttempted.newBuilder(genuine).setMac(ByteBuffer.wrap(new byte[32])).build(),
            BROKER_TIME,
            Distrust.MAC_INVALID),
        row(
            "wrong code turned into an approval after signing",
            SID,
            VerificationAttempted.newBuilder(signed(b -> b.setOutcome(AttemptOutcome.WRONG_CODE)))
                .setOutcome(AttemptOutcome.APPROVED)
                .build(),
            BROKER_TIME,
            Distrust.MAC_INVALID),
        row(
            "listed id, another key",
            SID,
            AttemptMacKeys.of(TestKeys.KEY_ID, bytes(9)).sign(unsigned().build()),
            BROKER_TIME,
            Distrust.MAC_INVALID),
        row(
            "record key names another challenge",
            "YC" + "0".repeat(31) + "2",
            genuine,
            BROKER_TIME,
            Distrust.KEY_NOT_SID),
        row("no record key", null, genuine, BROKER_TIME, Distrust.KEY_NOT_SID),
        row(
            "stamped beyond broker time plus skew",
            SID,
            signed(b -> b.setAttemptAt(Instant.ofEpochMilli(BROKER_TIME + 5_001))),
            BROKER_TIME,
            Distrust.ATTEMPT_IN_FUTURE),
        row(
            "unsigned and keyed elsewhere: the MAC is checked first",
            "YC" + "0".repeat(31) + "2",
            unsigned().build(),
            BROKER_TIME,
            Distrust.MAC_MISSING));
  }

  private static Arguments row(
      String name, String key, VerificationAttempted attempt, long brokerTime, Distrust reason) {
    return Arguments.of(name, key, attempt, brokerTime, reason);
  }

  @ParameterizedTest(name = "{0} → {4}")
  @MethodSource("refusals")
  void shouldRefuseAnAttemptTheServiceDidNotProvablyWriteForItsChallenge(
      String name, String key, VerificationAttempted attempt, long brokerTime, Distrust reason) {
    AttemptTrust.Assessment a = trust.assess(key, attempt, brokerTime);

    assertThat(a.trusted()).isFalse();
    assertThat(a.refused()).isEqualTo(reason);
  }

  @Test
  void shouldTrustASignedAttemptKeyedByItsSidUpToTheClockSkew() {
    assertThat(trust.assess(SID, signed(b -> b), BROKER_TIME)).isEqualTo(trusted());
    assertThat(
            trust.assess(
                SID,
                signed(b -> b.setAttemptAt(Instant.ofEpochMilli(BROKER_TIME + 5_000))),
                BROKER_TIME))
        .isEqualTo(trusted());
  }

  private static AttemptTrust.Assessment trusted() {
    return new AttemptTrust.Assessment(null, null);
  }

  @Test
  void shouldAcceptPreviousKeyDuringRotation() {
    byte[] next = bytes(7);
    AttemptMacKeys servicesAfterSwitch = AttemptMacKeys.of("k2", next);
    AttemptMacKeys processor =
        AttemptMacKeys.of("k2", next).accepting(TestKeys.KEY_ID, TestKeys.key());
    AttemptTrust rotating = new AttemptTrust(processor, ExpirySettings.defaults());

    assertThat(rotating.assess(SID, signed(b -> b), BROKER_TIME).trusted())
        .as("signed before the switch")
        .isTrue();
    assertThat(
            rotating
                .assess(SID, servicesAfterSwitch.sign(unsigned().build()), BROKER_TIME)
                .trusted())
        .as("signed after the switch")
        .isTrue();
  }

  @Test
  void shouldLetMacFailuresPassButStillRefuseTheOtherChecksInLogMode() {
    AttemptTrust logging =
        new AttemptTrust(TestKeys.MAC_KEYS, ExpirySettings.defaults().withAttemptMac(MacMode.LOG));

    AttemptTrust.Assessment unsignedOwnKey = logging.assess(SID, unsigned().build(), BROKER_TIME);
    assertThat(unsignedOwnKey.trusted()).isTrue();
    assertThat(unsignedOwnKey.tolerated()).isEqualTo(Distrust.MAC_MISSING);

    AttemptTrust.Assessment unsignedOtherKey =
        logging.assess("YC" + "0".repeat(31) + "2", unsigned().build(), BROKER_TIME);
    assertThat(unsignedOtherKey.refused()).isEqualTo(Distrust.KEY_NOT_SID);

    assertThat(logging.assess(SID, signed(b -> b), BROKER_TIME)).isEqualTo(trusted());
  }

  @Test
  void shouldJudgeLatenessByBrokerTime() {
    VerificationAttempted claimedEarly = signed(b -> b.setAttemptAt(Instant.ofEpochMilli(1_000)));

    assertThat(trust.judgedAt(claimedEarly, 1_000 + 60_000))
        .as("appended a minute after the time it claims")
        .isEqualTo(1_000 + 60_000 - 30_000);
    assertThat(trust.judgedAt(claimedEarly, 1_000 + 29_999))
        .as("appended within the maximum delay")
        .isEqualTo(1_000);
  }

  @Test
  void shouldCompareAnAttemptOnlyWithAChallengeThatWasCreated() {
    ArbiterRecord pending = ArbiterRecord.pending(BROKER_TIME + 60_000, SERVICE, "user-1", FACTOR);
    ParkedAttempt parked = ParkedAttempt.of(signed(b -> b.setFactorSid("YF" + "9".repeat(32))));
    ArbiterRecord awaiting = ArbiterRecord.awaiting(BROKER_TIME + 10_000, parked);

    assertThat(AttemptTrust.knowsCreate(pending)).isTrue();
    assertThat(AttemptTrust.knowsCreate(pending.withPhase(ArbiterRecord.Phase.EXPIRED))).isTrue();
    assertThat(AttemptTrust.knowsCreate(awaiting)).as("fields echo an attempt").isFalse();
    assertThat(AttemptTrust.knowsCreate(awaiting.unknown())).isFalse();
    assertThat(AttemptTrust.knowsCreate(null)).isFalse();

    assertThat(AttemptTrust.sameChallenge(pending, signed(b -> b))).isTrue();
    assertThat(
            AttemptTrust.sameChallenge(pending, signed(b -> b.setFactorSid("YF" + "9".repeat(32)))))
        .isFalse();
    assertThat(AttemptTrust.sameChallenge(pending, signed(b -> b.setIdentity("user-2")))).isFalse();
    assertThat(
            AttemptTrust.sameChallenge(
                pending, signed(b -> b.setServiceSid("VA" + "9".repeat(32)))))
        .isFalse();
  }

  @Test
  void shouldCompareAParkedAttemptWithTheCreateThatArrives() {
    ChallengeCreated created =
        ChallengeCreated.newBuilder()
            .setSid(SID)
            .setAccountSid("AC" + "0".repeat(32))
            .setServiceSid(SERVICE)
            .setEntitySid("YE" + "0".repeat(32))
            .setIdentity("user-1")
            .setFactorSid(FACTOR)
            .setFactorType("totp")
            .setCreatedAt(Instant.ofEpochMilli(BROKER_TIME))
            .setExpirationDate(Instant.ofEpochMilli(BROKER_TIME + 60_000))
            .build();

    assertThat(AttemptTrust.sameChallenge(created, ParkedAttempt.of(signed(b -> b)))).isTrue();
    assertThat(
            AttemptTrust.sameChallenge(
                created, ParkedAttempt.of(signed(b -> b.setIdentity("someone-else")))))
        .isFalse();
  }
}
