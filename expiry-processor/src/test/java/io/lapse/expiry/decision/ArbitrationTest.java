package io.lapse.expiry.decision;

import static io.lapse.events.v1.AttemptOutcome.APPROVED;
import static io.lapse.events.v1.AttemptOutcome.DENIED;
import static io.lapse.events.v1.AttemptOutcome.WRONG_CODE;
import static org.assertj.core.api.Assertions.assertThat;

import io.lapse.contract.TwilioError;
import io.lapse.events.v1.AttemptOutcome;
import io.lapse.events.v1.ChallengeApproved;
import io.lapse.events.v1.ChallengeCreated;
import io.lapse.events.v1.ChallengeDenied;
import io.lapse.events.v1.ChallengeExpired;
import io.lapse.events.v1.VerificationAttempted;
import io.lapse.events.v1.VerificationFailed;
import io.lapse.events.v1.VerificationRejected;
import io.lapse.expiry.ExpirySettings;
import io.lapse.expiry.state.ArbiterRecord;
import io.lapse.expiry.state.ArbiterRecord.Phase;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every rule of the arbiter, on the pure function: a case is a history of events (applied in order,
 * each at its own clock, from no record at all), then the event under test and what it must decide.
 */
class ArbitrationTest {
  private static final ExpirySettings SETTINGS = ExpirySettings.defaults();
  private static final Arbitration ARBITRATION = new Arbitration(SETTINGS);
  private static final String SID = "YC00000000000000000000000000000001";
  private static final String VA = "VA00000000000000000000000000000001";
  private static final String YF = "YF00000000000000000000000000000001";
  private static final long T0 = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();
  private static final long DEADLINE = T0 + 60_000;
  private static final long GRACE = SETTINGS.unknownGrace().toMillis();
  private static final int LIMIT = SETTINGS.maxFailedAttempts();

  /** One event as the processor feeds it: at its clock, with the creates it has read so far. */
  record Step(ArbiterEvent event, long now, long createsSeenUpTo) {
    Step at(long when) {
      return new Step(event, when, createsSeenUpTo);
    }

    Step createsSeenUpTo(long when) {
      return new Step(event, now, when);
    }
  }

  /** What the event under test must decide; {@code phase} null means no record at all. */
  record Expect(
      Phase phase, boolean changed, int failedAttempts, List<String> emitted, int pendingDelta) {}

  private static Step create(long deadline) {
    ChallengeCreated created =
        ChallengeCreated.newBuilder()
            .setSid(SID)
            .setAccountSid("AC00000000000000000000000000000001")
            .setServiceSid(VA)
            .setEntitySid("YE00000000000000000000000000000001")
            .setIdentity("user-1")
            .setFactorSid(YF)
            .setFactorType("push")
            .setCreatedAt(Instant.ofEpochMilli(deadline - 300_000))
            .setExpirationDate(Instant.ofEpochMilli(deadline))
            .build();
    return new Step(new ArbiterEvent.Created(created), T0, 0);
  }

  private static Step create() {
    return create(DEADLINE);
  }

  private static Step attempt(String id, AttemptOutcome outcome) {
    return attempt(id, outcome, T0 + 1_000);
  }

  /** An attempt stamped {@code attemptAt} by the service, read at the same instant. */
  private static Step attempt(String id, AttemptOutcome outcome, long attemptAt) {
    return new Step(
        new ArbiterEvent.Attempt(attemptOf(id, outcome, attemptAt, "user-1")), attemptAt, 0);
  }

  private static VerificationAttempted attemptOf(
      String id, AttemptOutcome outcome, long attemptAt, String identity) {
    return VerificationAttempted.newBuilder()
        .setSid(SID)
        .setServiceSid(VA)
        .setIdentity(identity)
        .setFactorSid(YF)
        .setAttemptId(id)
        .setAttemptAt(Instant.ofEpochMilli(attemptAt))
        .setOutcome(outcome)
        .setMetadata(Map.of("os", "Android"))
        .build();
  }

  private static Step due(long now) {
    return new Step(new ArbiterEvent.Due(), now, 0);
  }

  private static List<Step> wrongCodes(int n) {
    List<Step> steps = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      steps.add(attempt("wrong-" + i, WRONG_CODE, T0 + 1_000 + i));
    }
    return steps;
  }

  private static List<Step> history(Object... steps) {
    List<Step> all = new ArrayList<>();
    for (Object s : steps) {
      if (s instanceof Step step) {
        all.add(step);
      } else {
        @SuppressWarnings("unchecked")
        List<Step> list = (List<Step>) s;
        all.addAll(list);
      }
    }
    return all;
  }

  private static Expect expect(
      Phase phase, boolean changed, int failed, int pendingDelta, String... emitted) {
    return new Expect(phase, changed, failed, List.of(emitted), pendingDelta);
  }

  private static Arguments rule(String rule, List<Step> history, Step event, Expect expect) {
    return Arguments.of(rule, history, event, expect);
  }

  static Stream<Arguments> rules() {
    long waitedOut = T0 + Arbitration.UNKNOWN_MAX_WAITS * GRACE;
    return Stream.of(
        rule(
            "a create makes a pending challenge",
            history(),
            create(),
            expect(Phase.PENDING, true, 0, 1)),
        rule(
            "approve",
            history(create()),
            attempt("ok", APPROVED),
            expect(Phase.APPROVED, true, 0, -1, "approved ok")),
        rule(
            "deny",
            history(create()),
            attempt("no", DENIED),
            expect(Phase.DENIED, true, 0, -1, "denied no")),
        rule(
            "a wrong code is a failure, counted",
            history(create()),
            attempt("wrong", WRONG_CODE),
            expect(Phase.PENDING, true, 1, 0, "failed wrong 1")),
        rule(
            "the wrong code that reaches the limit is answered 60308, the challenge stays pending",
            history(create(), wrongCodes(LIMIT - 1)),
            attempt("wrong-last", WRONG_CODE),
            expect(Phase.PENDING, true, LIMIT, 0, "rejected wrong-last 60308")),
        rule(
            "a right code after the limit is still 60308",
            history(create(), wrongCodes(LIMIT)),
            attempt("right", APPROVED),
            expect(Phase.PENDING, true, LIMIT, 0, "rejected right 60308")),
        rule(
            "an attempt after an approval is 60322",
            history(create(), attempt("ok", APPROVED)),
            attempt("again", APPROVED),
            expect(Phase.APPROVED, true, 0, 0, "rejected again 60322")),
        rule(
            "an attempt after a denial is 60322",
            history(create(), attempt("no", DENIED)),
            attempt("again", APPROVED),
            expect(Phase.DENIED, true, 0, 0, "rejected again 60322")),
        rule(
            "an attempt stamped at the deadline is 60323 and expires the challenge at once",
            history(create()),
            attempt("late", APPROVED, DEADLINE).at(DEADLINE - 5),
            expect(Phase.EXPIRED, true, 0, -1, "expired", "rejected late 60323")),
        rule(
            "a wrong code stamped after the deadline is 60323, not a failure",
            history(create()),
            attempt("late", WRONG_CODE, DEADLINE + 1),
            expect(Phase.EXPIRED, true, 0, -1, "expired", "rejected late 60323")),
        rule(
            "an attempt stamped a millisecond before the deadline is decided",
            history(create()),
            attempt("just", APPROVED, DEADLINE - 1),
            expect(Phase.APPROVED, true, 0, -1, "approved just")),
        rule(
            "an attempt after the expiry is 60323",
            history(create(), due(DEADLINE)),
            attempt("late", APPROVED, DEADLINE + 50),
            expect(Phase.EXPIRED, true, 0, 0, "rejected late 60323")),
        rule(
            "a repeat of the deciding attempt is 60322, never a second terminal event",
            history(create(), attempt("ok", APPROVED)),
            attempt("ok", APPROVED).at(T0 + 2_000),
            expect(Phase.APPROVED, false, 0, 0, "rejected ok 60322")),
        rule(
            "a repeat of a failed attempt gets the same failure again, counted once",
            history(create(), attempt("wrong", WRONG_CODE)),
            attempt("wrong", WRONG_CODE).at(T0 + 2_000),
            expect(Phase.PENDING, false, 1, 0, "failed wrong 1")),
        rule(
            "a repeat of a late attempt gets the same 60323 again",
            history(create(), attempt("late", APPROVED, DEADLINE)),
            attempt("late", APPROVED, DEADLINE).at(DEADLINE + 300),
            expect(Phase.EXPIRED, false, 0, 0, "rejected late 60323")),
        rule(
            "a duplicate create of a pending challenge changes nothing",
            history(create()),
            create(),
            expect(Phase.PENDING, false, 0, 0)),
        rule(
            "a duplicate create after the expiry changes nothing",
            history(create(), due(DEADLINE)),
            create().at(DEADLINE + 10),
            expect(Phase.EXPIRED, false, 0, 0)),
        rule(
            "a create already due expires at once",
            history(),
            create(T0 - 3_000),
            expect(Phase.EXPIRED, true, 0, 0, "expired")),
        rule(
            "an attempt on an unknown challenge is parked",
            history(),
            attempt("early", APPROVED),
            expect(Phase.AWAITING, true, 0, 0)),
        rule(
            "another attempt on an unknown challenge is parked too",
            history(attempt("early", APPROVED)),
            attempt("early-2", DENIED),
            expect(Phase.AWAITING, true, 0, 0)),
        rule(
            "a repeat of a parked attempt is parked once",
            history(attempt("early", APPROVED)),
            attempt("early", APPROVED).at(T0 + 2_000),
            expect(Phase.AWAITING, false, 0, 0)),
        rule(
            "the create decides the attempts parked for it, in order",
            history(attempt("wrong", WRONG_CODE), attempt("ok", APPROVED)),
            create().at(T0 + 1_500),
            expect(Phase.APPROVED, true, 1, 0, "failed wrong 1", "approved ok")),
        rule(
            "a create already due decides its parked attempts, then expires",
            history(attempt("wrong", WRONG_CODE, T0)),
            create(T0 + 500).at(T0 + 1_000),
            expect(Phase.EXPIRED, true, 1, 0, "failed wrong 1", "expired")),
        rule(
            "a parked attempt stamped after the deadline is 60323 and expires the challenge",
            history(attempt("late", APPROVED, T0 + 1_000)),
            create(T0 + 500).at(T0 + 1_100),
            expect(Phase.EXPIRED, true, 0, 0, "expired", "rejected late 60323")),
        rule(
            "the deadline expires a pending challenge",
            history(create()),
            due(DEADLINE),
            expect(Phase.EXPIRED, true, 0, -1, "expired")),
        rule(
            "the deadline expires a challenge locked by failures",
            history(create(), wrongCodes(LIMIT)),
            due(DEADLINE),
            expect(Phase.EXPIRED, true, LIMIT, -1, "expired")),
        rule(
            "the deadline of a settled challenge changes nothing",
            history(create(), attempt("ok", APPROVED)),
            due(DEADLINE),
            expect(Phase.APPROVED, false, 0, 0)),
        rule("no record, nothing due", history(), due(DEADLINE), expect(null, false, 0, 0)),
        rule(
            "after the grace, once a later create was read, a parked attempt is 20404",
            history(attempt("nobody", APPROVED, T0)),
            due(T0 + GRACE).createsSeenUpTo(T0 + 1_000),
            expect(Phase.UNKNOWN, true, 0, 0, "rejected nobody 20404")),
        rule(
            "after the longest wait, with no later create read, a parked attempt is 20404",
            history(attempt("nobody", APPROVED, T0)),
            due(waitedOut),
            expect(Phase.UNKNOWN, true, 0, 0, "rejected nobody 20404")),
        rule(
            "after the grace, with no later create read, the wait is extended",
            history(attempt("early", APPROVED, T0)),
            due(waitedOut - 1).createsSeenUpTo(T0 + 999),
            expect(Phase.AWAITING, true, 0, 0)),
        rule(
            "every parked attempt is answered 20404",
            history(attempt("one", APPROVED, T0), attempt("two", WRONG_CODE, T0 + 10)),
            due(T0 + GRACE).createsSeenUpTo(T0 + 1_010),
            expect(Phase.UNKNOWN, true, 0, 0, "rejected one 20404", "rejected two 20404")),
        rule(
            "an attempt on a challenge answered unknown is 20404",
            history(attempt("nobody", APPROVED, T0), due(waitedOut)),
            attempt("again", APPROVED, waitedOut + 10),
            expect(Phase.UNKNOWN, true, 0, 0, "rejected again 20404")),
        rule(
            "a create after the 20404 makes the challenge pending",
            history(attempt("nobody", APPROVED, T0), due(waitedOut)),
            create(waitedOut + 60_000).at(waitedOut + 10),
            expect(Phase.PENDING, true, 0, 1)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rules")
  void shouldDecideByTheRule(String rule, List<Step> history, Step step, Expect expect) {
    ArbiterRecord before = replay(history);

    Decision d = decide(before, step);

    assertThat(d.emitted().stream().map(ArbitrationTest::summary))
        .as("emitted")
        .containsExactlyElementsOf(expect.emitted());
    assertThat(d.changed()).as("changed").isEqualTo(expect.changed());
    assertThat(d.pendingDelta()).as("pending delta").isEqualTo(expect.pendingDelta());
    if (expect.phase() == null) {
      assertThat(d.next()).isNull();
    } else {
      assertThat(d.next().phase()).as("phase").isEqualTo(expect.phase());
      assertThat(d.next().failedAttempts())
          .as("failed attempts")
          .isEqualTo(expect.failedAttempts());
    }
    if (!d.changed()) {
      assertThat(d.next()).isSameAs(before);
    }
  }

  @Test
  void shouldStampAnApprovalWithTheAttemptTimeAndTheDecisionTime() {
    ArbiterRecord pending = replay(history(create()));
    Step attempt = attempt("ok", APPROVED, T0 + 1_000).at(T0 + 1_020);

    ChallengeApproved approved = (ChallengeApproved) single(decide(pending, attempt));

    assertThat(approved.getRespondedAt()).isEqualTo(Instant.ofEpochMilli(T0 + 1_000));
    assertThat(approved.getDecidedAt()).isEqualTo(Instant.ofEpochMilli(T0 + 1_020));
    assertThat(approved.getMetadata()).containsEntry("os", "Android");
    assertThat(approved.getSid()).isEqualTo(SID);
    assertThat(approved.getServiceSid()).isEqualTo(VA);
    assertThat(approved.getFactorSid()).isEqualTo(YF);
  }

  @Test
  void shouldGiveARejectionTwiliosCodeAndMessage() {
    ArbiterRecord approved = replay(history(create(), attempt("ok", APPROVED)));

    VerificationRejected r = (VerificationRejected) single(decide(approved, attempt("x", DENIED)));

    assertThat(r.getCode()).isEqualTo(TwilioError.CHALLENGE_ALREADY_RESPONDED.code());
    assertThat(r.getReason()).isEqualTo(TwilioError.CHALLENGE_ALREADY_RESPONDED.message());
  }

  @Test
  void shouldNeverStampAnExpiryBeforeTheDeadline() {
    ArbiterRecord pending = replay(history(create()));

    Decision d = decide(pending, attempt("late", APPROVED, DEADLINE).at(DEADLINE - 5));

    ChallengeExpired expired = (ChallengeExpired) d.emitted().get(0);
    assertThat(expired.getExpiredAt()).isEqualTo(Instant.ofEpochMilli(DEADLINE));
    assertThat(expired.getExpirationDate()).isEqualTo(Instant.ofEpochMilli(DEADLINE));
    assertThat(d.labels()).containsExactly("expired", "rejected-60323");
  }

  @Test
  void shouldStampAnExpiryOnArrivalWithTheArrivalTime() {
    Decision d = decide(null, create(T0 - 3_000).at(T0));

    ChallengeExpired expired = (ChallengeExpired) single(d);
    assertThat(expired.getExpiredAt()).isEqualTo(Instant.ofEpochMilli(T0));
    assertThat(d.next().indexAt()).isEqualTo(T0 - 3_000);
  }

  @Test
  void shouldAnswerARepeatedAttemptWithAnIdenticalRecord() {
    ArbiterRecord pending = replay(history(create()));
    Decision first = decide(pending, attempt("wrong", WRONG_CODE).at(T0 + 1_000));

    Decision again = decide(first.next(), attempt("wrong", WRONG_CODE).at(T0 + 5_000));

    assertThat(single(again)).isEqualTo(single(first)).isInstanceOf(VerificationFailed.class);
  }

  @Test
  void shouldParkAnUnknownChallengesAttemptForTheGrace() {
    Decision d = decide(null, attempt("early", APPROVED, T0));

    assertThat(d.next().indexAt()).isEqualTo(T0 + GRACE);
    assertThat(d.next().expirationDate()).isEqualTo(ArbiterRecord.NO_DEADLINE);
    assertThat(d.next().parked()).extracting(p -> p.attemptId()).containsExactly("early");
  }

  @Test
  void shouldMoveTheWakeUpOfAnExtendedWaitOneGraceAhead() {
    ArbiterRecord awaiting = replay(history(attempt("early", APPROVED, T0)));

    Decision d = decide(awaiting, due(T0 + GRACE));

    assertThat(d.next().indexAt()).isEqualTo(T0 + 2 * GRACE);
    assertThat(d.next().parked()).hasSize(1);
  }

  @Test
  void shouldEchoEachParkedAttemptsOwnFieldsIn20404() {
    ArbiterRecord awaiting =
        replay(history(attempt("one", APPROVED, T0)))
            .withParked(
                io.lapse.expiry.state.ParkedAttempt.of(
                    attemptOf("two", DENIED, T0 + 5, "someone-else")));

    Decision d = decide(awaiting, due(T0 + GRACE).createsSeenUpTo(T0 + 2_000));

    assertThat(d.emitted())
        .map(r -> ((VerificationRejected) r).getIdentity())
        .containsExactly("user-1", "someone-else");
    assertThat(d.labels()).containsExactly("rejected-20404", "rejected-20404");
  }

  @Test
  void shouldLabelADuplicateCreate() {
    ArbiterRecord pending = replay(history(create()));

    assertThat(decide(pending, create()).labels()).containsExactly("duplicate-created");
  }

  @Test
  void shouldKeepTheAnswersOfAChallengeAnsweredUnknownWhenItsCreateArrives() {
    long waitedOut = T0 + Arbitration.UNKNOWN_MAX_WAITS * GRACE;
    ArbiterRecord unknown = replay(history(attempt("nobody", APPROVED, T0), due(waitedOut)));

    Decision d = decide(unknown, create(waitedOut + 60_000).at(waitedOut + 10));

    assertThat(d.next().answerTo("nobody")).isPresent();
    assertThat(summary(single(decide(d.next(), attempt("nobody", APPROVED, waitedOut + 20)))))
        .isEqualTo("rejected nobody 20404");
  }

  private static ArbiterRecord replay(List<Step> history) {
    ArbiterRecord record = null;
    for (Step s : history) {
      record = decide(record, s).next();
    }
    return record;
  }

  private static Decision decide(ArbiterRecord record, Step s) {
    return ARBITRATION.decide(SID, record, s.event(), s.now(), s.createsSeenUpTo());
  }

  private static SpecificRecord single(Decision d) {
    assertThat(d.emitted()).hasSize(1);
    return d.emitted().get(0);
  }

  private static String summary(SpecificRecord r) {
    if (r instanceof ChallengeApproved a) {
      return "approved " + a.getAttemptId();
    } else if (r instanceof ChallengeDenied d) {
      return "denied " + d.getAttemptId();
    } else if (r instanceof VerificationFailed f) {
      return "failed " + f.getAttemptId() + " " + f.getFailedAttempts();
    } else if (r instanceof VerificationRejected x) {
      return "rejected " + x.getAttemptId() + " " + x.getCode();
    } else if (r instanceof ChallengeExpired) {
      return "expired";
    }
    throw new AssertionError("Unexpected " + r);
  }
}
