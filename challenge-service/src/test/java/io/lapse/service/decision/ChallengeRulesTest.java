package io.lapse.service.decision;

import static org.assertj.core.api.Assertions.assertThat;

import io.lapse.commands.v1.CommandStatus;
import io.lapse.commands.v1.CreateChallenge;
import io.lapse.commands.v1.EntityRecord;
import io.lapse.commands.v1.FactorChanges;
import io.lapse.commands.v1.FactorRecord;
import io.lapse.commands.v1.FactorVerification;
import io.lapse.commands.v1.IdempotencyEntry;
import io.lapse.commands.v1.NotificationCount;
import io.lapse.commands.v1.ReleaseTotpStep;
import io.lapse.commands.v1.RequestNotification;
import io.lapse.commands.v1.SubmitTotpAttempt;
import io.lapse.commands.v1.TotpAttempt;
import io.lapse.commands.v1.UpdateFactor;
import io.lapse.events.v1.AttemptOutcome;
import io.lapse.events.v1.ChallengeCreated;
import io.lapse.events.v1.NotificationRequested;
import io.lapse.events.v1.VerificationAttempted;
import io.lapse.service.decision.EntityDecision.ChallengeTopic;
import io.lapse.state.v1.EntitySnapshot;
import io.lapse.state.v1.FactorSnapshot;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The challenge rules of {@link EntityDecider} ({@link ChallengeRules}), one row each (state,
 * command → status, code, outcome, the attempt's outcome), then the rules that need two decisions
 * in a row.
 */
class ChallengeRulesTest {
  private static final long T = Instant.parse("2026-05-01T12:00:00.250Z").toEpochMilli();
  private static final long HOUR = Duration.ofHours(1).toMillis();
  private static final long DAY = Duration.ofDays(1).toMillis();
  private static final String ACCOUNT = "AC" + "1".repeat(32);
  private static final String SERVICE = "VA" + "2".repeat(32);
  private static final String IDENTITY = "user-0001";
  private static final String ENTITY = "YE" + "3".repeat(32);
  private static final String FACTOR = "YF" + "4".repeat(32);
  private static final String CHALLENGE = "YC" + "5".repeat(32);
  private static final String OTHER_CHALLENGE = "YC" + "6".repeat(32);
  private static final long STEP = 1_777_636_800L; // a time step start, epoch seconds

  private final EntityDecider decider = new EntityDecider();

  // ---- state ------------------------------------------------------------------------------

  /** One entity with one factor, built up per row. */
  static final class Given {
    private String type = EntityDecider.TOTP;
    private String status = EntityDecider.VERIFIED;
    private Integer codeLength = 6;
    private long lastStep = -1;
    private final List<Long> creations = new ArrayList<>();
    private final List<IdempotencyEntry> keys = new ArrayList<>();
    private final List<NotificationCount> notifications = new ArrayList<>();
    private boolean factor = true;

    static Given totp() {
      return new Given();
    }

    static Given push() {
      Given g = new Given();
      g.type = EntityDecider.PUSH;
      g.codeLength = null;
      return g;
    }

    Given unverified() {
      status = EntityDecider.UNVERIFIED;
      return this;
    }

    Given noFactor() {
      factor = false;
      return this;
    }

    Given codeLength(int n) {
      codeLength = n;
      return this;
    }

    Given lastStep(long step) {
      lastStep = step;
      return this;
    }

    Given creations(long... times) {
      LongStream.of(times).forEach(creations::add);
      return this;
    }

    Given key(String key, String challengeSid, long firstAt) {
      keys.add(new IdempotencyEntry(key, challengeSid, firstAt));
      return this;
    }

    Given notified(String challengeSid, int count, long until) {
      notifications.add(new NotificationCount(challengeSid, count, until));
      return this;
    }

    FactorRecord factorRecord() {
      Instant created = Instant.ofEpochMilli(T - DAY * 2);
      FactorSnapshot f =
          FactorSnapshot.newBuilder()
              .setSid(FACTOR)
              .setAccountSid(ACCOUNT)
              .setServiceSid(SERVICE)
              .setEntitySid(ENTITY)
              .setIdentity(IDENTITY)
              .setFriendlyName("phone")
              .setFactorType(type)
              .setStatus(status)
              .setCreatedAt(created)
              .setUpdatedAt(created)
              .setTotpCodeLength(codeLength)
              .setNotificationPlatform(EntityDecider.PUSH.equals(type) ? "fcm" : null)
              .setNotificationToken(EntityDecider.PUSH.equals(type) ? "token" : null)
              .build();
      return FactorRecord.newBuilder()
          .setFactor(f)
          .setBindingDigest(ByteBuffer.wrap(new byte[] {1}))
          .setLastAcceptedStepStart(lastStep)
          .setChallengeCreations(creations)
          .setNotifications(notifications)
          .build();
    }

    EntityState state() {
      Instant created = Instant.ofEpochMilli(T - DAY * 2);
      EntitySnapshot e =
          EntitySnapshot.newBuilder()
              .setSid(ENTITY)
              .setAccountSid(ACCOUNT)
              .setServiceSid(SERVICE)
              .setIdentity(IDENTITY)
              .setCreatedAt(created)
              .setUpdatedAt(created)
              .build();
      Map<String, FactorRecord> factors = new LinkedHashMap<>();
      if (factor) {
        factors.put(FACTOR, factorRecord());
      }
      return new EntityState(new EntityRecord(e, List.of(), keys, List.of()), factors);
    }
  }

  // ---- commands ---------------------------------------------------------------------------

  private static ChallengeCreated challenge(String sid, String type) {
    return ChallengeCreated.newBuilder()
        .setSid(sid)
        .setAccountSid(ACCOUNT)
        .setServiceSid(SERVICE)
        .setEntitySid(ENTITY)
        .setIdentity(IDENTITY)
        .setFactorSid(FACTOR)
        .setFactorType(type)
        .setCreatedAt(Instant.ofEpochMilli(T))
        .setExpirationDate(Instant.ofEpochMilli(T + 300_000))
        .setDetailsFields(List.of())
        .build();
  }

  private static TotpAttempt attempt(String challengeSid, String id, long at, long... steps) {
    return TotpAttempt.newBuilder()
        .setChallengeSid(challengeSid)
        .setAttemptId(id)
        .setAttemptAt(Instant.ofEpochMilli(at))
        .setDeadline(Instant.ofEpochMilli(T + 300_000))
        .setMatchedStepStarts(LongStream.of(steps).boxed().toList())
        .build();
  }

  private static SubmitTotpAttempt submit(TotpAttempt a) {
    return SubmitTotpAttempt.newBuilder()
        .setRequestId(a.getAttemptId())
        .setIssuedAt(Instant.EPOCH)
        .setServiceSid(SERVICE)
        .setIdentity(IDENTITY)
        .setFactorSid(FACTOR)
        .setAttempt(a)
        .build();
  }

  private static SubmitTotpAttempt code(String challengeSid, String id, long... steps) {
    return submit(attempt(challengeSid, id, T, steps));
  }

  private static CreateChallenge create(String type, String key, TotpAttempt a) {
    return CreateChallenge.newBuilder()
        .setRequestId("RQ-create-challenge")
        .setIssuedAt(Instant.EPOCH)
        .setServiceSid(SERVICE)
        .setIdentity(IDENTITY)
        .setChallenge(challenge(CHALLENGE, type))
        .setIdempotencyKey(key)
        .setTotpAttempt(a)
        .build();
  }

  private static CreateChallenge createTotp() {
    return create(EntityDecider.TOTP, null, null);
  }

  private static RequestNotification notify(String challengeSid) {
    return RequestNotification.newBuilder()
        .setRequestId("RQ-notify")
        .setIssuedAt(Instant.EPOCH)
        .setServiceSid(SERVICE)
        .setIdentity(IDENTITY)
        .setChallengeDeadline(Instant.ofEpochMilli(T + 300_000))
        .setNotification(
            NotificationRequested.newBuilder()
                .setSid(challengeSid)
                .setNotificationSid("NT" + "7".repeat(32))
                .setAccountSid(ACCOUNT)
                .setServiceSid(SERVICE)
                .setEntitySid(ENTITY)
                .setIdentity(IDENTITY)
                .setFactorSid(FACTOR)
                .setRequestedAt(Instant.ofEpochMilli(T))
                .setTtlSeconds(300)
                .setPriority("high")
                .setNotificationPlatform("fcm")
                .setNotificationToken("token")
                .build())
        .build();
  }

  private static long[] within(long window, int count) {
    return LongStream.range(0, count).map(i -> T - window + 1 + i).toArray();
  }

  private static long[] olderThanADay(int count) {
    return LongStream.range(0, count).map(i -> T - DAY - i).toArray();
  }

  // ---- the table --------------------------------------------------------------------------

  record Row(
      String rule,
      EntityState state,
      SpecificRecord command,
      CommandStatus status,
      int code,
      String outcome,
      AttemptOutcome attempt) {
    @Override
    public String toString() {
      return rule;
    }
  }

  static List<Row> rules() {
    CommandStatus ok = CommandStatus.ACCEPTED;
    CommandStatus no = CommandStatus.REJECTED;
    AttemptOutcome approved = AttemptOutcome.APPROVED;
    AttemptOutcome wrong = AttemptOutcome.WRONG_CODE;
    return List.of(
        new Row(
            "a step later than the factor's last is claimed",
            Given.totp().lastStep(STEP - 30).state(),
            code(CHALLENGE, "AT-1", STEP),
            ok,
            0,
            "step-claimed",
            approved),
        new Row(
            "a reused step is a wrong code",
            Given.totp().lastStep(STEP).state(),
            code(CHALLENGE, "AT-1", STEP),
            ok,
            0,
            "reused-step",
            wrong),
        new Row(
            "an earlier step is a wrong code",
            Given.totp().lastStep(STEP).state(),
            code(CHALLENGE, "AT-1", STEP - 30),
            ok,
            0,
            "reused-step",
            wrong),
        new Row(
            "the latest matched step counts",
            Given.totp().lastStep(STEP).state(),
            code(CHALLENGE, "AT-1", STEP, STEP + 30),
            ok,
            0,
            "step-claimed",
            approved),
        new Row(
            "a code that matched no step is wrong",
            Given.totp().state(),
            code(CHALLENGE, "AT-1"),
            ok,
            0,
            "wrong-code",
            wrong),
        new Row(
            "an attempt at the deadline claims nothing",
            Given.totp().state(),
            submit(attempt(CHALLENGE, "AT-1", T + 300_000, STEP)),
            ok,
            0,
            "late-attempt",
            wrong),
        new Row(
            "an attempt on a deleted factor is 20404",
            Given.totp().noFactor().state(),
            code(CHALLENGE, "AT-1", STEP),
            no,
            20404,
            "rejected-20404",
            null),
        new Row(
            "a push factor's steps are not claimed",
            Given.push().state(),
            code(CHALLENGE, "AT-1", STEP),
            no,
            60306,
            "rejected-not-totp",
            null),
        new Row(
            "60312: a 4-digit factor's 11th challenge in 24 h",
            Given.totp().codeLength(4).creations(within(DAY, 10)).state(),
            createTotp(),
            no,
            60312,
            "rejected-60312",
            null),
        new Row(
            "60312: a 4-digit factor's 10th challenge in 24 h",
            Given.totp().codeLength(4).creations(within(DAY, 9)).state(),
            createTotp(),
            ok,
            0,
            "challenge-created",
            null),
        new Row(
            "60312: a 6-digit factor's 51st challenge in an hour",
            Given.totp().creations(within(HOUR, 50)).state(),
            createTotp(),
            no,
            60312,
            "rejected-60312",
            null),
        new Row(
            "60312: a 6-digit factor's 50th challenge in an hour",
            Given.totp().creations(within(HOUR, 49)).state(),
            createTotp(),
            ok,
            0,
            "challenge-created",
            null),
        new Row(
            "60312: a 6-digit factor's 101st challenge in 24 h",
            Given.totp().creations(within(DAY, 50)).creations(within(HOUR * 2, 50)).state(),
            createTotp(),
            no,
            60312,
            "rejected-60312",
            null),
        new Row(
            "60312: creations older than 24 h are forgotten",
            Given.totp().codeLength(4).creations(olderThanADay(10)).state(),
            createTotp(),
            ok,
            0,
            "challenge-created",
            null),
        new Row(
            "60312 does not limit push challenges",
            Given.push().creations(within(HOUR, 60)).state(),
            create(EntityDecider.PUSH, null, null),
            ok,
            0,
            "challenge-created",
            null),
        new Row(
            "a known Idempotency-Key replays its first challenge",
            Given.totp().key("k1", OTHER_CHALLENGE, T - HOUR).state(),
            create(EntityDecider.TOTP, "k1", null),
            CommandStatus.REPLAYED,
            0,
            "idempotency-replayed",
            null),
        new Row(
            "a replayed key is not refused by 60312",
            Given.totp()
                .codeLength(4)
                .creations(within(DAY, 10))
                .key("k1", OTHER_CHALLENGE, T - HOUR)
                .state(),
            create(EntityDecider.TOTP, "k1", null),
            CommandStatus.REPLAYED,
            0,
            "idempotency-replayed",
            null),
        new Row(
            "an Idempotency-Key is forgotten after 24 h",
            Given.totp().key("k1", OTHER_CHALLENGE, T - DAY).state(),
            create(EntityDecider.TOTP, "k1", null),
            ok,
            0,
            "challenge-created",
            null),
        new Row(
            "a challenge of an unverified factor is 60318",
            Given.totp().unverified().state(),
            createTotp(),
            no,
            60318,
            "rejected-60318",
            null),
        new Row(
            "a challenge of a deleted factor is 20404",
            Given.totp().noFactor().state(),
            createTotp(),
            no,
            20404,
            "rejected-20404",
            null),
        new Row(
            "a create's AuthPayload claims its step",
            Given.totp().lastStep(STEP - 30).state(),
            create(EntityDecider.TOTP, null, attempt(CHALLENGE, "AT-1", T, STEP)),
            ok,
            0,
            "challenge-created-step-claimed",
            approved),
        new Row(
            "a create's AuthPayload with a used step is a wrong code",
            Given.totp().lastStep(STEP).state(),
            create(EntityDecider.TOTP, null, attempt(CHALLENGE, "AT-1", T, STEP)),
            ok,
            0,
            "challenge-created-reused-step",
            wrong),
        new Row(
            "60309: a challenge's 4th notification",
            Given.push().notified(CHALLENGE, 3, T + 1).state(),
            notify(CHALLENGE),
            no,
            60309,
            "rejected-60309",
            null),
        new Row(
            "60309: a challenge's 3rd notification",
            Given.push().notified(CHALLENGE, 2, T + 1).state(),
            notify(CHALLENGE),
            ok,
            0,
            "notification-requested",
            null),
        new Row(
            "60309 counts per challenge",
            Given.push().notified(OTHER_CHALLENGE, 3, T + 1).state(),
            notify(CHALLENGE),
            ok,
            0,
            "notification-requested",
            null),
        new Row(
            "60309: a count past its deadline is forgotten",
            Given.push().notified(CHALLENGE, 3, T).state(),
            notify(CHALLENGE),
            ok,
            0,
            "notification-requested",
            null));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rules")
  void shouldDecideEveryChallengeRuleAsTheTableSays(Row row) {
    EntityDecision d = decider.decide(row.state(), row.command(), T);

    assertThat(d.reply().getStatus()).as("status").isEqualTo(row.status());
    assertThat(d.reply().getCode()).as("code").isEqualTo(row.code());
    assertThat(d.outcome()).as("outcome").isEqualTo(row.outcome());
    List<VerificationAttempted> attempts = attempts(d);
    if (row.attempt() == null) {
      assertThat(attempts).as("attempts").isEmpty();
    } else {
      assertThat(attempts)
          .singleElement()
          .returns(row.attempt(), VerificationAttempted::getOutcome);
    }
    if (row.status() != CommandStatus.ACCEPTED) {
      assertThat(d.factors()).as("a refusal or replay changes nothing").isEmpty();
      assertThat(d.events()).isEmpty();
    }
  }

  @Test
  void shouldRefuseOnAChallengeTheStepThatVerifiedTheFactor() {
    EntityState state = Given.totp().unverified().state();
    UpdateFactor verify =
        UpdateFactor.newBuilder()
            .setRequestId("RQ-verify")
            .setIssuedAt(Instant.EPOCH)
            .setServiceSid(SERVICE)
            .setIdentity(IDENTITY)
            .setFactorSid(FACTOR)
            .setChanges(FactorChanges.newBuilder().build())
            .setVerification(
                FactorVerification.newBuilder()
                    .setAttemptId("AT-factor")
                    .setMatchedStepStarts(List.of(STEP))
                    .setPushProofValid(false)
                    .build())
            .build();
    EntityDecision verified = decider.decide(state, verify, T);
    assertThat(verified.outcome()).isEqualTo("factor-verified");

    EntityDecision onChallenge =
        decider.decide(after(state, verified), code(CHALLENGE, "AT-1", STEP), T + 1_000);

    assertThat(attempts(onChallenge))
        .singleElement()
        .returns(AttemptOutcome.WRONG_CODE, VerificationAttempted::getOutcome);
  }

  @Test
  void shouldRefuseOnASecondChallengeTheStepAcceptedOnTheFirst() {
    EntityState state = Given.totp().state();
    EntityDecision first = decider.decide(state, code(CHALLENGE, "AT-1", STEP), T);
    EntityDecision second =
        decider.decide(after(state, first), code(OTHER_CHALLENGE, "AT-2", STEP), T + 1_000);

    assertThat(attempts(first))
        .singleElement()
        .returns(AttemptOutcome.APPROVED, VerificationAttempted::getOutcome);
    assertThat(attempts(second))
        .singleElement()
        .returns(AttemptOutcome.WRONG_CODE, VerificationAttempted::getOutcome);
    assertThat(second.factors().get(FACTOR).getLastAcceptedStepStart()).isEqualTo(STEP);
  }

  @Test
  void shouldAnswerARetriedAttemptAsTheFirstTime() {
    EntityState state = Given.totp().state();
    EntityDecision first = decider.decide(state, code(CHALLENGE, "AT-1", STEP), T);
    EntityDecision retry =
        decider.decide(after(state, first), code(CHALLENGE, "AT-1", STEP), T + 2_000);

    assertThat(retry.outcome()).isEqualTo("attempt-repeated");
    assertThat(attempts(retry))
        .singleElement()
        .returns(AttemptOutcome.APPROVED, VerificationAttempted::getOutcome);
  }

  private static ReleaseTotpStep release(String attemptId, int code) {
    return ReleaseTotpStep.newBuilder()
        .setRequestId(attemptId)
        .setIssuedAt(Instant.EPOCH)
        .setServiceSid(SERVICE)
        .setIdentity(IDENTITY)
        .setFactorSid(FACTOR)
        .setChallengeSid(CHALLENGE)
        .setCode(code)
        .build();
  }

  @Test
  void shouldGiveBackTheStepOfAnAttemptTheArbiterRefusedForAnAnsweredChallenge() {
    EntityState state = Given.totp().state();
    long before = state.factors().get(FACTOR).getLastAcceptedStepStart();
    EntityState claimed = after(state, decider.decide(state, code(CHALLENGE, "AT-1", STEP), T));

    EntityDecision released = decider.decide(claimed, release("AT-1", 60322), T + 1_000);
    EntityState back = after(claimed, released);
    EntityDecision onAnother = decider.decide(back, code(OTHER_CHALLENGE, "AT-2", STEP), T + 2_000);
    EntityDecision retried = decider.decide(back, code(CHALLENGE, "AT-1", STEP), T + 2_000);

    assertThat(released.outcome()).isEqualTo("step-released");
    assertThat(released.reply()).as("nobody waits for a release").isNull();
    assertThat(released.events()).isEmpty();
    assertThat(back.factors().get(FACTOR).getLastAcceptedStepStart()).isEqualTo(before);
    assertThat(attempts(onAnother))
        .singleElement()
        .returns(AttemptOutcome.APPROVED, VerificationAttempted::getOutcome);
    assertThat(attempts(retried))
        .as("the refused attempt's retry stays the wrong code it turned out to be")
        .singleElement()
        .returns(AttemptOutcome.WRONG_CODE, VerificationAttempted::getOutcome);
  }

  @Test
  void shouldNotGiveBackTheStepOfAnAttemptThatWentOutTwice() {
    EntityState state = Given.totp().state();
    EntityState claimed = after(state, decider.decide(state, code(CHALLENGE, "AT-1", STEP), T));
    EntityState repeated =
        after(claimed, decider.decide(claimed, code(CHALLENGE, "AT-1", STEP), T + 500));

    EntityDecision d = decider.decide(repeated, release("AT-1", 60322), T + 1_000);

    assertThat(d.outcome())
        .as("the refusal may answer the repeat of the approving attempt")
        .isEqualTo("release-ignored");
    assertThat(d.factors()).isEmpty();
  }

  @Test
  void
      shouldGiveBackTheStepOfAnAttemptRetriedBeforeItsRefusalArrivedWhenNoApprovalCanHideBehindIt() {
    EntityState state = Given.totp().state();
    long before = state.factors().get(FACTOR).getLastAcceptedStepStart();
    EntityState claimed = after(state, decider.decide(state, code(CHALLENGE, "AT-1", STEP), T));
    EntityState repeated =
        after(claimed, decider.decide(claimed, code(CHALLENGE, "AT-1", STEP), T + 500));

    // The challenge had expired: the arbiter refuses the attempt and its repeat alike (60323).
    EntityDecision first = decider.decide(repeated, release("AT-1", 60323), T + 1_000);
    EntityState back = after(repeated, first);
    EntityDecision second = decider.decide(back, release("AT-1", 60323), T + 1_100);
    EntityDecision onAnother =
        decider.decide(after(back, second), code(OTHER_CHALLENGE, "AT-2", STEP), T + 2_000);

    assertThat(first.outcome()).isEqualTo("step-released");
    assertThat(back.factors().get(FACTOR).getLastAcceptedStepStart()).isEqualTo(before);
    assertThat(second.outcome()).as("released once").isEqualTo("release-ignored");
    assertThat(attempts(onAnother))
        .singleElement()
        .returns(AttemptOutcome.APPROVED, VerificationAttempted::getOutcome);
  }

  @Test
  void shouldNotGiveBackAStepOnceALaterOneWasAccepted() {
    EntityState state = Given.totp().state();
    EntityState first = after(state, decider.decide(state, code(CHALLENGE, "AT-1", STEP), T));
    EntityState later =
        after(first, decider.decide(first, code(OTHER_CHALLENGE, "AT-2", STEP + 30), T + 500));

    EntityDecision d = decider.decide(later, release("AT-1", 60323), T + 1_000);

    assertThat(d.outcome()).isEqualTo("release-ignored");
    assertThat(d.factors()).isEmpty();
  }

  @Test
  void shouldIgnoreTheRefusalOfAWrongCodeOrOfAnAttemptItNeverSaw() {
    EntityState state = Given.totp().state();
    EntityState wrong = after(state, decider.decide(state, code(CHALLENGE, "AT-1"), T));

    assertThat(decider.decide(wrong, release("AT-1", 60322), T + 1_000).outcome())
        .isEqualTo("release-ignored");
    assertThat(decider.decide(wrong, release("AT-push", 60322), T + 1_000).factors()).isEmpty();
  }

  @Test
  void shouldKeepOnlyTheLastSixteenAttempts() {
    EntityState state = Given.totp().state();
    for (int i = 0; i < 20; i++) {
      state = after(state, decider.decide(state, code(CHALLENGE, "AT-" + i), T + i));
    }
    assertThat(state.factors().get(FACTOR).getRecentAttempts())
        .hasSize(ChallengeRules.MAX_RECENT_ATTEMPTS)
        .first()
        .returns("AT-4", r -> r.getAttemptId());
  }

  @Test
  void shouldPublishTheChallengeThenItsAttemptAndRememberKeyAndCreation() {
    EntityDecision d =
        decider.decide(
            Given.totp().state(),
            create(EntityDecider.TOTP, "k1", attempt(CHALLENGE, "AT-1", T, STEP)),
            T);

    assertThat(d.events())
        .extracting(EntityDecision.ChallengeEvent::topic)
        .containsExactly(ChallengeTopic.CREATED, ChallengeTopic.RESPONSES);
    assertThat(d.reply().getResourceSid()).isEqualTo(CHALLENGE);
    assertThat(d.entity().getIdempotencyKeys())
        .singleElement()
        .returns("k1", IdempotencyEntry::getKey)
        .returns(CHALLENGE, IdempotencyEntry::getChallengeSid);
    FactorRecord f = d.factors().get(FACTOR);
    assertThat(f.getChallengeCreations()).containsExactly(T);
    assertThat(f.getLastAcceptedStepStart()).isEqualTo(STEP);
    VerificationAttempted a = attempts(d).get(0);
    assertThat(a.getSid()).isEqualTo(CHALLENGE);
    assertThat(a.getAttemptId()).isEqualTo("AT-1");
    assertThat(a.getMac()).as("the task signs it, not the decider").isNull();
  }

  @Test
  void shouldCountANotificationUntilItsChallengesDeadline() {
    EntityDecision d = decider.decide(Given.push().state(), notify(CHALLENGE), T);

    assertThat(d.factors().get(FACTOR).getNotifications())
        .singleElement()
        .returns(1, NotificationCount::getCount)
        .returns(T + 300_000, NotificationCount::getUntil);
    assertThat(d.events())
        .extracting(EntityDecision.ChallengeEvent::topic)
        .containsExactly(ChallengeTopic.NOTIFICATIONS);
  }

  private static List<VerificationAttempted> attempts(EntityDecision d) {
    return d.events().stream()
        .filter(e -> e.topic() == ChallengeTopic.RESPONSES)
        .map(e -> (VerificationAttempted) e.value())
        .toList();
  }

  /** The state after {@code d} was applied to {@code state}. */
  private static EntityState after(EntityState state, EntityDecision d) {
    Map<String, FactorRecord> factors = new LinkedHashMap<>(state.factors());
    d.factors()
        .forEach(
            (sid, next) -> {
              if (next == null) {
                factors.remove(sid);
              } else {
                factors.put(sid, next);
              }
            });
    return new EntityState(d.entityChanged() ? d.entity() : state.entity(), factors);
  }
}
