package io.lapse.service.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lapse.infra.KafkaBroker;
import io.lapse.infra.SchemaRegistry;
import io.lapse.service.support.HttpTestClient;
import io.lapse.service.support.HttpTestClient.Reply;
import io.lapse.service.support.LapseSystem;
import io.lapse.service.support.Scenario;
import io.lapse.testkit.LapseIntegration;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The one-time-code rows of issue 8's table against the running system (real broker, registry,
 * entity tasks and expiry processor): a TOTP time step accepted once for a factor, by its own
 * verification or by a challenge created with {@code AuthPayload}, is answered as a wrong code ever
 * after (200 {@code pending}), and the arbiter counts it toward 60308.
 */
@LapseIntegration
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OneTimeCodesIT {
  private final Clock clock = Clock.systemUTC();
  private LapseSystem system;
  private HttpTestClient api;
  private Scenario scenario;

  @BeforeAll
  void start(KafkaBroker broker, SchemaRegistry registry) {
    system = new LapseSystem(broker, registry);
    api = system.http();
    scenario = new Scenario(api, clock);
  }

  @AfterAll
  void stop() {
    system.close();
  }

  @Test
  void shouldAnswerTheCodeThatVerifiedTheFactorAsAWrongCodeOnItsChallenge() {
    String entity = Scenario.entityPath(scenario.service(), Scenario.identity());
    Reply created = api.post(entity + "/Factors", "FriendlyName", "phone", "FactorType", "totp");
    Scenario.TotpFactor totp =
        new Scenario.TotpFactor(
            created.text("sid"), created.json().path("binding").path("secret").asText(), clock);
    String code = totp.codeNow();
    assertThat(api.post(entity + "/Factors/" + totp.sid(), "AuthPayload", code).text("status"))
        .isEqualTo("verified");
    String challenge =
        entity
            + "/Challenges/"
            + api.post(entity + "/Challenges", "FactorSid", totp.sid()).text("sid");

    Reply reused = api.post(challenge, "AuthPayload", code);

    assertThat(reused.status()).as(String.valueOf(reused.json())).isEqualTo(200);
    assertThat(reused.text("status")).isEqualTo("pending");
    assertCountedAsAWrongCode(challenge, totp);
  }

  @Test
  void shouldAnswerTheSameAuthPayloadOnASecondCreateAsAWrongCode() {
    String service = scenario.service();
    String identity = Scenario.identity();
    String entity = Scenario.entityPath(service, identity);
    Scenario.TotpFactor totp = scenario.verifiedTotp(service, identity);
    String code = totp.codeNow();

    Reply first = api.post(entity + "/Challenges", "FactorSid", totp.sid(), "AuthPayload", code);
    Reply second = api.post(entity + "/Challenges", "FactorSid", totp.sid(), "AuthPayload", code);

    assertThat(first.status()).as(String.valueOf(first.json())).isEqualTo(201);
    assertThat(first.text("status")).isEqualTo("approved");
    assertThat(second.status()).as(String.valueOf(second.json())).isEqualTo(201);
    assertThat(second.text("status")).isEqualTo("pending");
    assertCountedAsAWrongCode(entity + "/Challenges/" + second.text("sid"), totp);
  }

  @Test
  void shouldAnswerARetriedFactorVerificationAsTheFirst() {
    String entity = Scenario.entityPath(scenario.service(), Scenario.identity());
    Reply created = api.post(entity + "/Factors", "FriendlyName", "phone", "FactorType", "totp");
    Scenario.TotpFactor totp =
        new Scenario.TotpFactor(
            created.text("sid"), created.json().path("binding").path("secret").asText(), clock);
    String factor = entity + "/Factors/" + totp.sid();
    String wrong = wrongCode(totp, 0);
    for (int i = 0; i < 6; i++) {
      Reply retried = api.post(factor, "AuthPayload", wrong);
      assertThat(retried.status()).as("retry %d: %s", i, retried.json()).isEqualTo(200);
      assertThat(retried.text("status")).isEqualTo("unverified");
    }
    String code = totp.codeNow();

    Reply verified = api.post(factor, "AuthPayload", code);
    Reply retried = api.post(factor, "AuthPayload", code);

    assertThat(verified.text("status"))
        .as("six retries of one wrong code count once")
        .isEqualTo("verified");
    assertThat(retried.status()).isEqualTo(200);
    assertThat(retried.text("status")).isEqualTo("verified");
  }

  @Test
  void shouldNotBurnTheStepOfACodeSentToAnAnsweredChallenge() {
    String service = scenario.service();
    String identity = Scenario.identity();
    String challenges = Scenario.entityPath(service, identity) + "/Challenges";
    Scenario.TotpFactor totp = scenario.verifiedTotp(service, identity);
    Instant t = clock.instant();
    String answered = challenges + "/" + api.post(challenges, "FactorSid", totp.sid()).text("sid");
    assertThat(api.post(answered, "AuthPayload", totp.codeAt(t)).text("status"))
        .isEqualTo("approved");
    String nextStep = totp.codeAt(t.plus(Duration.ofSeconds(30)));
    long releasedBefore = system.service.entityDecisions().count("step-released");

    Reply late = api.post(answered, "AuthPayload", nextStep);
    // The arbiter's refusal reaches the entity task through the outcome relay, after the answer.
    await()
        .atMost(Duration.ofSeconds(15))
        .until(() -> system.service.entityDecisions().count("step-released") > releasedBefore);
    String other = challenges + "/" + api.post(challenges, "FactorSid", totp.sid()).text("sid");
    Reply onOther = api.post(other, "AuthPayload", nextStep);

    assertThat(late.json().path("code").asInt()).as(String.valueOf(late.json())).isEqualTo(60322);
    assertThat(onOther.status()).as(String.valueOf(onOther.json())).isEqualTo(200);
    assertThat(onOther.text("status"))
        .as("the step the answered challenge refused was given back")
        .isEqualTo("approved");
  }

  /**
   * The reused code was the challenge's first wrong attempt: three more wrong codes leave it
   * pending, and the fifth attempt is refused with 60308. Had the reused code not counted, the
   * fifth would still be a plain wrong code.
   */
  private void assertCountedAsAWrongCode(String challenge, Scenario.TotpFactor totp) {
    for (int i = 0; i < 3; i++) {
      Reply wrong = api.post(challenge, "AuthPayload", wrongCode(totp, i));
      assertThat(wrong.status()).as(String.valueOf(wrong.json())).isEqualTo(200);
      assertThat(wrong.text("status")).isEqualTo("pending");
    }
    Reply fifth = api.post(challenge, "AuthPayload", wrongCode(totp, 3));
    assertThat(fifth.status()).as(String.valueOf(fifth.json())).isEqualTo(429);
    assertThat(fifth.json().path("code").asInt()).isEqualTo(60308);
    assertThat(api.get(challenge).text("status")).isEqualTo("pending");
  }

  /** A six-digit code that matches no step inside the default skew around now. */
  private String wrongCode(Scenario.TotpFactor totp, int n) {
    Instant now = clock.instant();
    Set<String> valid =
        Set.of(
            totp.codeAt(now.minus(Duration.ofSeconds(60))),
            totp.codeAt(now.minus(Duration.ofSeconds(30))),
            totp.codeAt(now),
            totp.codeAt(now.plus(Duration.ofSeconds(30))),
            totp.codeAt(now.plus(Duration.ofSeconds(60))));
    for (int candidate = 100_000 + n * 1_000; ; candidate++) {
      String code = String.valueOf(candidate);
      if (!valid.contains(code)) {
        return code;
      }
    }
  }
}
