package io.lapse.expiry;

import io.lapse.contract.AttemptMacKeys;
import io.lapse.events.v1.ChallengeCreated;
import io.lapse.events.v1.VerificationAttempted;
import io.lapse.expiry.state.ArbiterRecordSerde;
import io.lapse.expiry.trust.AttemptTrust;
import io.lapse.streams.CommitPacer;
import io.lapse.topics.LapseTopics;
import io.lapse.topics.TopicNames;
import java.util.function.Supplier;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * The expiry processor's topology, as a pure function of the typed topics and the settings: used by
 * {@link ExpiryProcessorApp} and by TopologyTestDriver tests alike.
 *
 * <pre>
 * challenge-created-source ──┐                               ┌─▶ challenge-outcomes-sink
 *                            ├─▶ challenge-arbiter ──────────┼─▶ challenge-expired-sink
 * challenge-responses-source ┘   (stores: lapse-challenges,  ├─▶ challenge-responses-dlq-sink
 *                                 lapse-time-index,          └─▶ challenge-created-dlq-sink
 *                                 lapse-expiry-meta)
 * </pre>
 *
 * <p>The dead-letter sinks take the attempts and creates the arbiter does not trust ({@link
 * AttemptTrust}), inside the task's transaction like its decisions; records that cannot be decoded
 * at all reach the same topic through the {@link DeadLetterHandler}.
 *
 * <p>Both inputs feed one processor, so Streams puts them in one sub-topology: their partitions are
 * co-partitioned into the same task, and every event of one challenge is handled on one thread, in
 * order, together with that challenge's timer. Every processor, store and (through the stores)
 * changelog topic is named explicitly, so a renamed class never renames state.
 */
public final class ExpiryTopology {
  private ExpiryTopology() {}

  /** The names of the topology's nodes and stores. */
  public record Names(
      String createdSource,
      String responsesSource,
      String arbiter,
      String outcomesSink,
      String expiredSink,
      String responsesDeadLetterSink,
      String createdDeadLetterSink,
      String challengeStore,
      String indexStore,
      String metaStore) {
    public static final Names DEFAULT =
        new Names(
            "challenge-created-source",
            "challenge-responses-source",
            "challenge-arbiter",
            "challenge-outcomes-sink",
            "challenge-expired-sink",
            "challenge-responses-dlq-sink",
            "challenge-created-dlq-sink",
            "lapse-challenges",
            "lapse-time-index",
            "lapse-expiry-meta");
  }

  public static Topology build(ExpiryConfig config, ExpiryMetrics metrics) {
    return build(
        config.connection().topics(),
        config.settings(),
        config.responseMacKeys(),
        config.challengeMacKeys(),
        metrics);
  }

  /** The topology with one key set for attempts and creates. */
  public static Topology build(
      LapseTopics topics, ExpirySettings settings, AttemptMacKeys macKeys, ExpiryMetrics metrics) {
    return build(topics, settings, macKeys, macKeys, metrics);
  }

  /**
   * The topology; attempts must be signed with {@code macKeys}, creates with {@code challengeKeys}
   * (docs/decisions/0020-signed-challenge-creates.md).
   */
  public static Topology build(
      LapseTopics topics,
      ExpirySettings settings,
      AttemptMacKeys macKeys,
      AttemptMacKeys challengeKeys,
      ExpiryMetrics metrics) {
    Names n = Names.DEFAULT;
    AttemptTrust trust = new AttemptTrust(macKeys, challengeKeys, settings);
    Topology topology = new Topology();
    topology.addSource(
        n.createdSource(),
        topics.challengeCreated().keyDeserializer(),
        new TypedDeserializer<>(
            topics.challengeCreated().valueDeserializer(), ChallengeCreated.class),
        topics.challengeCreated().name());
    topology.addSource(
        n.responsesSource(),
        topics.challengeResponses().keyDeserializer(),
        new TypedDeserializer<>(
            topics.challengeResponses().valueDeserializer(), VerificationAttempted.class),
        topics.challengeResponses().name());
    // One commit pacer per stream thread, shared by the thread's tasks (they share its commits).
    Supplier<CommitPacer> threadPacer =
        CommitPacer.perThread(settings.commitRequestQuietGap().toMillis());
    topology.addProcessor(
        n.arbiter(),
        () ->
            new ChallengeArbiter(
                settings,
                trust,
                metrics,
                n,
                topics.challengeResponses().name(),
                topics.challengeCreated().name(),
                threadPacer),
        n.createdSource(),
        n.responsesSource());
    // No caching on the challenge and index stores: almost every put is a distinct key, so a
    // cache would absorb nothing, and range scans would have to merge it with RocksDB. The meta
    // store is rewritten on every event (pending count, cursors), so its cache turns those puts
    // into one changelog record per commit.
    topology.addStateStore(
        Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(n.challengeStore()),
                Serdes.String(),
                new ArbiterRecordSerde())
            .withCachingDisabled(),
        n.arbiter());
    topology.addStateStore(
        Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(n.indexStore()), Serdes.Bytes(), Serdes.ByteArray())
            .withCachingDisabled(),
        n.arbiter());
    topology.addStateStore(
        Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(n.metaStore()), Serdes.String(), Serdes.Long())
            .withCachingEnabled(),
        n.arbiter());
    topology.addSink(
        n.outcomesSink(),
        topics.challengeOutcomes().name(),
        topics.challengeOutcomes().keySerializer(),
        topics.challengeOutcomes().valueSerializer(),
        n.arbiter());
    topology.addSink(
        n.expiredSink(),
        topics.challengeExpired().name(),
        topics.challengeExpired().keySerializer(),
        topics.challengeExpired().valueSerializer(),
        n.arbiter());
    // Registered under the input topic's subject, so the record reads back as any
    // challenge-responses record does.
    String responses = topics.challengeResponses().name();
    Serializer<VerificationAttempted> attempts = topics.challengeResponses().valueSerializer();
    Serializer<SpecificRecord> asResponse =
        (topic, value) -> attempts.serialize(responses, (VerificationAttempted) value);
    topology.addSink(
        n.responsesDeadLetterSink(),
        TopicNames.deadLetter(responses),
        topics.challengeResponses().keySerializer(),
        asResponse,
        n.arbiter());
    // Creates the arbiter does not trust, likewise under the input topic's subject.
    String created = topics.challengeCreated().name();
    Serializer<ChallengeCreated> creates = topics.challengeCreated().valueSerializer();
    Serializer<SpecificRecord> asCreate =
        (topic, value) -> creates.serialize(created, (ChallengeCreated) value);
    topology.addSink(
        n.createdDeadLetterSink(),
        TopicNames.deadLetter(created),
        topics.challengeCreated().keySerializer(),
        asCreate,
        n.arbiter());
    return topology;
  }
}
