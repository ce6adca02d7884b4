package io.lapse.service.decision;

import static org.assertj.core.api.Assertions.assertThat;

import io.lapse.commands.v1.AccessTokenUse;
import io.lapse.commands.v1.CommandStatus;
import io.lapse.commands.v1.CreateEntity;
import io.lapse.commands.v1.CreateFactor;
import io.lapse.commands.v1.DeleteEntity;
import io.lapse.commands.v1.DeleteFactor;
import io.lapse.commands.v1.EntityRecord;
import io.lapse.commands.v1.FactorChanges;
import io.lapse.commands.v1.FactorRecord;
import io.lapse.commands.v1.FactorVerification;
import io.lapse.commands.v1.ResealedSecret;
import io.lapse.commands.v1.UpdateFactor;
import io.lapse.events.v1.ChallengeExpired;
import io.lapse.service.decision.EntityDecision.Snapshot;
import io.lapse.service.decision.EntityDecision.SnapshotTopic;
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
 * Every rule of {@link EntityDecider}, one row each (state, command → status, code, outcome), then
 * what accepted decisions write and publish.
 */
class EntityDeciderTest {
  private static final long T = Instant.parse("2026-05-01T12:00:00.250Z").toEpochMilli();
  private static final long DAY = Duration.ofDays(1).toMillis();
  private static final String ACCOUNT = "AC" + "1".repeat(32);
  private static final String SERVICE = "VA" + "2".repeat(32);
  private static final String IDENTITY = "user-0001";
  private static final String ENTITY = "YE" + "3".repeat(32);
  private static final String NEW_ENTITY = "YE" + "9".repeat(32);
  private static final long STEP = 1_777_636_800L; // a time step start, epoch seconds

  private final EntityDecider decider = new EntityDecider();

  // ---- state ------------------------------------------------------------------------------

  private static EntitySnapshot entitySnapshot() {
    Instant created = Instant.ofEpochMilli(T - 60_000);
    return EntitySnapshot.newBuilder()
        .setSid(ENTITY)
        .setAccountSid(ACCOUNT)
        .setServiceSid(SERVICE)
        .setIdentity(IDENTITY)
        .setCreatedAt(created)
        .setUpdatedAt(created)
        .build();
  }

  private static FactorRecord factorRecord(FactorSnapshot f, ByteBuffer digest, long lastStep) {
    return FactorRecord.newBuilder()
        .setFactor(f)
        .setBindingDigest(digest)
        .setLastAcceptedStepStart(lastStep)
        .build();
  }

  private static String factorSid(int n) {
    return String.format("YF%032d", n);
  }

  private static FactorSnapshot factorSnapshot(int n, String type, String status, int failed) {
    Instant created = Instant.ofEpochMilli(T - 30_000);
    FactorSnapshot.Builder b =
        FactorSnapshot.newBuilder()
            .setSid(factorSid(n))
            .setAccountSid(ACCOUNT)
            .setServiceSid(SERVICE)
            .setEntitySid(ENTITY)
            .setIdentity(IDENTITY)
            .setFriendlyName("factor " + n)
            .setFactorType(type)
            .setStatus(status)
            .setCreatedAt(created)
            .setUpdatedAt(created)
            .setFailedVerifications(failed);
    if (EntityDecider.PUSH.equals(type)) {
      b.setBindingAlg("ES256")
          .setBindingPublicKey("key-" + n)
          .setNotificationPlatform("fcm")
          .setNotificationToken("t".repeat(32))
          .setCredentialSid(String.format("CR%032d", n));
    } else {
      b.setTotpAlg("sha1").setTotpTimeStep(30).setTotpSkew(1).setTotpCodeLength(6);
    }
    return b.build();
  }

  private static ByteBuffer digest(int n) {
    return ByteBuffer.wrap(new byte[] {(byte) (n >> 8), (byte) n, 42});
  }

  /** A state builder: an entity with factors and a list of recent creations. */
  private static final class Given {
    private EntitySnapshot entity = entitySnapshot();
    private final List<Long> creations = new ArrayList<>();
    private final Map<String, FactorRecord> factors = new LinkedHashMap<>();

    static Given entity() {
      return new Given();
    }

    static EntityState nothing() {
      return EntityState.empty();
    }

    Given deleted() {
      entity = null;
      return this;
    }

    Given factors(int count, String type) {
      for (int i = 0; i < count; i++) {
        factor(factors.size() + 1, type, EntityDecider.UNVERIFIED, 0, -1);
      }
      return this;
    }

    Given factor(int n, String type, String status, int failed, long lastAcceptedStep) {
      factors.put(
          factorSid(n),
          factorRecord(factorSnapshot(n, type, status, failed), digest(n), lastAcceptedStep));
      return this;
    }

    Given creations(long... times) {
      for (long t : times) {
        creations.add(t);
      }
      return this;
    }

    EntityState state() {
      return new EntityState(new EntityRecord(entity, creations, List.of(), List.of()), factors);
    }
  }

  // ---- commands ---------------------------------------------------------------------------

  private static CreateEntity createEntity() {
    return CreateEntity.newBuilder()
        .setRequestId("RQ-create-entity")
        .setIssuedAt(Instant.EPOCH)
        .setAccountSid(ACCOUNT)
        .setServiceSid(SERVICE)
        .setIdentity(IDENTITY)
        .setEntitySid(NEW_ENTITY)
        .build();
  }

  private static DeleteEntity deleteEntity() {
    return DeleteEntity.newBuilder()
        .setRequestId("RQ-delete-entity")
        .setIssuedAt(Instant.EPOCH)
        .setServiceSid(SERVICE)
        .setIdentity(IDENTITY)
        .build();
  }

  private static CreateFactor createFactor(int n, String type, int digest) {
    FactorSnapshot proposed =
        FactorSnapshot.newBuilder(factorSnapshot(n, type, EntityDecider.UNVERIFIED, 0))
            .setEntitySid("")
            .setCreatedAt(Instant.EPOCH)
            .setUpdatedAt(Instant.EPOCH)
            .build();
    return CreateFactor.newBuilder()
        .setRequestId("RQ-create-factor")
        .setIssuedAt(Instant.EPOCH)
        .setServiceSid(SERVICE)
        .setIdentity(IDENTITY)
        .setEntitySid(NEW_ENTITY)
        .setFactor(proposed)
        .setBindingDigest(digest(digest))
        .build();
  }

  private static UpdateFactor update(int n, FactorChanges changes, FactorVerification v) {
    return UpdateFactor.newBuilder()
        .setRequestId("RQ-update-factor")
        .setIssuedAt(Instant.EPOCH)
        .setServiceSid(SERVICE)
        .setIdentity(IDENTITY)
        .setFactorSid(factorSid(n))
        .setChanges(changes)
        .setVerification(v)
        .build();
  }

  private static FactorChanges noChanges() {
    return FactorChanges.newBuilder().build();
  }

  private static UpdateFactor rename(int n) {
    return update(n, FactorChanges.newBuilder().setFriendlyName("renamed").build(), null);
  }

  private static UpdateFactor totpCode(int n, long... matchedSteps) {
    return update(
        n,
        noChanges(),
        FactorVerification.newBuilder()
            .setAttemptId("AT-1")
            .setMatchedStepStarts(LongStream.of(matchedSteps).boxed().toList())
            .setPushProofValid(false)
            .build());
  }

  private static UpdateFactor pushProof(int n, boolean valid) {
    return update(
        n,
        noChanges(),
        FactorVerification.newBuilder()
            .setAttemptId("AT-2")
            .setMatchedStepStarts(List.of())
            .setPushProofValid(valid)
            .build());
  }

  private static DeleteFactor deleteFactor(int n) {
    return DeleteFactor.newBuilder()
        .setRequestId("RQ-delete-factor")
        .setIssuedAt(Instant.EPOCH)
        .setServiceSid(SERVICE)
        .setIdentity(IDENTITY)
        .setFactorSid(factorSid(n))
        .build();
  }

  private static long[] creationsWithin24h(int count) {
    return LongStream.range(0, count).map(i -> T - DAY + 1 + i).toArray();
  }

  // ---- the table --------------------------------------------------------------------------

  record Row(
      String rule,
      EntityState state,
      SpecificRecord command,
      CommandStatus status,
      int code,
      String outcome) {
    @Override
    public String toString() {
      return rule;
    }
  }

  static List<Row> rules() {
    String push = EntityDecider.PUSH;
    String totp = EntityDecider.TOTP;
    String verified = EntityDecider.VERIFIED;
    String unverified = EntityDecider.UNVERIFIED;
    CommandStatus ok = CommandStatus.ACCEPTED;
    CommandStatus no = CommandStatus.REJECTED;
    return List.of(
        new Row(
            "shouldCreateAnAbsentEntity", Given.nothing(), createEntity(), ok, 0, "entity-created"),
        new Row(
            "shouldRefuseSecondEntityWithSameIdentity",
            Given.entity().state(),
            createEntity(),
            no,
            60301,
            "rejected-60301"),
        new Row(
            "shouldCreateAnEntityAgainAfterItsDelete",
            Given.entity().deleted().creations(T - 1000).state(),
            createEntity(),
            ok,
            0,
            "entity-created"),
        new Row(
            "shouldDeleteAnEntity",
            Given.entity().factors(2, totp).state(),
            deleteEntity(),
            ok,
            0,
            "entity-deleted"),
        new Row(
            "shouldAnswer404DeletingAnAbsentEntity",
            Given.nothing(),
            deleteEntity(),
            no,
            20404,
            "rejected-20404"),
        new Row(
            "shouldAnswer404DeletingADeletedEntity",
            Given.entity().deleted().creations(T - 1000).state(),
            deleteEntity(),
            no,
            20404,
            "rejected-20404"),
        new Row(
            "shouldCreateAFactorWithItsEntity",
            Given.nothing(),
            createFactor(1, totp, 1),
            ok,
            0,
            "factor-created"),
        new Row(
            "shouldRefuseTwentyFirstPushFactor",
            Given.entity().factors(20, push).state(),
            createFactor(21, push, 21),
            no,
            60315,
            "rejected-60315"),
        new Row(
            "shouldAcceptATotpFactorBesideTwentyPushFactors",
            Given.entity().factors(20, push).state(),
            createFactor(21, totp, 21),
            ok,
            0,
            "factor-created"),
        new Row(
            "shouldRefuseHundredFirstTotpFactor",
            Given.entity().factors(100, totp).state(),
            createFactor(101, totp, 101),
            no,
            60315,
            "rejected-60315"),
        new Row(
            "shouldRefuseHundredFirstFactorCreationWithinADay",
            Given.entity().factors(3, totp).creations(creationsWithin24h(100)).state(),
            createFactor(4, totp, 4),
            no,
            60326,
            "rejected-60326"),
        new Row(
            "shouldCountCreationsOfADeletedEntityToo",
            Given.entity().deleted().creations(creationsWithin24h(100)).state(),
            createFactor(4, totp, 4),
            no,
            60326,
            "rejected-60326"),
        new Row(
            "shouldAcceptACreationOnceTheOldestLeftTheDay",
            Given.entity().creations(T - DAY).creations(creationsWithin24h(99)).state(),
            createFactor(1, totp, 1),
            ok,
            0,
            "factor-created"),
        new Row(
            "shouldRefuseTheSameBindingTwice",
            Given.entity().factors(3, push).state(),
            createFactor(4, push, 2),
            no,
            60317,
            "rejected-60317"),
        new Row(
            "shouldNeverRecreateDeletedFactorOnLaterUpdate",
            Given.entity().factors(1, totp).state(),
            rename(2),
            no,
            20404,
            "rejected-20404"),
        new Row(
            "shouldAnswer404UpdatingAFactorOfAnAbsentEntity",
            Given.nothing(),
            rename(1),
            no,
            20404,
            "rejected-20404"),
        new Row(
            "shouldUpdateAFactor",
            Given.entity().factors(1, totp).state(),
            rename(1),
            ok,
            0,
            "factor-updated"),
        new Row(
            "shouldChangeAPushFactorsPlatform",
            Given.entity().factor(1, push, verified, 0, -1).state(),
            update(1, FactorChanges.newBuilder().setNotificationPlatform("apn").build(), null),
            ok,
            0,
            "factor-updated"),
        new Row(
            "shouldDeleteAFactor",
            Given.entity().factors(2, push).state(),
            deleteFactor(2),
            ok,
            0,
            "factor-deleted"),
        new Row(
            "shouldAnswer404DeletingAnAbsentFactor",
            Given.entity().factors(1, push).state(),
            deleteFactor(2),
            no,
            20404,
            "rejected-20404"),
        new Row(
            "shouldVerifyTotpWithAStepNeverAccepted",
            Given.entity().factor(1, totp, unverified, 0, -1).state(),
            totpCode(1, STEP),
            ok,
            0,
            "factor-verified"),
        new Row(
            "shouldAnswerReusedStepAsWrongCode",
            Given.entity().factor(1, totp, unverified, 0, STEP).state(),
            totpCode(1, STEP),
            ok,
            0,
            "reused-step"),
        new Row(
            "shouldAnswerAnEarlierStepAsWrongCode",
            Given.entity().factor(1, totp, unverified, 0, STEP).state(),
            totpCode(1, STEP - 30),
            ok,
            0,
            "reused-step"),
        new Row(
            "shouldAcceptTheLatestOfSeveralMatchedSteps",
            Given.entity().factor(1, totp, unverified, 0, STEP).state(),
            totpCode(1, STEP, STEP + 30),
            ok,
            0,
            "factor-verified"),
        new Row(
            "shouldCountAWrongCode",
            Given.entity().factor(1, totp, unverified, 2, -1).state(),
            totpCode(1),
            ok,
            0,
            "wrong-code"),
        new Row(
            "shouldRefuseSixthFactorVerification",
            Given.entity().factor(1, totp, unverified, 5, -1).state(),
            totpCode(1, STEP),
            no,
            60310,
            "rejected-60310"),
        new Row(
            "shouldRefuseAPushVerificationAfterFiveFailures",
            Given.entity().factor(1, push, unverified, 5, -1).state(),
            pushProof(1, true),
            no,
            60310,
            "rejected-60310"),
        new Row(
            "shouldLeaveAVerifiedFactorVerified",
            Given.entity().factor(1, totp, verified, 0, STEP).state(),
            totpCode(1, STEP + 30),
            ok,
            0,
            "already-verified"),
        new Row(
            "shouldVerifyPushWithAValidProof",
            Given.entity().factor(1, push, unverified, 0, -1).state(),
            pushProof(1, true),
            ok,
            0,
            "factor-verified"),
        new Row(
            "shouldRefuseAndCountAnInvalidPushProof",
            Given.entity().factor(1, push, unverified, 1, -1).state(),
            pushProof(1, false),
            no,
            60311,
            "push-proof-invalid"),
        new Row(
            "shouldRefuseACommandItDoesNotKnow",
            Given.nothing(),
            ChallengeExpired.newBuilder()
                .setSid("YC1")
                .setServiceSid(SERVICE)
                .setIdentity(IDENTITY)
                .setFactorSid("YF1")
                .setExpirationDate(Instant.EPOCH)
                .setExpiredAt(Instant.EPOCH)
                .build(),
            no,
            60306,
            "unknown-command"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rules")
  void shouldDecideEveryRuleAsTheTableSays(Row row) {
    EntityDecision d = decider.decide(row.state(), row.command(), T);

    assertThat(d.reply().getStatus()).isEqualTo(row.status());
    assertThat(d.reply().getCode()).isEqualTo(row.code());
    assertThat(d.outcome()).isEqualTo(row.outcome());
    if (row.status() == CommandStatus.REJECTED && !row.outcome().equals("push-proof-invalid")) {
      assertThat(d.entityChanged()).as("a refusal writes nothing").isFalse();
      assertThat(d.factors()).isEmpty();
      assertThat(d.snapshots()).isEmpty();
      assertThat(d.reply().getReason()).isNotBlank();
    }
  }

  // ---- effects ----------------------------------------------------------------------------

  @Test
  void shouldCreateTheEntityWithTheFactorAtTheRecordTime() {
    EntityDecision d = decider.decide(Given.nothing(), createFactor(1, EntityDecider.TOTP, 1), T);

    FactorSnapshot factor = d.reply().getFactor();
    assertThat(factor.getEntitySid()).isEqualTo(NEW_ENTITY);
    assertThat(factor.getCreatedAt()).isEqualTo(Instant.ofEpochMilli(T));
    assertThat(factor.getUpdatedAt()).isEqualTo(Instant.ofEpochMilli(T));
    assertThat(factor.getStatus()).isEqualTo(EntityDecider.UNVERIFIED);
    assertThat(d.reply().getEntity().getSid()).isEqualTo(NEW_ENTITY);
    assertThat(d.reply().getResourceSid()).isEqualTo(factorSid(1));
    assertThat(d.snapshots())
        .extracting(Snapshot::topic, Snapshot::sid)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(SnapshotTopic.ENTITIES, NEW_ENTITY),
            org.assertj.core.groups.Tuple.tuple(SnapshotTopic.FACTORS, factorSid(1)));
    assertThat(d.entity().getFactorCreations()).containsExactly(T);
    assertThat(d.factors().get(factorSid(1)).getLastAcceptedStepStart()).isEqualTo(-1L);
  }

  // ---- access tokens: one enrolment per token --------------------------------------------

  private static final String TOKEN = "YK" + "7".repeat(32);

  private static CreateFactor enrolWithToken(int n, int digest) {
    return CreateFactor.newBuilder(createFactor(n, EntityDecider.PUSH, digest))
        .setAccessTokenSid(TOKEN)
        .build();
  }

  /** The state the task holds once {@code d} is applied to {@code before}. */
  private static EntityState after(EntityState before, EntityDecision d) {
    Map<String, FactorRecord> factors = new LinkedHashMap<>(before.factors());
    d.factors()
        .forEach(
            (sid, record) -> {
              if (record == null) {
                factors.remove(sid);
              } else {
                factors.put(sid, record);
              }
            });
    return new EntityState(d.entityChanged() ? d.entity() : before.entity(), factors);
  }

  @Test
  void shouldRememberTheAccessTokenThatEnrolledAFactor() {
    EntityDecision d = decider.decide(Given.nothing(), enrolWithToken(1, 1), T);

    assertThat(d.reply().getStatus()).isEqualTo(CommandStatus.ACCEPTED);
    assertThat(d.entity().getAccessTokens())
        .singleElement()
        .returns(TOKEN, AccessTokenUse::getSid)
        .returns(factorSid(1), AccessTokenUse::getFactorSid)
        .returns(T, AccessTokenUse::getUsedAt);
  }

  @Test
  void shouldRefuseASecondEnrolmentWithTheSameAccessToken() {
    EntityState enrolled =
        after(Given.nothing(), decider.decide(Given.nothing(), enrolWithToken(1, 1), T));

    EntityDecision again = decider.decide(enrolled, enrolWithToken(1, 2), T + 1000);

    assertThat(again.reply().getStatus()).isEqualTo(CommandStatus.REJECTED);
    assertThat(again.reply().getCode()).isEqualTo(60313);
    assertThat(again.outcome()).isEqualTo("rejected-60313");
  }

  @Test
  void shouldRefuseTheAccessTokenAgainAfterItsFactorAndEntityWereDeleted() {
    EntityState state =
        after(Given.nothing(), decider.decide(Given.nothing(), enrolWithToken(1, 1), T));
    state = after(state, decider.decide(state, deleteFactor(1), T + 1000));
    state = after(state, decider.decide(state, createFactor(2, EntityDecider.PUSH, 2), T + 2000));
    state = after(state, decider.decide(state, deleteEntity(), T + 3000));

    EntityDecision again = decider.decide(state, enrolWithToken(1, 3), T + 4000);

    assertThat(again.reply().getCode()).isEqualTo(60313);
  }

  @Test
  void shouldForgetAnAccessTokenADayAfterItsEnrolment() {
    EntityState state =
        after(Given.nothing(), decider.decide(Given.nothing(), enrolWithToken(1, 1), T));
    state = after(state, decider.decide(state, deleteFactor(1), T + 1000));

    EntityDecision later = decider.decide(state, createFactor(2, EntityDecider.PUSH, 2), T + DAY);

    assertThat(later.entity().getAccessTokens()).isEmpty();
  }

  @Test
  void shouldNotCountAnEnrolmentWithAccountCredentialsAsATokenUse() {
    EntityDecision d = decider.decide(Given.nothing(), createFactor(1, EntityDecider.PUSH, 1), T);

    assertThat(d.entity().getAccessTokens()).isEmpty();
  }

  @Test
  void shouldPruneCreationsOlderThanADayWhenItAddsOne() {
    EntityState state = Given.entity().creations(T - DAY - 5, T - DAY, T - 10).state();

    EntityDecision d = decider.decide(state, createFactor(1, EntityDecider.PUSH, 1), T);

    assertThat(d.entity().getFactorCreations()).containsExactly(T - 10, T);
    assertThat(d.entity().getEntity().getSid()).isEqualTo(ENTITY);
    assertThat(d.reply().getEntity()).as("the entity existed: not created again").isNull();
  }

  @Test
  void shouldDeleteTheFactorsThenTheEntityAndKeepTheDaysCreations() {
    EntityState state = Given.entity().factors(2, EntityDecider.TOTP).creations(T - 10).state();

    EntityDecision d = decider.decide(state, deleteEntity(), T);

    assertThat(d.snapshots())
        .extracting(Snapshot::topic, Snapshot::sid, Snapshot::value)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(SnapshotTopic.FACTORS, factorSid(1), null),
            org.assertj.core.groups.Tuple.tuple(SnapshotTopic.FACTORS, factorSid(2), null),
            org.assertj.core.groups.Tuple.tuple(SnapshotTopic.ENTITIES, ENTITY, null));
    assertThat(d.factors()).containsOnlyKeys(factorSid(1), factorSid(2)).containsValues(null, null);
    assertThat(d.entityChanged()).isTrue();
    assertThat(d.entity().getEntity()).isNull();
    assertThat(d.entity().getFactorCreations()).containsExactly(T - 10);
  }

  @Test
  void shouldForgetADeletedEntityWithoutRecentCreations() {
    EntityState state = Given.entity().creations(T - DAY - 1).state();

    EntityDecision d = decider.decide(state, deleteEntity(), T);

    assertThat(d.entityChanged()).isTrue();
    assertThat(d.entity()).as("the record is deleted").isNull();
  }

  @Test
  void shouldRememberTheAcceptedStepAndResetTheCount() {
    EntityState state =
        Given.entity().factor(1, EntityDecider.TOTP, EntityDecider.UNVERIFIED, 3, STEP).state();

    EntityDecision d = decider.decide(state, totpCode(1, STEP, STEP + 30), T);

    FactorRecord next = d.factors().get(factorSid(1));
    assertThat(next.getLastAcceptedStepStart()).isEqualTo(STEP + 30);
    assertThat(next.getFactor().getStatus()).isEqualTo(EntityDecider.VERIFIED);
    assertThat(next.getFactor().getFailedVerifications()).isZero();
    assertThat(d.reply().getFactorStatus()).isEqualTo(EntityDecider.VERIFIED);
    assertThat(d.snapshots()).singleElement().returns(next.getFactor(), Snapshot::value);
  }

  @Test
  void shouldCountAReusedStepWithoutMovingTheLastAcceptedStep() {
    EntityState state =
        Given.entity().factor(1, EntityDecider.TOTP, EntityDecider.UNVERIFIED, 1, STEP).state();

    EntityDecision d = decider.decide(state, totpCode(1, STEP), T);

    FactorRecord next = d.factors().get(factorSid(1));
    assertThat(next.getLastAcceptedStepStart()).isEqualTo(STEP);
    assertThat(next.getFactor().getFailedVerifications()).isEqualTo(2);
    assertThat(d.reply().getFactorStatus()).isEqualTo(EntityDecider.UNVERIFIED);
  }

  @Test
  void shouldKeepTheCountOfAnInvalidPushProofThoughItRefusesIt() {
    EntityState state =
        Given.entity().factor(1, EntityDecider.PUSH, EntityDecider.UNVERIFIED, 1, -1).state();

    EntityDecision d = decider.decide(state, pushProof(1, false), T);

    assertThat(d.factors().get(factorSid(1)).getFactor().getFailedVerifications()).isEqualTo(2);
    assertThat(d.snapshots()).hasSize(1);
    assertThat(d.reply().getFactor().getFailedVerifications()).isEqualTo(2);
  }

  @Test
  void shouldRefuseAPushPlatformThatNeedsATokenTheFactorLacks() {
    FactorSnapshot noToken =
        FactorSnapshot.newBuilder(factorSnapshot(1, EntityDecider.PUSH, EntityDecider.VERIFIED, 0))
            .setNotificationPlatform("none")
            .setNotificationToken(null)
            .build();
    EntityState state =
        new EntityState(
            new EntityRecord(entitySnapshot(), List.of(), List.of(), List.of()),
            Map.of(factorSid(1), factorRecord(noToken, digest(1), -1L)));

    EntityDecision d =
        decider.decide(
            state,
            update(1, FactorChanges.newBuilder().setNotificationPlatform("fcm").build(), null),
            T);

    assertThat(d.reply().getCode()).isEqualTo(60300);
    assertThat(d.reply().getReason()).contains("Config.NotificationToken");
    assertThat(d.factors()).isEmpty();
  }

  @Test
  void shouldAnswerARetriedWrongCodeAsTheFirstWithoutCountingItAgain() {
    EntityState state =
        Given.entity().factor(1, EntityDecider.TOTP, EntityDecider.UNVERIFIED, 1, -1).state();
    EntityDecision first = decider.decide(state, totpCode(1), T);

    EntityDecision retry = decider.decide(after(state, first), totpCode(1), T + 1_000);

    assertThat(first.outcome()).isEqualTo("wrong-code");
    assertThat(retry.outcome()).isEqualTo("attempt-repeated");
    assertThat(retry.reply().getStatus()).isEqualTo(CommandStatus.ACCEPTED);
    assertThat(retry.reply().getFactorStatus()).isEqualTo(EntityDecider.UNVERIFIED);
    assertThat(retry.factors().get(factorSid(1)).getFactor().getFailedVerifications())
        .as("counted once")
        .isEqualTo(2);
  }

  @Test
  void shouldAnswerTheRetryOfTheFifthWrongCodeAsThatCodeWasAndRefuseASixth() {
    EntityState state =
        Given.entity().factor(1, EntityDecider.TOTP, EntityDecider.UNVERIFIED, 4, -1).state();
    EntityState fifth = after(state, decider.decide(state, totpCode(1), T));

    EntityDecision retry = decider.decide(fifth, totpCode(1), T + 1_000);
    EntityDecision sixth =
        decider.decide(
            fifth,
            update(
                1,
                noChanges(),
                FactorVerification.newBuilder()
                    .setAttemptId("AT-other")
                    .setMatchedStepStarts(List.of())
                    .setPushProofValid(false)
                    .build()),
            T + 2_000);

    assertThat(retry.reply().getStatus()).isEqualTo(CommandStatus.ACCEPTED);
    assertThat(retry.reply().getFactor().getFailedVerifications()).isEqualTo(5);
    assertThat(sixth.reply().getCode()).isEqualTo(60310);
  }

  @Test
  void shouldAnswerTheRetryOfTheVerifyingCodeVerifiedNotAsAReusedStep() {
    EntityState state =
        Given.entity().factor(1, EntityDecider.TOTP, EntityDecider.UNVERIFIED, 0, -1).state();
    EntityDecision first = decider.decide(state, totpCode(1, STEP), T);

    EntityDecision retry = decider.decide(after(state, first), totpCode(1, STEP), T + 1_000);

    assertThat(first.outcome()).isEqualTo("factor-verified");
    assertThat(retry.outcome()).isNotEqualTo("reused-step");
    assertThat(retry.reply().getStatus()).isEqualTo(CommandStatus.ACCEPTED);
    assertThat(retry.reply().getFactorStatus()).isEqualTo(EntityDecider.VERIFIED);
  }

  @Test
  void shouldRefuseARetriedInvalidPushProofAgainWithoutCountingItAgain() {
    EntityState state =
        Given.entity().factor(1, EntityDecider.PUSH, EntityDecider.UNVERIFIED, 0, -1).state();
    EntityDecision first = decider.decide(state, pushProof(1, false), T);

    EntityDecision retry = decider.decide(after(state, first), pushProof(1, false), T + 1_000);

    assertThat(retry.reply().getCode()).isEqualTo(first.reply().getCode()).isEqualTo(60311);
    assertThat(retry.reply().getFactor().getFailedVerifications()).isEqualTo(1);
  }

  @Test
  void shouldResealASeedWithItsBindingDigestButNoUserVisibleChange() {
    EntityState state =
        Given.entity().factor(1, EntityDecider.TOTP, EntityDecider.VERIFIED, 0, STEP).state();
    ResealedSecret sealed =
        ResealedSecret.newBuilder()
            .setCiphertext(ByteBuffer.wrap(new byte[] {9, 9, 9}))
            .setKeyId("k-new")
            .setBindingDigest(digest(77))
            .build();

    EntityDecision d =
        decider.decide(
            state,
            update(1, FactorChanges.newBuilder().setResealedSecret(sealed).build(), null),
            T);

    FactorRecord next = d.factors().get(factorSid(1));
    FactorSnapshot before = state.factors().get(factorSid(1)).getFactor();
    assertThat(d.outcome()).isEqualTo("factor-resealed");
    assertThat(next.getFactor().getTotpSecretKeyId()).isEqualTo("k-new");
    assertThat(next.getFactor().getTotpSecretCiphertext()).isEqualTo(sealed.getCiphertext());
    assertThat(next.getBindingDigest()).as("60317 under the new key").isEqualTo(digest(77));
    assertThat(next.getFactor().getUpdatedAt()).isEqualTo(before.getUpdatedAt());
    assertThat(next.getLastAcceptedStepStart()).isEqualTo(STEP);
  }

  @Test
  void shouldDecideIdenticallyOnReplay() {
    for (Row row : rules()) {
      assertThat(decider.decide(row.state(), row.command(), T))
          .as(row.rule())
          .isEqualTo(new EntityDecider().decide(row.state(), row.command(), T));
    }
  }
}
