package io.lapse.topics;

import io.lapse.commands.v1.CommandReply;
import io.lapse.events.v1.ChallengeCreated;
import io.lapse.events.v1.ChallengeExpired;
import io.lapse.events.v1.NotificationRequested;
import io.lapse.events.v1.VerificationAttempted;
import io.lapse.serde.ConfluentAvroSerde;
import io.lapse.serde.SubjectNameStrategy;
import io.lapse.state.v1.EntitySnapshot;
import io.lapse.state.v1.FactorSnapshot;
import io.lapse.state.v1.ServiceSnapshot;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;

/**
 * Every Lapse topic, typed: keys are plain UTF-8 strings (the resource SID) so any service can
 * produce and co-partition without our serde; values are Confluent-wire-format Avro. Topics with
 * one record type use TopicNameStrategy ({@code challenge-created-value}); {@code
 * challenge-outcomes} and {@code lapse-commands} carry several types and use
 * TopicRecordNameStrategy.
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

  private LapseTopics(TopicNames names, Map<String, ?> serdeConfig) {
    this.names = names;
    this.challengeCreated = single(names.challengeCreated(), serdeConfig);
    this.challengeResponses = single(names.challengeResponses(), serdeConfig);
    this.challengeOutcomes =
        new Topic<>(
            names.challengeOutcomes(),
            Serdes.String(),
            ConfluentAvroSerde.specific(serdeConfig, SubjectNameStrategy.TOPIC_RECORD));
    this.challengeExpired = single(names.challengeExpired(), serdeConfig);
    this.challengeNotifications = single(names.challengeNotifications(), serdeConfig);
    this.services = single(names.services(), serdeConfig);
    this.entities = single(names.entities(), serdeConfig);
    this.factors = single(names.factors(), serdeConfig);
    this.commands =
        new Topic<>(
            names.commands(),
            Serdes.String(),
            ConfluentAvroSerde.specific(serdeConfig, SubjectNameStrategy.TOPIC_RECORD));
    this.replies = single(names.replies(), serdeConfig);
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

  private static <V> Topic<String, V> single(String name, Map<String, ?> serdeConfig) {
    return new Topic<>(
        name, Serdes.String(), ConfluentAvroSerde.specific(serdeConfig, SubjectNameStrategy.TOPIC));
  }

  public TopicNames names() {
    return names;
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
   * CreateFactor, UpdateFactor, DeleteFactor), key: the entity key {@code <serviceSid>/<identity>};
   * LogAppendTime, so the broker dates every command.
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

  /** The dead-letter topic of an input topic: raw bytes, the reason in headers. */
  public static Topic<byte[], byte[]> deadLetter(String inputTopic) {
    return new Topic<>(TopicNames.deadLetter(inputTopic), Serdes.ByteArray(), Serdes.ByteArray());
  }
}
