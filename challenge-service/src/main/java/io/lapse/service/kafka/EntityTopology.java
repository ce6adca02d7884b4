package io.lapse.service.kafka;

import io.lapse.contract.AttemptMacKeys;
import io.lapse.service.ServiceConfig;
import io.lapse.streams.CommitPacer;
import io.lapse.topics.LapseTopics;
import io.lapse.topics.TopicNames;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.StreamPartitioner;
import org.apache.kafka.streams.state.Stores;

/**
 * The challenge service's own Streams topology, as a pure function of the typed topics: used by
 * {@link EntityStreams} in every service instance and by TopologyTestDriver tests alike.
 *
 * <pre>
 *                                                   ┌─▶ lapse-services-sink
 *                                                   ├─▶ lapse-commands-purge-sink (all partitions)
 *                                                   ├─▶ lapse-entities-sink
 *                                                   ├─▶ lapse-factors-sink
 *                                                   ├─▶ lapse-factor-events-sink
 * lapse-commands-source ──▶ entity-owner ───────────┼─▶ challenge-created-sink
 *                           (stores: entity-records,├─▶ challenge-responses-sink (signed)
 *                            factor-records,        ├─▶ challenge-notifications-sink
 *                            service-records,       ├─▶ lapse-replies-sink
 *                            challenge-records,     └─▶ lapse-commands-dlq-sink (refused
 *                            challenge-order,            settlements)
 *                            entity-time-index)
 *
 * challenge-outcomes-source ─┬▶ outcome-relay ──▶ lapse-commands-sink (ReleaseTotpStep,
 * challenge-expired-source ──┘                      SettleChallenge signed, by entity)
 * </pre>
 *
 * <p>Every instance runs it with one {@code application.id}, so each partition of {@code
 * lapse-commands}, and with it every entity key that hashes there, has one active task in the
 * group: the entity's single writer (docs/decisions/0008-single-writers-on-the-log.md). Every node,
 * store and (through the stores) changelog is named explicitly, so a renamed class never renames
 * state.
 */
public final class EntityTopology {
  private EntityTopology() {}

  /** The names of the topology's nodes and stores. */
  public record Names(
      String commandsSource,
      String owner,
      String entitiesSink,
      String factorsSink,
      String repliesSink,
      String createdSink,
      String responsesSink,
      String notificationsSink,
      String entityStore,
      String factorStore,
      String outcomesSource,
      String outcomeRelay,
      String commandsSink,
      String serviceStore,
      String servicesSink,
      String purgeSink,
      String factorEventsSink,
      String challengeStore,
      String timeIndexStore,
      String expiredSource,
      String orderStore,
      String commandsDeadLetterSink) {
    public static final Names DEFAULT =
        new Names(
            "lapse-commands-source",
            "entity-owner",
            "lapse-entities-sink",
            "lapse-factors-sink",
            "lapse-replies-sink",
            "challenge-created-sink",
            "challenge-responses-sink",
            "challenge-notifications-sink",
            "entity-records",
            "factor-records",
            "challenge-outcomes-source",
            "outcome-relay",
            "lapse-commands-sink",
            "service-records",
            "lapse-services-sink",
            "lapse-commands-purge-sink",
            "lapse-factor-events-sink",
            "challenge-records",
            "entity-time-index",
            "challenge-expired-source",
            "challenge-order",
            "lapse-commands-dlq-sink");
  }

  /** The topology on the topics of the service's configuration. */
  public static Topology build(ServiceConfig config, EntityDecisionCounts counts) {
    return build(
        config.kafka().topics(),
        counts,
        config.responseMacKeys(),
        config.challengeMacKeys(),
        CommitPacer.perThread(config.serviceCommitRequestQuietGap().toMillis()),
        config.challengeRetention());
  }

  /** The topology with one key set for the attempts and the creates it signs. */
  public static Topology build(
      LapseTopics topics, EntityDecisionCounts counts, AttemptMacKeys macKeys) {
    return build(topics, counts, macKeys, macKeys);
  }

  /**
   * The topology on {@code topics}; the attempts the task writes to {@code challenge-responses} are
   * signed with {@code macKeys} (docs/decisions/0010-attempt-macs.md), the creates it writes to
   * {@code challenge-created} with {@code challengeKeys} (docs/decisions/0020).
   */
  public static Topology build(
      LapseTopics topics,
      EntityDecisionCounts counts,
      AttemptMacKeys macKeys,
      AttemptMacKeys challengeKeys) {
    return build(
        topics,
        counts,
        macKeys,
        challengeKeys,
        CommitPacer.perThread(
            ServiceConfig.SERVICE_COMMIT_REQUEST_QUIET_GAP.defaultValue().toMillis()));
  }

  /**
   * The topology as above; {@code pacer} gives each stream thread's {@link CommitPacer}, which
   * decides which decided commands request their commit at once (decision 0025).
   */
  public static Topology build(
      LapseTopics topics,
      EntityDecisionCounts counts,
      AttemptMacKeys macKeys,
      AttemptMacKeys challengeKeys,
      Supplier<CommitPacer> pacer) {
    return build(
        topics,
        counts,
        macKeys,
        challengeKeys,
        pacer,
        ServiceConfig.CHALLENGE_RETENTION.defaultValue());
  }

  /**
   * The topology as above; a challenge's record is purged {@code retention} after its deadline
   * ({@code LAPSE_CHALLENGE_RETENTION_SECONDS}, as the API's read model forgets it).
   */
  public static Topology build(
      LapseTopics topics,
      EntityDecisionCounts counts,
      AttemptMacKeys macKeys,
      AttemptMacKeys challengeKeys,
      Supplier<CommitPacer> pacer,
      Duration retention) {
    Names n = Names.DEFAULT;
    Topology topology = new Topology();
    topology.addSource(
        n.commandsSource(),
        topics.commands().keyDeserializer(),
        topics.commands().valueDeserializer(),
        topics.commands().name());
    topology.addProcessor(
        n.owner(),
        () -> new EntityOwner(n, counts, macKeys, challengeKeys, pacer, retention),
        n.commandsSource());
    // No caching: a command reads its keys once and writes them once, and the prefix scan of an
    // entity's factors would have to merge a cache with RocksDB.
    topology.addStateStore(
        Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(n.entityStore()),
                Serdes.String(),
                StoreSerde.entityRecords())
            .withCachingDisabled(),
        n.owner());
    topology.addStateStore(
        Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(n.factorStore()),
                Serdes.String(),
                StoreSerde.factorRecords())
            .withCachingDisabled(),
        n.owner());
    topology.addStateStore(
        Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(n.serviceStore()),
                Serdes.String(),
                StoreSerde.serviceRecords())
            .withCachingDisabled(),
        n.owner());
    // The challenges of the task's entities, as the API shows them (docs/decisions/0009), and the
    // time index that purges them after their retention.
    topology.addStateStore(
        Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(n.challengeStore()),
                Serdes.String(),
                StoreSerde.challengeRecords())
            .withCachingDisabled(),
        n.owner());
    // The entity's challenges in (createdAt, SID) order, for lists (ChallengeOrder).
    topology.addStateStore(
        Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(n.orderStore()), Serdes.Bytes(), Serdes.ByteArray())
            .withCachingDisabled(),
        n.owner());
    topology.addStateStore(
        Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(n.timeIndexStore()),
                Serdes.Bytes(),
                Serdes.ByteArray())
            .withCachingDisabled(),
        n.owner());
    topology.addSink(
        n.servicesSink(),
        topics.services().name(),
        topics.services().keySerializer(),
        topics.services().valueSerializer(),
        n.owner());
    // A deleted service's purge goes to every partition: each task holds some of its entities.
    // (The four-argument method is the interface's one abstract method, deprecated in favour of a
    // default that takes headers and calls it.)
    @SuppressWarnings("removal")
    StreamPartitioner<String, SpecificRecord> everyPartition =
        (topic, key, value, partitions) ->
            Optional.of(IntStream.range(0, partitions).boxed().collect(Collectors.toSet()));
    topology.addSink(
        n.purgeSink(),
        topics.commands().name(),
        topics.commands().keySerializer(),
        topics.commands().valueSerializer(),
        everyPartition,
        n.owner());
    topology.addSink(
        n.entitiesSink(),
        topics.entities().name(),
        topics.entities().keySerializer(),
        topics.entities().valueSerializer(),
        n.owner());
    topology.addSink(
        n.factorsSink(),
        topics.factors().name(),
        topics.factors().keySerializer(),
        topics.factors().valueSerializer(),
        n.owner());
    // The factor events webhooks are made of, in the transaction that decided them
    // (docs/decisions/0018-webhooks.md).
    topology.addSink(
        n.factorEventsSink(),
        topics.factorEvents().name(),
        topics.factorEvents().keySerializer(),
        topics.factorEvents().valueSerializer(),
        n.owner());
    topology.addSink(
        n.createdSink(),
        topics.challengeCreated().name(),
        topics.challengeCreated().keySerializer(),
        topics.challengeCreated().valueSerializer(),
        n.owner());
    topology.addSink(
        n.responsesSink(),
        topics.challengeResponses().name(),
        topics.challengeResponses().keySerializer(),
        topics.challengeResponses().valueSerializer(),
        n.owner());
    topology.addSink(
        n.notificationsSink(),
        topics.challengeNotifications().name(),
        topics.challengeNotifications().keySerializer(),
        topics.challengeNotifications().valueSerializer(),
        n.owner());
    topology.addSink(
        n.repliesSink(),
        topics.replies().name(),
        topics.replies().keySerializer(),
        topics.replies().valueSerializer(),
        n.owner());
    // Settlements the task refuses (unsigned, forged, malformed), under the commands' subject so
    // they read back as any command does, with the reason in the headers.
    String commandsTopic = topics.commands().name();
    Serializer<SpecificRecord> commandValues = topics.commands().valueSerializer();
    Serializer<SpecificRecord> asCommand =
        (topic, value) -> commandValues.serialize(commandsTopic, value);
    topology.addSink(
        n.commandsDeadLetterSink(),
        TopicNames.deadLetter(commandsTopic),
        topics.commands().keySerializer(),
        asCommand,
        n.owner());
    // The arbiter's refusals, back to the entity that claimed the step (a subtopology of its own:
    // challenge-outcomes is keyed by challenge SID, the commands by entity).
    topology.addSource(
        n.outcomesSource(),
        topics.challengeOutcomes().keyDeserializer(),
        topics.challengeOutcomes().valueDeserializer(),
        topics.challengeOutcomes().name());
    // The expiries too: with the outcomes they settle the entity task's challenge records.
    topology.addSource(
        n.expiredSource(),
        topics.challengeExpired().keyDeserializer(),
        topics.challengeExpired().valueDeserializer(),
        topics.challengeExpired().name());
    topology.addProcessor(
        n.outcomeRelay(),
        () -> new OutcomeRelay(n.commandsSink(), macKeys, pacer),
        n.outcomesSource(),
        n.expiredSource());
    topology.addSink(
        n.commandsSink(),
        topics.commands().name(),
        topics.commands().keySerializer(),
        topics.commands().valueSerializer(),
        n.outcomeRelay());
    return topology;
  }
}
