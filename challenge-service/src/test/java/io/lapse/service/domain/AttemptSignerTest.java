package io.lapse.service.domain;

import static org.assertj.core.api.Assertions.assertThat;

import io.lapse.contract.AttemptMacKeys;
import io.lapse.events.v1.AttemptOutcome;
import io.lapse.events.v1.ChallengeCreated;
import io.lapse.events.v1.VerificationAttempted;
import io.lapse.service.support.TestMacKeys;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AttemptSignerTest {
  private static final String SID = "YC" + "1".repeat(32);
  private static final byte[] SECRET = new byte[32];

  private final AttemptMacKeys macKeys = TestMacKeys.newKeys();
  private final AttemptSigner signer =
      new AttemptSigner(AttemptSigner.attemptIdKeyFrom(SECRET), macKeys);

  @Test
  void shouldGiveTheSameRequestTheSameIdOnEveryInstance() {
    AttemptSigner otherInstance =
        new AttemptSigner(AttemptSigner.attemptIdKeyFrom(SECRET.clone()), TestMacKeys.newKeys());

    assertThat(signer.attemptId(SID, "123456")).isEqualTo(otherInstance.attemptId(SID, "123456"));
    assertThat(signer.attemptId(SID, "123456")).matches("AT[0-9a-f]{32}");
  }

  @Test
  void shouldGiveAnotherCodeOrChallengeAnotherId() {
    String id = signer.attemptId(SID, "123456");

    assertThat(signer.attemptId(SID, "123457")).isNotEqualTo(id);
    assertThat(signer.attemptId("YC" + "2".repeat(32), "123456")).isNotEqualTo(id);
  }

  @Test
  void shouldKeyAFactorVerificationApartFromAChallengeAttemptOfTheSameSidAndCode() {
    String factor = "YF" + "3".repeat(32);

    assertThat(signer.factorAttemptId(factor, "123456"))
        .isEqualTo(signer.factorAttemptId(factor, "123456"))
        .isNotEqualTo(signer.attemptId(factor, "123456"))
        .isNotEqualTo(signer.factorAttemptId(factor, "123457"))
        .matches("AT[0-9a-f]{32}");
  }

  @Test
  void shouldNotBeTheUnkeyedDigestOfTheSidAndCode() throws Exception {
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    sha.update(SID.getBytes(StandardCharsets.UTF_8));
    sha.update((byte) 0);
    byte[] unkeyed = sha.digest("123456".getBytes(StandardCharsets.UTF_8));

    assertThat(signer.attemptId(SID, "123456"))
        .isNotEqualTo("AT" + HexFormat.of().formatHex(unkeyed, 0, 16));
  }

  @Test
  void shouldSignEveryAttemptTheArbiterClientBuilds() {
    ArbiterClient client = new ArbiterClient(null, null, Duration.ofSeconds(1), signer);
    ChallengeCreated c =
        ChallengeCreated.newBuilder()
            .setSid(SID)
            .setAccountSid("AC" + "0".repeat(32))
            .setServiceSid("VA" + "0".repeat(32))
            .setEntitySid("YE" + "0".repeat(32))
            .setIdentity("user-1")
            .setFactorSid("YF" + "0".repeat(32))
            .setFactorType("totp")
            .setCreatedAt(Instant.EPOCH)
            .setExpirationDate(Instant.EPOCH.plusSeconds(300))
            .build();

    VerificationAttempted a =
        client.attempt(
            c, "123456", Instant.EPOCH.plusSeconds(1), AttemptOutcome.APPROVED, Map.of("os", "x"));

    assertThat(a.getAttemptId()).isEqualTo(signer.attemptId(SID, "123456"));
    assertThat(a.getMacKeyId()).isEqualTo(TestMacKeys.KEY_ID);
    assertThat(macKeys.verify(a)).isEqualTo(AttemptMacKeys.Verdict.VALID);
  }
}
