package io.lapse.service.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.lapse.commands.v1.ChallengeRecord;
import io.lapse.commands.v1.CommandReply;
import io.lapse.commands.v1.CommandStatus;
import io.lapse.commands.v1.CreateChallenge;
import io.lapse.commands.v1.CreateFactor;
import io.lapse.commands.v1.FactorChanges;
import io.lapse.commands.v1.FactorVerification;
import io.lapse.commands.v1.PurgeService;
import io.lapse.commands.v1.RequestNotification;
import io.lapse.commands.v1.SettleChallenge;
import io.lapse.commands.v1.UpdateFactor;
import io.lapse.contract.AttemptMacKeys;
import io.lapse.events.v1.ChallengeApproved;
import io.lapse.events.v1.ChallengeCreated;
import io.lapse.events.v1.ChallengeDenied;
import io.lapse.events.v1.ChallengeExpired;
import io.lapse.events.v1.NotificationRequested;
import io.lapse.events.v1.VerificationFailed;
import io.lapse.serde.MockSchemaRegistry;
import io.lapse.service.support.TestMacKeys;
import io.lapse.state.v1.FactorSnapshot;
import io.lapse.streams.CommitPacer;
import io.lapse.topics.LapseTopics;
import io.lapse.topics.TopicNames;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The entity task's {@code challenge-records} (docs/decisions/0009) on TopologyTestDriver: a create
 * stores the challenge pending in the deciding transaction; the arbiter's outcomes and the
 * expiries, relayed by the outcome relay as {@code SettleChallenge} commands, settle it once;
 * notifications are counted; the record is purged after its retention.
 */
class ChallengeRecordsTopologyTest {
  private static final Instant T0 = Instant.parse("2026-05-01T12:00:00.250Z");
  private static final Duration RETENTION = Duration.ofHours(1);
  private static final String ACCOUNT = "AC" + "1".repeat(32);
  private static final String SERVICE = "VA" + "2".repeat(32);
  private static final String IDENTITY = "user-0001";
  private static final String KEY = SERVICE + "/" + IDENTITY;
  private static final String FACTOR = "YF" + "4".repeat(32);
  private static final String SID = "YC" + "5".repeat(32);
  private static final Instant CREATED_AT = T0.plusSeconds(30);
  private static final Instant DEADLINE = CREATED_AT.plusSeconds(300);

  private final String scope = "challenge-records-" + UUID.randomUUID();
  private final TopicNames names = TopicNames.defaults();
  private final LapseTopics topics =
      LapseTopics.create(names, Map.of("schema.registry.url", "mock://" + scope));
  private final EntityDecisionCounts counts = new EntityDecisionCounts(new SimpleMeterRegistry());
  private final AttemptMacKeys macKeys = TestMacKeys.newKeys();
  private final TopologyTestDriver driver;
  private final TestInputTopic<String, SpecificRecord> commands;
  private final TestInputTopic<String, SpecificRecord> outcomes;
  private final TestInputTopic<String, ChallengeExpired> expired;
  private final KeyValueStore<String, ChallengeRecord> store;
  private final KeyValueStore<Bytes, byte[]> timeIndex;
  private final KeyValueStore<Bytes, byte[]> order;
  private final TestOutputTopic<String, CommandReply> replies;
  private final TestOutputTopic<String, SpecificRecord> deadLetters;

  ChallengeRecordsTopologyTest() {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "challenge-records-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:1");
    props.put(
        StreamsConfig.STATE_DIR_CONFIG,
        Path.of("target", "ttd-state", scope).toAbsolutePath().toString());
    driver =
        new TopologyTestDriver(
            EntityTopology.build(
                topics, counts, macKeys, macKeys, CommitPacer.perThread(1_000), RETENTION),
            props,
            T0);
    commands =
        driver.createInputTopic(
            names.commands(),
            topics.commands().keySerializer(),
            topics.commands().valueSerializer());
    outcomes =
        driver.createInputTopic(
            names.challengeOutcomes(),
            topics.challengeOutcomes().keySerializer(),
            topics.challengeOutcomes().valueSerializer());
    expired =
        driver.createInputTopic(
            names.challengeExpired(),
            topics.challengeExpired().keySerializer(),
            topics.challengeExpired().valueSerializer());
    store = driver.getKeyValueStore(EntityTopology.Names.DEFAULT.challengeStore());
    timeIndex = driver.getKeyValueStore(EntityTopology.Names.DEFAULT.timeIndexStore());
    order = driver.getKeyValueStore(EntityTopology.Names.DEFAULT.orderStore());
    replies =
        driver.createOutputTopic(
            names.replies(),
            topics.replies().keyDeserializer(),
            topics.replies().valueDeserializer());
    deadLetters =
        driver.createOutputTopic(
            TopicNames.deadLetter(names.commands()),
            topics.commands().keyDeserializer(),
            topics.commands().valueDeserializer());
  }

  @AfterEach
  void close() {
    driver.close();
    MockSchemaRegistry.dropScope(scope);
  }

  private ChallengeRecord stored() {
    return store.get(ChallengeRecords.key(SERVICE, IDENTITY, SID));
  }

  /** A verified TOTP factor, then a challenge for it. */
  private ChallengeCreated createChallenge() {
    long step = T0.getEpochSecond() / 30 * 30;
    commands.pipeInput(new TestRecord<>(KEY, createFactor(), T0));
    commands.pipeInput(
        new TestRecord<>(
            KEY,
            UpdateFactor.newBuilder()
                .setRequestId("RQ-2")
                .setIssuedAt(Instant.EPOCH)
                .setServiceSid(SERVICE)
                .setIdentity(IDENTITY)
                .setFactorSid(FACTOR)
                .setChanges(FactorChanges.newBuilder().build())
                .setVerification(
                    FactorVerification.newBuilder()
                        .setAttemptId("AT-factor")
                        .setMatchedStepStarts(List.of(step))
                        .setPushProofValid(false)
                        .build())
                .build(),
            T0));
    ChallengeCreated challenge =
        ChallengeCreated.newBuilder()
            .setSid(SID)
            .setAccountSid(ACCOUNT)
            .setServiceSid(SERVICE)
            .setEntitySid("YE" + "9".repeat(32))
            .setIdentity(IDENTITY)
            .setFactorSid(FACTOR)
            .setFactorType("totp")
            .setCreatedAt(CREATED_AT)
            .setExpirationDate(DEADLINE)
            .setDetailsMessage("Log in?")
            .setDetailsFields(List.of())
            .build();
    commands.pipeInput(
        new TestRecord<>(
            KEY,
            CreateChallenge.newBuilder()
                .setRequestId("RQ-3")
                .setIssuedAt(Instant.EPOCH)
                .setServiceSid(SERVICE)
                .setIdentity(IDENTITY)
                .setChallenge(challenge)
                .build(),
            CREATED_AT));
    return challenge;
  }

  private static CreateFactor createFactor() {
    FactorSnapshot factor =
        FactorSnapshot.newBuilder()
            .setSid(FACTOR)
            .setAccountSid(ACCOUNT)
            .setServiceSid(SERVICE)
            .setEntitySid("")
            .setIdentity(IDENTITY)
            .setFriendlyName("phone")
            .setFactorType("totp")
            .setStatus("unverified")
            .setCreatedAt(Instant.EPOCH)
            .setUpdatedAt(Instant.EPOCH)
            .setTotpSecretCiphertext(ByteBuffer.wrap(new byte[] {1, 2, 3}))
            .setTotpSecretKeyId("k-1")
            .setTotpAlg("sha1")
            .setTotpTimeStep(30)
            .setTotpCodeLength(6)
            .setTotpSkew(1)
            .build();
    return CreateFactor.newBuilder()
        .setRequestId("RQ-1")
        .setIssuedAt(Instant.EPOCH)
        .setServiceSid(SERVICE)
        .setIdentity(IDENTITY)
        .setEntitySid("YE" + "9".repeat(32))
        .setFactor(factor)
        .setBindingDigest(ByteBuffer.wrap(new byte[] {7}))
        .build();
  }

  private static ChallengeApproved approved(String attemptId, Instant decidedAt) {
    return ChallengeApproved.newBuilder()
        .setSid(SID)
        .setServiceSid(SERVICE)
        .setIdentity(IDENTITY)
        .setFactorSid(FACTOR)
        .setAttemptId(attemptId)
        .setRespondedAt(decidedAt.minusMillis(5))
        .setDecidedAt(decidedAt)
        .setMetadata(Map.of("os", "ios"))
        .build();
  }

  private static ChallengeExpired expiry() {
    return ChallengeExpired.newBuilder()
        .setSid(SID)
        .setServiceSid(SERVICE)
        .setIdentity(IDENTITY)
        .setFactorSid(FACTOR)
        .setExpirationDate(DEADLINE)
        .setExpiredAt(DEADLINE.plusMillis(40))
        .build();
  }

  @Test
  void shouldStoreTheCreatedChallengePendingAsSignedInTheDecidingTransaction() {
    ChallengeCreated challenge = createChallenge();

    ChallengeRecord record = stored();
    assertThat(record.getCreated()).isEqualTo(macKeys.sign(challenge));
    assertThat(record.getStatus()).isEqualTo("pending");
    assertThat(record.getUpdatedAt()).isEqualTo(CREATED_AT);
    assertThat(record.getRespondedAt()).isNull();
    assertThat(record.getDecidedAttemptId()).isNull();
    assertThat(record.getNotificationSids()).isEmpty();
    assertThat(timeIndex.approximateNumEntries()).isEqualTo(1);
  }

  @Test
  void shouldApplyAnApprovalOnceAndLetNoLaterOutcomeOrExpiryChangeIt() {
    createChallenge();
    Instant decidedAt = CREATED_AT.plusSeconds(10);

    outcomes.pipeInput(new TestRecord<>(SID, approved("AT-1", decidedAt), decidedAt));
    ChallengeRecord approved = stored();
    outcomes.pipeInput(new TestRecord<>(SID, approved("AT-1", decidedAt), decidedAt));
    outcomes.pipeInput(
        new TestRecord<>(
            SID,
            ChallengeDenied.newBuilder()
                .setSid(SID)
                .setServiceSid(SERVICE)
                .setIdentity(IDENTITY)
                .setFactorSid(FACTOR)
                .setAttemptId("AT-2")
                .setRespondedAt(decidedAt)
                .setDecidedAt(decidedAt.plusSeconds(1))
                .build(),
            decidedAt.plusSeconds(1)));
    expired.pipeInput(new TestRecord<>(SID, expiry(), DEADLINE));

    assertThat(approved.getStatus()).isEqualTo("approved");
    assertThat(approved.getRespondedAt()).isEqualTo(decidedAt.minusMillis(5));
    assertThat(approved.getUpdatedAt()).isEqualTo(decidedAt);
    assertThat(approved.getMetadata()).containsEntry("os", "ios");
    assertThat(approved.getDecidedAttemptId()).isEqualTo("AT-1");
    assertThat(stored()).isEqualTo(approved);
    assertThat(counts.count("challenge-approved")).isEqualTo(1);
    assertThat(counts.count("settle-ignored")).isEqualTo(3);
  }

  @Test
  void shouldApplyADenial() {
    createChallenge();
    Instant decidedAt = CREATED_AT.plusSeconds(3);

    outcomes.pipeInput(
        new TestRecord<>(
            SID,
            ChallengeDenied.newBuilder()
                .setSid(SID)
                .setServiceSid(SERVICE)
                .setIdentity(IDENTITY)
                .setFactorSid(FACTOR)
                .setAttemptId("AT-9")
                .setRespondedAt(decidedAt)
                .setDecidedAt(decidedAt.plusMillis(7))
                .build(),
            decidedAt));

    assertThat(stored().getStatus()).isEqualTo("denied");
    assertThat(stored().getRespondedAt()).isEqualTo(decidedAt);
    assertThat(stored().getUpdatedAt()).isEqualTo(decidedAt.plusMillis(7));
    assertThat(stored().getMetadata()).isNull();
    assertThat(stored().getDecidedAttemptId()).isEqualTo("AT-9");
  }

  @Test
  void shouldApplyAnExpiryOnceAndIgnoreWhatSettlesNothing() {
    createChallenge();

    outcomes.pipeInput(
        new TestRecord<>(
            SID,
            VerificationFailed.newBuilder()
                .setSid(SID)
                .setServiceSid(SERVICE)
                .setIdentity(IDENTITY)
                .setFactorSid(FACTOR)
                .setAttemptId("AT-wrong")
                .setDecidedAt(CREATED_AT.plusSeconds(1))
                .setFailedAttempts(1)
                .build(),
            CREATED_AT.plusSeconds(1)));
    assertThat(stored().getStatus()).isEqualTo("pending");

    expired.pipeInput(new TestRecord<>(SID, expiry(), DEADLINE));
    ChallengeRecord once = stored();
    expired.pipeInput(new TestRecord<>(SID, expiry(), DEADLINE));

    assertThat(once.getStatus()).isEqualTo("expired");
    assertThat(once.getUpdatedAt()).isEqualTo(DEADLINE.plusMillis(40));
    assertThat(once.getRespondedAt()).isNull();
    assertThat(stored()).isEqualTo(once);
    assertThat(counts.count("challenge-expired")).isEqualTo(1);
  }

  @Test
  void shouldLeaveAChallengeItNeverStoredAlone() {
    outcomes.pipeInput(new TestRecord<>(SID, approved("AT-1", T0), T0));
    expired.pipeInput(new TestRecord<>(SID, expiry(), DEADLINE));

    assertThat(stored()).isNull();
    assertThat(counts.count("settle-unknown")).isEqualTo(2);
  }

  @Test
  void shouldCountEachNotificationOnce() {
    createChallenge();

    commands.pipeInput(new TestRecord<>(KEY, notification("RQ-n1", "NT-1"), CREATED_AT));
    commands.pipeInput(new TestRecord<>(KEY, notification("RQ-n2", "NT-2"), CREATED_AT));

    assertThat(stored().getNotificationSids()).containsExactly("NT-1", "NT-2");
    assertThat(stored().getStatus()).isEqualTo("pending");
  }

  private static RequestNotification notification(String requestId, String notificationSid) {
    return RequestNotification.newBuilder()
        .setRequestId(requestId)
        .setIssuedAt(Instant.EPOCH)
        .setServiceSid(SERVICE)
        .setIdentity(IDENTITY)
        .setChallengeDeadline(DEADLINE)
        .setNotification(
            NotificationRequested.newBuilder()
                .setSid(SID)
                .setNotificationSid(notificationSid)
                .setAccountSid(ACCOUNT)
                .setServiceSid(SERVICE)
                .setEntitySid("YE" + "9".repeat(32))
                .setIdentity(IDENTITY)
                .setFactorSid(FACTOR)
                .setRequestedAt(CREATED_AT)
                .setTtlSeconds(300)
                .setNotificationPlatform("apn")
                .setNotificationToken("token")
                .build())
        .build();
  }

  @Test
  void shouldPurgeTheRecordOnlyOnceItsRetentionAfterTheDeadlineHasPassed() {
    createChallenge();
    Duration untilPurge = Duration.between(T0, DEADLINE.plus(RETENTION));

    driver.advanceWallClockTime(untilPurge.minusSeconds(31));
    assertThat(stored()).as("still within its retention").isNotNull();

    driver.advanceWallClockTime(Duration.ofSeconds(62));
    assertThat(stored()).isNull();
    assertThat(timeIndex.approximateNumEntries()).isZero();
  }

  private void purgeService() {
    commands.pipeInput(
        new TestRecord<>(
            SERVICE,
            PurgeService.newBuilder()
                .setRequestId("RQ-del")
                .setIssuedAt(Instant.EPOCH)
                .setServiceSid(SERVICE)
                .build(),
            CREATED_AT.plusSeconds(1)));
  }

  @Test
  void shouldPurgeTheChallengesOfADeletedService() {
    createChallenge();

    purgeService();

    assertThat(stored()).isNull();
  }

  /** The order entries of the test entity, in key order. */
  private List<ChallengeOrder.Entry> orderEntries() {
    List<ChallengeOrder.Entry> entries = new ArrayList<>();
    try (KeyValueIterator<Bytes, byte[]> it = order.all()) {
      it.forEachRemaining(kv -> entries.add(ChallengeOrder.entry(kv.value)));
    }
    return entries;
  }

  private SettleChallenge settlement(ChallengeApproved a) {
    return ChallengeRecords.settle(a);
  }

  @Test
  void shouldIndexTheChallengeInOrderWithItsStatusAndPurgeTheEntryWithTheRecord() {
    createChallenge();
    assertThat(orderEntries())
        .containsExactly(new ChallengeOrder.Entry("pending", DEADLINE, FACTOR));
    assertThat(order.get(Bytes.wrap(ChallengeOrder.key(KEY, CREATED_AT.toEpochMilli(), SID))))
        .isNotNull();

    Instant decidedAt = CREATED_AT.plusSeconds(10);
    outcomes.pipeInput(new TestRecord<>(SID, approved("AT-1", decidedAt), decidedAt));
    assertThat(orderEntries())
        .containsExactly(new ChallengeOrder.Entry("approved", DEADLINE, FACTOR));

    driver.advanceWallClockTime(Duration.between(T0, DEADLINE.plus(RETENTION)).plusSeconds(31));
    assertThat(stored()).isNull();
    assertThat(orderEntries()).isEmpty();
  }

  @Test
  void shouldRemoveTheOrderEntriesOfADeletedService() {
    createChallenge();

    purgeService();

    assertThat(orderEntries()).isEmpty();
  }

  @Test
  void shouldAnswerAnAppliedApprovalOnTheRepliesByItsAttempt() {
    createChallenge();
    replies.readRecordsToList();
    Instant decidedAt = CREATED_AT.plusSeconds(10);

    outcomes.pipeInput(new TestRecord<>(SID, approved("AT-1", decidedAt), decidedAt));
    expired.pipeInput(new TestRecord<>(SID, expiry(), DEADLINE));

    List<CommandReply> answered = replies.readValuesToList();
    assertThat(answered).extracting(CommandReply::getRequestId).containsExactly("settled:AT-1");
    assertThat(answered.get(0).getStatus()).isEqualTo(CommandStatus.ACCEPTED);
    assertThat(stored().getStatus()).isEqualTo("approved");
  }

  @Test
  void shouldAnswerASettlementOfAChallengeItNeverStoredToo() {
    outcomes.pipeInput(new TestRecord<>(SID, approved("AT-1", T0), T0));

    assertThat(replies.readValuesToList())
        .extracting(CommandReply::getRequestId)
        .containsExactly("settled:AT-1");
  }

  static Stream<Arguments> refusedSettlements() {
    AttemptMacKeys other = AttemptMacKeys.of("not-listed", new byte[32]);
    ChallengeApproved a = approved("AT-1", CREATED_AT.plusSeconds(10));
    SettleChallenge plain = ChallengeRecords.settle(a);
    return Stream.of(
        Arguments.of("mac-missing", KEY, (Function<AttemptMacKeys, SettleChallenge>) k -> plain),
        Arguments.of(
            "mac-key-unknown",
            KEY,
            (Function<AttemptMacKeys, SettleChallenge>) k -> other.sign(plain)),
        Arguments.of(
            "mac-invalid",
            KEY,
            (Function<AttemptMacKeys, SettleChallenge>)
                k -> {
                  SettleChallenge signed = k.sign(plain);
                  return SettleChallenge.newBuilder(signed).setStatus("denied").build();
                }),
        Arguments.of(
            "key-not-entity",
            SERVICE + "/someone-else",
            (Function<AttemptMacKeys, SettleChallenge>) k -> k.sign(plain)),
        Arguments.of(
            "malformed",
            KEY,
            (Function<AttemptMacKeys, SettleChallenge>)
                k -> k.sign(SettleChallenge.newBuilder(plain).setStatus("approve").build())),
        Arguments.of(
            "malformed",
            KEY,
            (Function<AttemptMacKeys, SettleChallenge>)
                k -> k.sign(SettleChallenge.newBuilder(plain).setRespondedAt(null).build())),
        Arguments.of(
            "challenge-mismatch",
            KEY,
            (Function<AttemptMacKeys, SettleChallenge>)
                k ->
                    k.sign(
                        SettleChallenge.newBuilder(plain)
                            .setFactorSid("YF" + "7".repeat(32))
                            .build())));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refusedSettlements")
  void shouldRefuseASettlementTheRelayDidNotWriteToTheDeadLetterTopic(
      String reason, String key, Function<AttemptMacKeys, SettleChallenge> make) {
    createChallenge();
    SettleChallenge forged = make.apply(macKeys);

    commands.pipeInput(new TestRecord<>(key, forged, CREATED_AT.plusSeconds(10)));

    assertThat(stored().getStatus()).isEqualTo("pending");
    assertThat(orderEntries()).extracting(ChallengeOrder.Entry::status).containsExactly("pending");
    List<TestRecord<String, SpecificRecord>> dead = deadLetters.readRecordsToList();
    assertThat(dead).hasSize(1);
    assertThat(dead.get(0).value()).isEqualTo(forged);
    assertThat(
            new String(
                dead.get(0).headers().lastHeader("lapse.dlq.reason").value(),
                StandardCharsets.UTF_8))
        .isEqualTo(reason);
    assertThat(dead.get(0).headers().lastHeader("__streams.errors.offset")).isNotNull();
    assertThat(counts.count("settle-refused-" + reason)).isEqualTo(1);
    assertThat(replies.readValuesToList())
        .extracting(CommandReply::getRequestId)
        .as("a refused settlement answers no verification")
        .doesNotContain("settled:AT-1");
  }

  @Test
  void shouldApplyTheRelaysOwnSignedSettlement() {
    createChallenge();
    SettleChallenge signed = macKeys.sign(settlement(approved("AT-1", CREATED_AT.plusSeconds(10))));

    commands.pipeInput(new TestRecord<>(KEY, signed, CREATED_AT.plusSeconds(10)));

    assertThat(stored().getStatus()).isEqualTo("approved");
    assertThat(deadLetters.isEmpty()).isTrue();
  }

  @Test
  void shouldKeepAPushChallengeInAFewHundredBytesOfStore() {
    ChallengeCreated challenge =
        ChallengeCreated.newBuilder()
            .setSid(SID)
            .setAccountSid(ACCOUNT)
            .setServiceSid(SERVICE)
            .setEntitySid("YE" + "9".repeat(32))
            .setIdentity(IDENTITY)
            .setFactorSid(FACTOR)
            .setFactorType("push")
            .setCreatedAt(CREATED_AT)
            .setExpirationDate(DEADLINE)
            .setDetailsMessage("Please approve the login 123456")
            .setDetailsFields(
                List.of(
                    new io.lapse.events.v1.DetailField("Location", "California"),
                    new io.lapse.events.v1.DetailField("Device", "Chrome on macOS")))
            .setDetailsDate(CREATED_AT)
            .build();
    ChallengeRecord record = ChallengeRecords.created(macKeys.sign(challenge));
    String key = ChallengeRecords.key(SERVICE, IDENTITY, SID);

    int value = StoreSerde.challengeRecords().serializer().serialize("t", record).length;
    int keyBytes = key.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    int index = ChallengeRecords.purgeIndexKey(0, key).get().length;

    // The shape ViewHeapBenchmark measured at 533 bytes of heap per challenge in ChallengeView.
    System.out.printf(
        "challenge-records: value %d B, key %d B, entity-time-index key %d B per challenge%n",
        value, keyBytes, index);
    assertThat(value + keyBytes + index).isLessThan(600);
  }
}
