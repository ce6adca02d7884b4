package io.lapse.expiry;

import static io.lapse.events.v1.AttemptOutcome.APPROVED;
import static org.assertj.core.api.Assertions.assertThat;

import io.lapse.contract.AttemptMacKeys;
import io.lapse.events.v1.ChallengeCreated;
import io.lapse.expiry.harness.TestKeys;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The arbiter takes a {@code ChallengeCreated} only when a trusted producer signed it and its key
 * is its SID: anything else goes to {@code challenge-created-dlq} with its reason, is counted, and
 * never expires nor lets an attempt decide (docs/decisions/0020-signed-challenge-creates.md).
 */
class UntrustedCreateTopologyTest {
  private static final String SID = "YC" + "0".repeat(31) + "1";
  private static final String OTHER_SID = "YC" + "0".repeat(31) + "2";

  private final ArbiterDriver driver = new ArbiterDriver();

  @AfterEach
  void close() {
    driver.close();
  }

  private ChallengeCreated challenge(String sid) {
    return ArbiterDriver.challenge(sid, driver.now().plusSeconds(2));
  }

  /** A forged create: the record key, the create as written, the expected reason. */
  private record Forgery(String key, ChallengeCreated created, String reason) {}

  static Stream<Arguments> forgeries() {
    return Stream.of(
        forgery("no MAC", t -> new Forgery(SID, t.challenge(SID), "mac-missing")),
        forgery(
            "MAC of zeros",
            t ->
                new Forgery(
                    SID,
                    ChallengeCreated.newBuilder(t.challenge(SID))
                        .setMacKeyId(TestKeys.KEY_ID)
                        .setMac(ByteBuffer.wrap(new byte[32]))
                        .build(),
                    "mac-invalid")),
        forgery(
            "signed, then its factor changed",
            t ->
                new Forgery(
                    SID,
                    ChallengeCreated.newBuilder(TestKeys.signed(t.challenge(SID)))
                        .setFactorSid("YF" + "9".repeat(32))
                        .build(),
                    "mac-invalid")),
        forgery(
            "signed with a key the processor does not list",
            t -> {
              byte[] key = new byte[32];
              Arrays.fill(key, (byte) 3);
              return new Forgery(
                  SID,
                  AttemptMacKeys.of("k-attacker", key).sign(t.challenge(SID)),
                  "mac-key-unknown");
            }),
        forgery(
            "signed, under another challenge's key",
            t -> new Forgery(OTHER_SID, TestKeys.signed(t.challenge(SID)), "key-not-sid")));
  }

  private static Arguments forgery(String name, Function<UntrustedCreateTopologyTest, Forgery> f) {
    return Arguments.of(name, f);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("forgeries")
  void shouldDeadLetterAForgedCreateWithItsReasonAndNeverExpireIt(
      String name, Function<UntrustedCreateTopologyTest, Forgery> make) {
    Forgery forged = make.apply(this);

    driver.pipeCreate(forged.key(), forged.created());
    driver.attempt(forged.key(), "AT-1", APPROVED);
    driver.advance(Duration.ofSeconds(15));

    List<TestRecord<byte[], byte[]>> dead = driver.createdDeadLetters();
    assertThat(dead).as(name).hasSize(1);
    Header reason = dead.get(0).headers().lastHeader("lapse.dlq.reason");
    assertThat(reason).isNotNull();
    assertThat(new String(reason.value(), StandardCharsets.UTF_8)).isEqualTo(forged.reason());
    assertThat(new String(dead.get(0).key(), StandardCharsets.UTF_8)).isEqualTo(forged.key());
    assertThat(driver.expired()).as("never expires").isEmpty();
    assertThat(driver.outcomes())
        .as("no attempt is approved for it; the parked one is at most refused")
        .noneMatch(o -> o instanceof io.lapse.events.v1.ChallengeApproved);
    assertThat(driver.metrics().untrustedCreateCount(forged.reason())).isEqualTo(1);
  }

  @Test
  void shouldExpireASignedCreate() {
    Instant deadline = driver.now().plusSeconds(2);

    driver.pipeCreate(SID, TestKeys.signed(ArbiterDriver.challenge(SID, deadline)));
    driver.advance(Duration.ofSeconds(3));

    assertThat(driver.expired())
        .singleElement()
        .satisfies(e -> assertThat(e.getSid()).isEqualTo(SID));
    assertThat(driver.createdDeadLetters()).isEmpty();
  }
}
