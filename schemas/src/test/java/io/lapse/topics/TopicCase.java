package io.lapse.topics;

import io.lapse.serde.SampleEvents;
import java.util.List;
import java.util.function.Function;
import org.apache.avro.specific.SpecificRecord;

/**
 * One record type on the typed topic that carries it, with a sample and the subject its schema must
 * be registered under: the topic table of {@code docs/architecture.md} ("Topics"), as test data
 * shared by the unit tests (mock registry) and the integration tests (Apicurio).
 *
 * @param type the record's simple name
 * @param topic picks the typed topic from {@link LapseTopics}
 * @param sample a fully populated record
 * @param subject the expected registry subject with the default topic names
 */
public record TopicCase(
    String type,
    Function<LapseTopics, Topic<String, ?>> topic,
    SpecificRecord sample,
    String subject) {

  /** Writes the sample's value with the topic's serializer. */
  @SuppressWarnings("unchecked")
  public byte[] serialize(LapseTopics topics) {
    Topic<String, Object> t = (Topic<String, Object>) topic.apply(topics);
    return t.valueSerializer().serialize(t.name(), sample);
  }

  /** Reads a value with the topic's deserializer. */
  public Object deserialize(LapseTopics topics, byte[] bytes) {
    Topic<String, ?> t = topic.apply(topics);
    return t.valueDeserializer().deserialize(t.name(), bytes);
  }

  @Override
  public String toString() {
    return type;
  }

  /** Every event, snapshot, command and reply type of Lapse. */
  public static List<TopicCase> all() {
    String outcomes = "challenge-outcomes-io.lapse.events.v1.";
    String commands = "lapse-commands-io.lapse.commands.v1.";
    return List.of(
        new TopicCase(
            "ChallengeCreated",
            LapseTopics::challengeCreated,
            SampleEvents.challengeCreated(),
            "challenge-created-value"),
        new TopicCase(
            "ChallengeCreated (sparse)",
            LapseTopics::challengeCreated,
            SampleEvents.sparseChallengeCreated(),
            "challenge-created-value"),
        new TopicCase(
            "VerificationAttempted",
            LapseTopics::challengeResponses,
            SampleEvents.verificationAttempted(),
            "challenge-responses-value"),
        new TopicCase(
            "ChallengeApproved",
            LapseTopics::challengeOutcomes,
            SampleEvents.challengeApproved(),
            outcomes + "ChallengeApproved"),
        new TopicCase(
            "ChallengeDenied",
            LapseTopics::challengeOutcomes,
            SampleEvents.challengeDenied(),
            outcomes + "ChallengeDenied"),
        new TopicCase(
            "VerificationFailed",
            LapseTopics::challengeOutcomes,
            SampleEvents.verificationFailed(),
            outcomes + "VerificationFailed"),
        new TopicCase(
            "VerificationRejected",
            LapseTopics::challengeOutcomes,
            SampleEvents.verificationRejected(),
            outcomes + "VerificationRejected"),
        new TopicCase(
            "ChallengeExpired",
            LapseTopics::challengeExpired,
            SampleEvents.challengeExpired(),
            "challenge-expired-value"),
        new TopicCase(
            "NotificationRequested",
            LapseTopics::challengeNotifications,
            SampleEvents.notificationRequested(),
            "challenge-notifications-value"),
        new TopicCase(
            "ServiceSnapshot",
            LapseTopics::services,
            SampleEvents.serviceSnapshot(),
            "lapse-services-value"),
        new TopicCase(
            "EntitySnapshot",
            LapseTopics::entities,
            SampleEvents.entitySnapshot(),
            "lapse-entities-value"),
        new TopicCase(
            "FactorSnapshot",
            LapseTopics::factors,
            SampleEvents.factorSnapshot(),
            "lapse-factors-value"),
        new TopicCase(
            "CreateEntity",
            LapseTopics::commands,
            SampleEvents.createEntity(),
            commands + "CreateEntity"),
        new TopicCase(
            "DeleteEntity",
            LapseTopics::commands,
            SampleEvents.deleteEntity(),
            commands + "DeleteEntity"),
        new TopicCase(
            "CreateFactor",
            LapseTopics::commands,
            SampleEvents.createFactor(),
            commands + "CreateFactor"),
        new TopicCase(
            "UpdateFactor",
            LapseTopics::commands,
            SampleEvents.updateFactor(),
            commands + "UpdateFactor"),
        new TopicCase(
            "DeleteFactor",
            LapseTopics::commands,
            SampleEvents.deleteFactor(),
            commands + "DeleteFactor"),
        new TopicCase(
            "CreateChallenge",
            LapseTopics::commands,
            SampleEvents.createChallenge(),
            commands + "CreateChallenge"),
        new TopicCase(
            "SubmitTotpAttempt",
            LapseTopics::commands,
            SampleEvents.submitTotpAttempt(),
            commands + "SubmitTotpAttempt"),
        new TopicCase(
            "RequestNotification",
            LapseTopics::commands,
            SampleEvents.requestNotification(),
            commands + "RequestNotification"),
        new TopicCase(
            "ReleaseTotpStep",
            LapseTopics::commands,
            SampleEvents.releaseTotpStep(),
            commands + "ReleaseTotpStep"),
        new TopicCase(
            "SettleChallenge",
            LapseTopics::commands,
            SampleEvents.settleChallenge(),
            commands + "SettleChallenge"),
        new TopicCase(
            "CreateService",
            LapseTopics::commands,
            SampleEvents.createService(),
            commands + "CreateService"),
        new TopicCase(
            "UpdateService",
            LapseTopics::commands,
            SampleEvents.updateService(),
            commands + "UpdateService"),
        new TopicCase(
            "DeleteService",
            LapseTopics::commands,
            SampleEvents.deleteService(),
            commands + "DeleteService"),
        new TopicCase(
            "PurgeService",
            LapseTopics::commands,
            SampleEvents.purgeService(),
            commands + "PurgeService"),
        new TopicCase(
            "CommandReply",
            LapseTopics::replies,
            SampleEvents.commandReply(),
            "lapse-replies-value"),
        new TopicCase(
            "WebhookSnapshot",
            LapseTopics::webhooks,
            SampleEvents.webhookSnapshot(),
            "lapse-webhooks-value"),
        new TopicCase(
            "FactorEvent",
            LapseTopics::factorEvents,
            SampleEvents.factorEvent(),
            "lapse-factor-events-value"));
  }
}
