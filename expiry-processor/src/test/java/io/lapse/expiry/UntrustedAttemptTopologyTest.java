package io.lapse.expiry;

import static io.lapse.events.v1.AttemptOutcome.APPROVED;
import static org.assertj.core.api.Assertions.assertThat;

import io.lapse.contract.AttemptMacKeys;
import io.lapse.events.v1.ChallengeApproved;
import io.lapse.events.v1.ChallengeExpired;
import io.lapse.events.v1.VerificationAttempted;
import io.lapse.events.v1.VerificationRejected;
import io.lapse.expiry.ExpirySettings.MacMode;
import io.lapse.expiry.harness.TestKeys;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The arbiter acts only on attempts the challenge service provably wrote for the challenge they
 * name: anything else goes to {@code challenge-responses-dlq} with its reason, is counted, and
 * decides nothing (the challenge stays pending, then expires).
 */
class UntrustedAttemptTopologyTest {
  private static final String SID = "YC" + "0".repeat(31) + "1";
  private static final String OTHER_SID = "YC" + "0".repeat(31) + "2";

  private ArbiterDriver driver = new ArbiterDriver();

  @AfterEach
  void close() {
    driver.close();
  }

  private Instant in(long ms) {
    return driver.now().plusMillis(ms);
  }

  private VerificationAttempted.Builder approval(String sid) {
    return VerificationAttempted.newBuilder(
        ArbiterDriver.attemptOf(sid, "AT-forged", driver.now(), APPROVED));
  }

  /** A forgery: the record key, the attempt as written to the topic, the expected reason. */
  private record Forgery(String key, VerificationAttempted attempt, String reason) {}

  static Stream<Arguments> forgeries() {
    return Stream.of(
        forgery("no MAC", t -> new Forgery(SID, t.approval(SID).build(), "mac-missing")),
        forgery(
            "MAC of zeros",
            t ->
                new Forgery(
                    SID,
                    t.approval(SID)
                        .setMacKeyId(TestKeys.KEY_ID)
                        .setMac(ByteBuffer.wrap(new byte[32]))
                        .build(),
                    "mac-invalid")),
        forgery(
            "signed with a key the processor does not list",
            t -> {
              byte[] key = new byte[32];
              Arrays.fill(key, (byte) 3);
              return new Forgery(
                  SID,
                  AttemptMacKeys.of("k-attacker", key).sign(t.approval(SID).build()),
                  "mac-key-unknown");
            }),
        forgery(
            "genuine attempt of another challenge keyed by this one",
            t -> new Forgery(SID, TestKeys.signed(t.approval(OTHER_SID).build()), "key-not-sid")),
        forgery(
            "signed, for another factor",
            t ->
                new Forgery(
                    SID,
                    TestKeys.signed(t.approval(SID).setFactorSid("YF" + "9".repeat(32)).build()),
                    "challenge-mismatch")),
        forgery(
            "signed, for another identity",
            t ->
                new Forgery(
                    SID,
                    TestKeys.signed(t.approval(SID).setIdentity("someone-else").build()),
                    "challenge-mismatch")),
        forgery(
            "signed, stamped a minute ahead of the broker",
            t ->
                new Forgery(
                    SID,
                    TestKeys.signed(t.approval(SID).setAttemptAt(t.in(60_000)).build()),
                    "attempt-in-future")));
  }

  private static Arguments forgery(
      String name, Function<UntrustedAttemptTopologyTest, Forgery> make) {
    return Arguments.of(name, make);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("forgeries")
  void shouldDeadLetterAnUntrustedAttemptAndLetTheChallengeExpire(
      String name, Function<UntrustedAttemptTopologyTest, Forgery> make) {
    Forgery f = make.apply(this);
    Instant deadline = in(10_000);
    driver.create(SID, deadline);

    driver.pipeAttempt(f.key(), f.attempt(), driver.now());

    assertThat(driver.outcomes()).as("decides nothing").isEmpty();
    List<TestRecord<String, VerificationAttempted>> dead = driver.responsesDeadLetters();
    assertThat(dead).hasSize(1);
    assertThat(dead.get(0).key()).isEqualTo(f.key());
    assertThat(dead.get(0).value()).isEqualTo(f.attempt());
    assertThat(header(dead.get(0), DeadLetterHandler.HEADER_REASON)).isEqualTo(f.reason());
    assertThat(header(dead.get(0), DeadLetterHandler.HEADER_TOPIC))
        .isEqualTo("challenge-responses");
    assertThat(header(dead.get(0), DeadLetterHandler.HEADER_OFFSET)).isEqualTo("0");
    assertThat(header(dead.get(0), DeadLetterHandler.HEADER_MESSAGE)).startsWith(f.reason());
    assertThat(driver.metrics().untrustedCount(f.reason())).isEqualTo(1.0);
    assertThat(driver.metrics().pending()).isEqualTo(1);

    driver.advanceTo(deadline);

    List<ChallengeExpired> expired = driver.expired();
    assertThat(expired).extracting(ChallengeExpired::getSid).containsExactly(SID);
  }

  @Test
  void shouldStillDecideAGenuineAttemptAfterAForgedOne() {
    driver.create(SID, in(10_000));
    driver.pipeAttempt(SID, approval(SID).build(), driver.now());

    driver.attempt(SID, "AT-genuine", APPROVED);

    List<SpecificRecord> outcomes = driver.outcomes();
    assertThat(outcomes).hasSize(1);
    assertThat(((ChallengeApproved) outcomes.get(0)).getAttemptId()).isEqualTo("AT-genuine");
  }

  @Test
  void shouldDeadLetterAParkedAttemptForAnotherFactorWhenTheCreateArrives() {
    VerificationAttempted otherFactor =
        TestKeys.signed(
            VerificationAttempted.newBuilder(
                    ArbiterDriver.attemptOf(SID, "AT-other-factor", driver.now(), APPROVED))
                .setFactorSid("YF" + "9".repeat(32))
                .build());
    driver.pipeAttempt(SID, otherFactor, driver.now());
    driver.attempt(SID, "AT-genuine", APPROVED);
    assertThat(driver.responsesDeadLetters()).as("parked, not judged yet").isEmpty();

    driver.create(SID, in(10_000));

    List<TestRecord<String, VerificationAttempted>> dead = driver.responsesDeadLetters();
    assertThat(dead).hasSize(1);
    assertThat(dead.get(0).value().getAttemptId()).isEqualTo("AT-other-factor");
    assertThat(dead.get(0).value().getFactorSid()).isEqualTo("YF" + "9".repeat(32));
    assertThat(header(dead.get(0), DeadLetterHandler.HEADER_REASON))
        .isEqualTo("challenge-mismatch");
    assertThat(header(dead.get(0), DeadLetterHandler.HEADER_OFFSET))
        .as("not the record being processed")
        .isEqualTo("-1");
    List<SpecificRecord> outcomes = driver.outcomes();
    assertThat(outcomes).hasSize(1);
    assertThat(((ChallengeApproved) outcomes.get(0)).getAttemptId()).isEqualTo("AT-genuine");
  }

  @Test
  void shouldJudgeLatenessByBrokerTime() {
    Instant deadline = in(10_000);
    driver.create(SID, deadline);
    VerificationAttempted claimsEarly =
        TestKeys.signed(ArbiterDriver.attemptOf(SID, "AT-held-back", in(1_000), APPROVED));

    // The processor lags: no tick has run, the broker appended the attempt 30 s after the deadline.
    driver.pipeAttempt(SID, claimsEarly, deadline.plus(Duration.ofSeconds(30)));

    List<SpecificRecord> outcomes = driver.outcomes();
    assertThat(outcomes).hasSize(1);
    assertThat(((VerificationRejected) outcomes.get(0)).getCode()).isEqualTo(60323);
    assertThat(driver.expired()).extracting(ChallengeExpired::getSid).containsExactly(SID);
  }

  @Test
  void shouldJudgeAnAttemptAppendedWithinTheMaximumDelayByTheTimeItClaims() {
    Instant deadline = in(10_000);
    driver.create(SID, deadline);
    VerificationAttempted claimsEarly =
        TestKeys.signed(ArbiterDriver.attemptOf(SID, "AT-slow", in(1_000), APPROVED));

    driver.pipeAttempt(SID, claimsEarly, deadline.plus(Duration.ofSeconds(29)));

    assertThat(driver.outcomes()).singleElement().isInstanceOf(ChallengeApproved.class);
  }

  @Test
  void shouldDecideAnUnsignedAttemptInLogModeAndCountIt() {
    driver.close();
    driver = new ArbiterDriver(ExpirySettings.defaults().withAttemptMac(MacMode.LOG));
    driver.create(SID, in(10_000));

    driver.pipeAttempt(SID, approval(SID).build(), driver.now());

    assertThat(driver.outcomes()).singleElement().isInstanceOf(ChallengeApproved.class);
    assertThat(driver.responsesDeadLetters()).isEmpty();
    assertThat(driver.metrics().untrustedCount("mac-missing")).isEqualTo(1.0);
  }

  @Test
  void shouldStillRefuseAnAttemptKeyedByAnotherChallengeInLogMode() {
    driver.close();
    driver = new ArbiterDriver(ExpirySettings.defaults().withAttemptMac(MacMode.LOG));
    driver.create(SID, in(10_000));

    driver.pipeAttempt(SID, approval(OTHER_SID).build(), driver.now());

    assertThat(driver.outcomes()).isEmpty();
    assertThat(driver.responsesDeadLetters())
        .singleElement()
        .satisfies(
            r -> assertThat(header(r, DeadLetterHandler.HEADER_REASON)).isEqualTo("key-not-sid"));
  }

  private static String header(TestRecord<?, ?> r, String name) {
    return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
  }
}
