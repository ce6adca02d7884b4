package io.lapse.topics;

import io.lapse.commands.v1.CommandReply;
import io.lapse.commands.v1.CreateChallenge;
import io.lapse.commands.v1.CreateEntity;
import io.lapse.commands.v1.CreateFactor;
import io.lapse.commands.v1.CreateService;
import io.lapse.commands.v1.DeleteEntity;
import io.lapse.commands.v1.DeleteFactor;
import io.lapse.commands.v1.DeleteService;
import io.lapse.commands.v1.PurgeService;
import io.lapse.commands.v1.ReleaseTotpStep;
import io.lapse.commands.v1.RequestNotification;
import io.lapse.commands.v1.SettleChallenge;
import io.lapse.commands.v1.SubmitTotpAttempt;
import io.lapse.commands.v1.UpdateFactor;
import io.lapse.commands.v1.UpdateService;
import io.lapse.events.v1.ChallengeApproved;
import io.lapse.events.v1.ChallengeCreated;
import io.lapse.events.v1.ChallengeDenied;
import io.lapse.events.v1.ChallengeExpired;
import io.lapse.events.v1.FactorEvent;
import io.lapse.events.v1.NotificationRequested;
import io.lapse.events.v1.VerificationAttempted;
import io.lapse.events.v1.VerificationFailed;
import io.lapse.events.v1.VerificationRejected;
import io.lapse.serde.ConfluentAvroSerde;
import io.lapse.serde.SubjectNameStrategy;
import io.lapse.state.v1.EntitySnapshot;
import io.lapse.state.v1.FactorSnapshot;
import io.lapse.state.v1.ServiceSnapshot;
import io.lapse.state.v1.WebhookSnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;

/**
 * Every Lapse topic, typed: keys are plain UTF-8 strings (the resource SID) so any service can
 * produce and co-partition without our serde; values are Confluent-wire-format Avro. Topics with
 * one record type use TopicNameStrategy ({@code challenge-created-value}); {@code
 * challenge-outcomes} and {@code lapse-commands} carry several types and use
 * TopicRecordNameStrategy.
 *
 * <p>Each topic is declared here together with the record types it carries, and {@link #contract()}
 * lists the resulting registry subjects: the serdes and the contract registration ({@link
 * ContractRegistration}) read the same declaration, so they cannot disagree.
 */
public final class LapseTopics {
  private final TopicNames names;
  private final Topic<String, ChallengeCreated> challengeCreated;
  private final Topic<String, VerificationAttempted> challengeResponses;
  private final Topic<String, SpecificRecord> challengeOutcomes;
  private final Topic<String, ChallengeExpired> challengeExpired;
  private final Topic<String, NotificationRequested> challengeNotifications;
  private final Topic<String, ServiceSnapshot> services;
  private final Topic<String, EntitySnapshot> entities;
  private final Topic<String, FactorSnapshot> factors;
  private final Topic<String, SpecificRecord> commands;
  private final Topic<String, CommandReply> replies;
  private final Topic<String, WebhookSnapshot> webhooks;
  private final Topic<String, FactorEvent> factorEvents;
  private final List<ContractSubject> contract = new ArrayList<>();

  private LapseTopics(TopicNames names, Map<String, ?> serdeConfig) {
    this.names = names;
    this.challengeCreated = single(names.challengeCreated(), ChallengeCreated.class, serdeConfig);
    this.challengeResponses =
        single(names.challengeResponses(), VerificationAttempted.class, serdeConfig);
    this.challengeOutcomes =
        multi(
            names.challengeOutcomes(),
            serdeConfig,
            ChallengeApproved.class,
            ChallengeDenied.class,
            VerificationFailed.class,
            VerificationRejected.class);
    this.challengeExpired = single(names.challengeExpired(), ChallengeExpired.class, serdeConfig);
    this.challengeNotifications =
        single(names.challengeNotifications(), NotificationRequested.class, serdeConfig);
    this.services = single(names.services(), ServiceSnapshot.class, serdeConfig);
    this.entities = single(names.entities(), EntitySnapshot.class, serdeConfig);
    this.factors = single(names.factors(), FactorSnapshot.class, serdeConfig);
    this.commands =
        multi(
            names.commands(),
            serdeConfig,
            CreateEntity.class,
            DeleteEntity.class,
            CreateFactor.class,
            UpdateFactor.class,
            DeleteFactor.class,
            CreateChallenge.class,
            SubmitTotpAttempt.class,
            RequestNotification.class,
            ReleaseTotpStep.class,
            SettleChallenge.class,
            CreateService.class,
            UpdateService.class,
            DeleteService.class,
            PurgeService.class);
    this.replies = single(names.replies(), CommandReply.class, serdeConfig);
    this.webhooks = single(names.webhooks(), WebhookSnapshot.class, serdeConfig);
    this.factorEvents = single(names.factorEvents(), FactorEvent.class, serdeConfig);
  }

  /**
   * Typed topics with the given names and serde configuration ({@code schema.registry.url} and the
   * other Confluent serde keys).
   */
  public static LapseTopics create(TopicNames names, Map<String, ?> serdeConfig) {
    return new LapseTopics(names, serdeConfig);
  }

  /** Typed topics with the default names. */
  public static LapseTopics create(Map<String, ?> serdeConfig) {
    return create(TopicNames.defaults(), serdeConfig);
  }

  /** A topic of one record type: subject {@code <topic>-value}. */
  private <V extends SpecificRecord> Topic<String, V> single(
      String name, Class<V> type, Map<String, ?> serdeConfig) {
    declare(name, SubjectNameStrategy.TOPIC, type);
    return new Topic<>(
        name, Serdes.String(), ConfluentAvroSerde.specific(serdeConfig, SubjectNameStrategy.TOPIC));
  }

  /** A topic of several record types: one subject {@code <topic>-<record>} per type. */
  @SafeVarargs
  private Topic<String, SpecificRecord> multi(
      String name, Map<String, ?> serdeConfig, Class<? extends SpecificRecord>... types) {
    for (Class<? extends SpecificRecord> type : types) {
      declare(name, SubjectNameStrategy.TOPIC_RECORD, type);
    }
    return new Topic<>(
        name,
        Serdes.String(),
        ConfluentAvroSerde.specific(serdeConfig, SubjectNameStrategy.TOPIC_RECORD));
  }

  private void declare(
      String topic, SubjectNameStrategy strategy, Class<? extends SpecificRecord> type) {
    contract.add(
        new ContractSubject(topic, strategy, type.getName(), SpecificData.get().getSchema(type)));
  }

  public TopicNames names() {
    return names;
  }

  /**
   * Every value subject Lapse writes or reads, with the schema it writes: one per topic and record
   * type, in topic order. Keys are plain strings and dead-letter topics raw bytes, so neither has a
   * subject.
   */
  public List<ContractSubject> contract() {
    return List.copyOf(contract);
  }

  /** ChallengeCreated, key challenge SID. */
  public Topic<String, ChallengeCreated> challengeCreated() {
    return challengeCreated;
  }

  /** VerificationAttempted, key challenge SID; trusted writers only. */
  public Topic<String, VerificationAttempted> challengeResponses() {
    return challengeResponses;
  }

  /**
   * ChallengeApproved, ChallengeDenied, VerificationFailed, VerificationRejected; key challenge
   * SID; read with read_committed.
   */
  public Topic<String, SpecificRecord> challengeOutcomes() {
    return challengeOutcomes;
  }

  /** ChallengeExpired, key challenge SID; read with read_committed. */
  public Topic<String, ChallengeExpired> challengeExpired() {
    return challengeExpired;
  }

  /** NotificationRequested, key challenge SID. */
  public Topic<String, NotificationRequested> challengeNotifications() {
    return challengeNotifications;
  }

  /** Compacted service snapshots, key service SID. */
  public Topic<String, ServiceSnapshot> services() {
    return services;
  }

  /** Compacted entity snapshots, key entity SID. */
  public Topic<String, EntitySnapshot> entities() {
    return entities;
  }

  /** Compacted factor snapshots, key factor SID. */
  public Topic<String, FactorSnapshot> factors() {
    return factors;
  }

  /**
   * The challenge service's commands ({@code io.lapse.commands.v1}: CreateEntity, DeleteEntity,
   * CreateFactor, UpdateFactor, DeleteFactor, CreateChallenge, SubmitTotpAttempt,
   * RequestNotification), key: the entity key {@code <serviceSid>/<identity>}; LogAppendTime, so
   * the broker dates every command.
   */
  public Topic<String, SpecificRecord> commands() {
    return commands;
  }

  /**
   * CommandReply, key: the command's key; written by the entity tasks, read with read_committed.
   */
  public Topic<String, CommandReply> replies() {
    return replies;
  }

  /**
   * Compacted webhook snapshots, key webhook SID; written by the instance that minted the SID
   * (docs/decisions/0018-webhooks.md).
   */
  public Topic<String, WebhookSnapshot> webhooks() {
    return webhooks;
  }

  /**
   * FactorEvent ({@code factor.created}, {@code factor.verified}, {@code factor.deleted}), key
   * factor SID; written by the entity tasks in the deciding transaction, read with read_committed.
   */
  public Topic<String, FactorEvent> factorEvents() {
    return factorEvents;
  }

  /** The dead-letter topic of an input topic: raw bytes, the reason in headers. */
  public static Topic<byte[], byte[]> deadLetter(String inputTopic) {
    return new Topic<>(TopicNames.deadLetter(inputTopic), Serdes.ByteArray(), Serdes.ByteArray());
  }
}
