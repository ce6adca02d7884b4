package io.lapse.service.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.lapse.commands.v1.CommandReply;
import io.lapse.commands.v1.CommandStatus;
import io.lapse.commands.v1.CreateChallenge;
import io.lapse.commands.v1.CreateEntity;
import io.lapse.commands.v1.CreateFactor;
import io.lapse.commands.v1.DeleteEntity;
import io.lapse.commands.v1.FactorChanges;
import io.lapse.commands.v1.FactorVerification;
import io.lapse.commands.v1.TotpAttempt;
import io.lapse.commands.v1.UpdateFactor;
import io.lapse.contract.AttemptMacKeys;
import io.lapse.events.v1.AttemptOutcome;
import io.lapse.events.v1.ChallengeCreated;
import io.lapse.events.v1.FactorEvent;
import io.lapse.events.v1.VerificationAttempted;
import io.lapse.serde.MockSchemaRegistry;
import io.lapse.service.support.TestMacKeys;
import io.lapse.state.v1.EntitySnapshot;
import io.lapse.state.v1.FactorSnapshot;
import io.lapse.topics.LapseTopics;
import io.lapse.topics.TopicNames;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The entity task on TopologyTestDriver: commands in, snapshots and replies out, the stores kept
 * between commands, and time taken from the command record.
 */
class EntityTopologyTest {
  private static final Instant T0 = Instant.parse("2026-05-01T12:00:00.250Z");
  private static final String SERVICE = "VA" + "2".repeat(32);
  private static final String IDENTITY = "user-0001";
  private static final String KEY = SERVICE + "/" + IDENTITY;
  private static final String ENTITY = "YE" + "3".repeat(32);
  private static final String FACTOR = "YF" + "4".repeat(32);

  private final String scope = "entity-topology-" + UUID.randomUUID();
  private final TopicNames names = TopicNames.defaults();
  private final LapseTopics topics =
      LapseTopics.create(names, Map.of("schema.registry.url", "mock://" + scope));
  private final EntityDecisionCounts counts = new EntityDecisionCounts(new SimpleMeterRegistry());
  private final AttemptMacKeys macKeys = TestMacKeys.newKeys();
  private final TopologyTestDriver driver;
  private final TestInputTopic<String, SpecificRecord> commands;
  private final TestOutputTopic<String, EntitySnapshot> entities;
  private final TestOutputTopic<String, FactorSnapshot> factors;
  private final TestOutputTopic<String, CommandReply> replies;

  EntityTopologyTest() {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "entity-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:1");
    props.put(
        StreamsConfig.STATE_DIR_CONFIG,
        Path.of("target", "ttd-state", scope).toAbsolutePath().toString());
    driver = new TopologyTestDriver(EntityTopology.build(topics, counts, macKeys), props, T0);
    commands =
        driver.createInputTopic(
            names.commands(),
            topics.commands().keySerializer(),
            topics.commands().valueSerializer());
    entities =
        driver.createOutputTopic(
            names.entities(),
            topics.entities().keyDeserializer(),
            topics.entities().valueDeserializer());
    factors =
        driver.createOutputTopic(
            names.factors(),
            topics.factors().keyDeserializer(),
            topics.factors().valueDeserializer());
    replies =
        driver.createOutputTopic(
            names.replies(),
            topics.replies().keyDeserializer(),
            topics.replies().valueDeserializer());
  }

  @AfterEach
  void close() {
    driver.close();
    MockSchemaRegistry.dropScope(scope);
  }

  private static CreateEntity createEntity(String requestId) {
    return CreateEntity.newBuilder()
        .setRequestId(requestId)
        .setIssuedAt(Instant.EPOCH)
        .setAccountSid("AC" + "1".repeat(32))
        .setServiceSid(SERVICE)
        .setIdentity(IDENTITY)
        .setEntitySid(ENTITY)
        .build();
  }

  private static CreateFactor createFactor(String requestId) {
    FactorSnapshot factor =
        FactorSnapshot.newBuilder()
            .setSid(FACTOR)
            .setAccountSid("AC" + "1".repeat(32))
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
        .setRequestId(requestId)
        .setIssuedAt(Instant.EPOCH)
        .setServiceSid(SERVICE)
        .setIdentity(IDENTITY)
        .setEntitySid("YE" + "9".repeat(32))
        .setFactor(factor)
        .setBindingDigest(ByteBuffer.wrap(new byte[] {7}))
        .build();
  }

  private static DeleteEntity deleteEntity(String requestId) {
    return DeleteEntity.newBuilder()
        .setRequestId(requestId)
        .setIssuedAt(Instant.EPOCH)
        .setServiceSid(SERVICE)
        .setIdentity(IDENTITY)
        .build();
  }

  @Test
  void shouldPublishTheSnapshotAndTheReplyDatedByTheCommandRecord() {
    Instant appended = T0.plusSeconds(42);

    commands.pipeInput(new TestRecord<>(KEY, createEntity("RQ-1"), appended));

    TestRecord<String, EntitySnapshot> entity = entities.readRecord();
    assertThat(entity.key()).isEqualTo(ENTITY);
    assertThat(entity.value().getCreatedAt()).isEqualTo(appended);
    TestRecord<String, CommandReply> reply = replies.readRecord();
    assertThat(reply.key()).isEqualTo(KEY);
    assertThat(reply.value().getRequestId()).isEqualTo("RQ-1");
    assertThat(reply.value().getStatus()).isEqualTo(CommandStatus.ACCEPTED);
    assertThat(reply.value().getEntity()).isEqualTo(entity.value());
    assertThat(counts.count("entity-created")).isEqualTo(1);
  }

  @Test
  void shouldPublishTheChallengeAndItsSignedAttemptInTheDecidingTransaction() {
    long step = T0.getEpochSecond() / 30 * 30;
    commands.pipeInput(new TestRecord<>(KEY, createFactor("RQ-1"), T0));
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
    String sid = "YC" + "5".repeat(32);
    Instant at = T0.plusSeconds(30);
    ChallengeCreated challenge =
        ChallengeCreated.newBuilder()
            .setSid(sid)
            .setAccountSid("AC" + "1".repeat(32))
            .setServiceSid(SERVICE)
            .setEntitySid("YE" + "9".repeat(32))
            .setIdentity(IDENTITY)
            .setFactorSid(FACTOR)
            .setFactorType("totp")
            .setCreatedAt(at)
            .setExpirationDate(at.plusSeconds(300))
            .setDetailsFields(List.of())
            .build();
    CreateChallenge create =
        CreateChallenge.newBuilder()
            .setRequestId("RQ-3")
            .setIssuedAt(Instant.EPOCH)
            .setServiceSid(SERVICE)
            .setIdentity(IDENTITY)
            .setChallenge(challenge)
            .setTotpAttempt(
                TotpAttempt.newBuilder()
                    .setChallengeSid(sid)
                    .setAttemptId("AT-1")
                    .setAttemptAt(at)
                    .setDeadline(at.plusSeconds(300))
                    .setMatchedStepStarts(List.of(step + 30))
                    .build())
            .build();

    commands.pipeInput(new TestRecord<>(KEY, create, at));

    TestOutputTopic<String, ChallengeCreated> created =
        driver.createOutputTopic(
            names.challengeCreated(),
            topics.challengeCreated().keyDeserializer(),
            topics.challengeCreated().valueDeserializer());
    TestOutputTopic<String, VerificationAttempted> responses =
        driver.createOutputTopic(
            names.challengeResponses(),
            topics.challengeResponses().keyDeserializer(),
            topics.challengeResponses().valueDeserializer());
    assertThat(created.readKeyValuesToList())
        .singleElement()
        .satisfies(kv -> assertThat(kv.key).isEqualTo(sid))
        .satisfies(kv -> assertThat(kv.value).isEqualTo(macKeys.sign(challenge)))
        .satisfies(
            kv ->
                assertThat(macKeys.verify(kv.value))
                    .as("signed by the task (docs/decisions/0020)")
                    .isEqualTo(AttemptMacKeys.Verdict.VALID));
    VerificationAttempted attempt = responses.readValue();
    assertThat(attempt.getSid()).isEqualTo(sid);
    assertThat(attempt.getOutcome()).isEqualTo(AttemptOutcome.APPROVED);
    assertThat(macKeys.verify(attempt)).isEqualTo(AttemptMacKeys.Verdict.VALID);
    assertThat(replies.readValuesToList())
        .extracting(CommandReply::getStatus)
        .containsExactly(CommandStatus.ACCEPTED, CommandStatus.ACCEPTED, CommandStatus.ACCEPTED);
    assertThat(counts.count("challenge-created-step-claimed")).isEqualTo(1);
  }

  @Test
  void shouldDeadLetterACommandThatCannotBeDecodedAndDecideTheNextOne() {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "entity-test-dlq");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:1");
    props.put(
        StreamsConfig.STATE_DIR_CONFIG,
        Path.of("target", "ttd-state", scope + "-dlq").toAbsolutePath().toString());
    props.put(
        StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
        CommandDeadLetterHandler.class.getName());
    props.put(
        StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG,
        TopicNames.deadLetter(names.commands()));
    try (TopologyTestDriver dlqDriver =
        new TopologyTestDriver(
            EntityTopology.build(topics, counts, TestMacKeys.newKeys()), props, T0)) {
      var raw =
          dlqDriver.createInputTopic(
              names.commands(),
              new org.apache.kafka.common.serialization.StringSerializer(),
              new org.apache.kafka.common.serialization.ByteArraySerializer());
      var typed =
          dlqDriver.createInputTopic(
              names.commands(),
              topics.commands().keySerializer(),
              topics.commands().valueSerializer());
      var dlq =
          dlqDriver.createOutputTopic(
              TopicNames.deadLetter(names.commands()),
              new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
              new org.apache.kafka.common.serialization.ByteArrayDeserializer());
      var answers =
          dlqDriver.createOutputTopic(
              names.replies(),
              topics.replies().keyDeserializer(),
              topics.replies().valueDeserializer());

      raw.pipeInput(KEY, "not a command".getBytes(java.nio.charset.StandardCharsets.UTF_8));
      typed.pipeInput(new TestRecord<>(KEY, createEntity("RQ-after"), T0));

      var dead = dlq.readRecordsToList();
      assertThat(dead).hasSize(1);
      assertThat(new String(dead.get(0).value(), java.nio.charset.StandardCharsets.UTF_8))
          .isEqualTo("not a command");
      assertThat(dead.get(0).headers().lastHeader("__streams.errors.exception")).isNotNull();
      assertThat(answers.readValuesToList())
          .extracting(CommandReply::getRequestId)
          .containsExactly("RQ-after");
    }
  }

  @Test
  void shouldPublishFactorEventsForCreationVerificationAndDeletionOnly() {
    long step = T0.getEpochSecond() / 30 * 30;
    commands.pipeInput(new TestRecord<>(KEY, createFactor("RQ-1"), T0));
    UpdateFactor.Builder verify =
        UpdateFactor.newBuilder()
            .setRequestId("RQ-2")
            .setIssuedAt(Instant.EPOCH)
            .setServiceSid(SERVICE)
            .setIdentity(IDENTITY)
            .setFactorSid(FACTOR)
            .setChanges(FactorChanges.newBuilder().build())
            .setVerification(
                FactorVerification.newBuilder()
                    .setAttemptId("AT-wrong")
                    .setMatchedStepStarts(List.of())
                    .setPushProofValid(false)
                    .build());
    // A wrong code changes the factor (a failure counted) but is no event.
    commands.pipeInput(new TestRecord<>(KEY, verify.build(), T0.plusSeconds(1)));
    verify
        .setRequestId("RQ-3")
        .setVerification(
            FactorVerification.newBuilder()
                .setAttemptId("AT-right")
                .setMatchedStepStarts(List.of(step))
                .setPushProofValid(false)
                .build());
    commands.pipeInput(new TestRecord<>(KEY, verify.build(), T0.plusSeconds(2)));
    commands.pipeInput(new TestRecord<>(KEY, deleteEntity("RQ-4"), T0.plusSeconds(3)));

    TestOutputTopic<String, FactorEvent> events =
        driver.createOutputTopic(
            names.factorEvents(),
            topics.factorEvents().keyDeserializer(),
            topics.factorEvents().valueDeserializer());
    List<TestRecord<String, FactorEvent>> published = events.readRecordsToList();
    assertThat(published)
        .extracting(r -> r.key(), r -> r.value().getType(), r -> r.value().getOccurredAt())
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(FACTOR, "factor.created", T0),
            org.assertj.core.groups.Tuple.tuple(FACTOR, "factor.verified", T0.plusSeconds(2)),
            org.assertj.core.groups.Tuple.tuple(FACTOR, "factor.deleted", T0.plusSeconds(3)));
    assertThat(published.get(2).value().getIdentity()).isEqualTo(IDENTITY);
    assertThat(published.get(2).value().getServiceSid()).isEqualTo(SERVICE);
  }

  @Test
  void shouldRefuseSecondEntityWithSameIdentityFromItsStore() {
    commands.pipeInput(new TestRecord<>(KEY, createEntity("RQ-1"), T0));
    commands.pipeInput(new TestRecord<>(KEY, createEntity("RQ-2"), T0.plusMillis(1)));

    List<CommandReply> answers = replies.readValuesToList();
    assertThat(answers)
        .extracting(CommandReply::getRequestId, CommandReply::getCode)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("RQ-1", 0),
            org.assertj.core.groups.Tuple.tuple("RQ-2", 60301));
    assertThat(entities.readValuesToList()).hasSize(1);
  }

  @Test
  void shouldWriteTombstonesFactorsFirstWhenAnEntityIsDeleted() {
    commands.pipeInput(new TestRecord<>(KEY, createFactor("RQ-1"), T0));
    commands.pipeInput(new TestRecord<>(KEY, deleteEntity("RQ-2"), T0.plusSeconds(1)));

    assertThat(factors.readKeyValuesToList())
        .extracting(kv -> kv.key, kv -> kv.value == null)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(FACTOR, false),
            org.assertj.core.groups.Tuple.tuple(FACTOR, true));
    assertThat(entities.readKeyValuesToList())
        .extracting(kv -> kv.value == null)
        .containsExactly(false, true);
    assertThat(replies.readValuesToList())
        .extracting(CommandReply::getStatus)
        .containsOnly(CommandStatus.ACCEPTED);
  }

  @Test
  void shouldKeepTheDaysFactorCreationsAcrossADeleteOfTheEntity() {
    commands.pipeInput(new TestRecord<>(KEY, createFactor("RQ-1"), T0));
    commands.pipeInput(new TestRecord<>(KEY, deleteEntity("RQ-2"), T0.plusSeconds(1)));

    var stored =
        driver
            .<String, io.lapse.commands.v1.EntityRecord>getKeyValueStore(
                EntityTopology.Names.DEFAULT.entityStore())
            .get(KEY);

    assertThat(stored.getEntity()).isNull();
    assertThat(stored.getFactorCreations()).containsExactly(T0.toEpochMilli());
    assertThat(
            driver
                .getKeyValueStore(EntityTopology.Names.DEFAULT.factorStore())
                .approximateNumEntries())
        .isZero();
  }
}
