package io.lapse.service.kafka;

import io.lapse.commands.v1.ChallengeRecord;
import io.lapse.service.ServiceConfig;
import io.lapse.service.routing.Owner;
import io.lapse.topics.TopicNames;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka Streams client embedded in each challenge-service instance, running {@link
 * EntityTopology}: {@code exactly_once_v2}, one stream thread, the instances of one deployment in
 * one group ({@link ServiceConfig#SERVICE_APPLICATION_ID}), so each entity key has one writer
 * however many instances run.
 *
 * <p>A command that cannot be decoded goes to {@code lapse-commands-dlq} with its reason, and one
 * that meets a registry outage is read again ({@link CommandDeadLetterHandler}): nothing was
 * decided, and its edge answered 503 when its wait ran out, so the client retries.
 */
public final class EntityStreams implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EntityStreams.class);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

  private final KafkaStreams streams;
  private final HostInfo self;
  private final CompletableFuture<Void> running = new CompletableFuture<>();

  private EntityStreams(ServiceConfig config, EntityDecisionCounts counts, HostInfo self) {
    this.self = self;
    Properties p = properties(config);
    p.put(StreamsConfig.APPLICATION_SERVER_CONFIG, self.host() + ":" + self.port());
    this.streams = new KafkaStreams(EntityTopology.build(config, counts), p);
    // A thread that dies of an unexpected exception is replaced; under exactly-once its task
    // resumes from the last commit, so nothing is decided twice.
    streams.setUncaughtExceptionHandler(
        e -> {
          LOG.error("Entity stream thread failed; replacing it", e);
          return StreamThreadExceptionResponse.REPLACE_THREAD;
        });
    streams.setStateListener(
        (next, previous) -> {
          LOG.info("Entity tasks {} -> {}", previous, next);
          if (next == KafkaStreams.State.RUNNING) {
            running.complete(null);
          } else if (next == KafkaStreams.State.ERROR || next == KafkaStreams.State.NOT_RUNNING) {
            running.completeExceptionally(
                new IllegalStateException("the entity tasks stopped (" + next + ")"));
          }
        });
  }

  /**
   * Starts the client; {@link #awaitRunning} waits until it first runs.
   *
   * @param internal where the other instances reach this one's internal listener ({@code
   *     application.server}), bound before this starts
   */
  public static EntityStreams start(
      ServiceConfig config, EntityDecisionCounts counts, HostInfo internal) {
    EntityStreams s = new EntityStreams(config, counts, internal);
    s.streams.start();
    return s;
  }

  /** The Streams properties: the connection's client properties first, then the service's. */
  // PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG is deprecated only because its default
  // becomes true in 5.0; until then, leaving it unset makes Streams warn at every start.
  @SuppressWarnings("deprecation")
  static Properties properties(ServiceConfig config) {
    Properties p = new Properties();
    p.putAll(config.kafka().clientProps());
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, config.serviceApplicationId());
    p.put(StreamsConfig.STATE_DIR_CONFIG, config.serviceStateDir().toString());
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
    p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) config.kafka().replicationFactor());
    // A command after a quiet spell requests its commit at once; commands in a burst share the
    // transaction this interval ends (decision 0025).
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, config.serviceCommitInterval().toMillis());
    p.put(StreamsConfig.POLL_MS_CONFIG, 10);
    p.put(StreamsConfig.TRANSACTIONAL_STATE_STORES_CONFIG, true);
    p.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, true);
    p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
    // The partition assignor builds its own StreamsConfig from the main consumer's properties,
    // and warns again unless the flag reaches it there too.
    p.put(
        StreamsConfig.mainConsumerPrefix(
            StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG),
        true);
    p.put(
        StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
        CommandDeadLetterHandler.class.getName());
    p.put(
        StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG,
        TopicNames.deadLetter(config.kafka().topicNames().commands()));
    p.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 0);
    // A commit soon after the previous one often finds that transaction still completing; the
    // default 100 ms retry backoff would add that to the write.
    p.put(StreamsConfig.producerPrefix(ProducerConfig.RETRY_BACKOFF_MS_CONFIG), 5);
    p.put(
        StreamsConfig.consumerPrefix(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG),
        (int) config.fetchMaxWait().toMillis());
    return p;
  }

  /**
   * Waits until the client first reaches RUNNING (its tasks assigned and their stores restored).
   *
   * @throws IllegalStateException if it stops or does not get there within {@code timeout}
   */
  public void awaitRunning(Duration timeout) {
    try {
      running.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting the entity tasks", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException(
          "the entity tasks did not start within " + timeout + " (state " + state() + ")", e);
    }
  }

  /** Who owns an entity key now, from this client's metadata (docs/decisions/0009). */
  public Owner.Lookup owners() {
    return new StreamsOwners(streams, EntityTopology.Names.DEFAULT.entityStore(), self);
  }

  /**
   * The challenge as this instance's active entity task stores it ({@link ChallengeRecords#local}).
   */
  public Optional<ChallengeRecord> localChallenge(
      String serviceSid, String identity, String challengeSid) {
    return ChallengeRecords.local(streams, serviceSid, identity, challengeSid);
  }

  /**
   * Stops deciding: the tasks keep their partitions and stores (queries still answer) but process
   * nothing until {@link #resume}, as a lagging task would (LoadSheddingIT).
   */
  public void pause() {
    streams.pause();
  }

  /** Decides again after {@link #pause}, from where it stopped. */
  public void resume() {
    streams.resume();
  }

  /**
   * Store {@code name} of the partition that holds {@code entityKey}, only if this instance runs
   * that partition's active task now (never a standby's or a restoring copy: only the running
   * active owner's answer is authoritative, docs/decisions/0009); empty otherwise.
   */
  public <K, V> Optional<ReadOnlyKeyValueStore<K, V>> ownedStore(String name, String entityKey) {
    try {
      KeyQueryMetadata m =
          streams.queryMetadataForKey(
              EntityTopology.Names.DEFAULT.entityStore(), entityKey, Serdes.String().serializer());
      if (m == null || KeyQueryMetadata.NOT_AVAILABLE.equals(m) || !self.equals(m.activeHost())) {
        return Optional.empty();
      }
      return Optional.of(
          streams.store(
              StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.<K, V>keyValueStore())
                  .withPartition(m.partition())));
    } catch (InvalidStateStoreException | IllegalStateException e) {
      return Optional.empty(); // not running, rebalancing away, or restoring
    }
  }

  public KafkaStreams.State state() {
    return streams.state();
  }

  /** True while the client runs or rebalances (commands wait through a rebalance). */
  public boolean healthy() {
    KafkaStreams.State s = streams.state();
    return s == KafkaStreams.State.RUNNING || s == KafkaStreams.State.REBALANCING;
  }

  @Override
  public void close() {
    // Leave the group on a clean stop, so another instance takes the tasks over at once rather
    // than after the session timeout.
    streams.close(
        CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
            .withTimeout(CLOSE_TIMEOUT));
  }
}
