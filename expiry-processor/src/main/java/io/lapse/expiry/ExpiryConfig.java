package io.lapse.expiry;

import io.lapse.config.Config;
import io.lapse.config.ConfigDef;
import io.lapse.config.PropertyPrefix;
import io.lapse.config.Rule;
import io.lapse.config.Setting;
import io.lapse.contract.AttemptMacKeys;
import io.lapse.topics.KafkaConnection;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The expiry processor's configuration, parsed once from the environment (pass {@code
 * System.getenv()} in mains, a map in tests): the shared {@link KafkaConnection}, the topology's
 * {@link ExpirySettings}, and the Streams client's tuning, all declared in {@link #DEFINITION} (the
 * README's configuration tables are generated from it and from {@link KafkaConnection#DEFINITION}).
 *
 * @param connection how the processor reaches Kafka and the registry
 * @param settings the topology's knobs, parsed from {@code values}
 * @param values the processor's own settings; {@link #toString()} shows them with credentials in
 *     pass-through properties masked
 */
public record ExpiryConfig(KafkaConnection connection, ExpirySettings settings, Config values) {
  public static final Setting<String> APPLICATION_ID =
      Setting.string("LAPSE_EXPIRY_APPLICATION_ID")
          .defaultsTo("lapse-expiry-processor")
          .doc(
              "Streams `application.id` (consumer group, transactional ids, internal topic"
                  + " prefix); instances with the same id share the partitions");

  public static final Setting<Path> STATE_DIR =
      Setting.path("LAPSE_STATE_DIR")
          .defaultsTo(Path.of(System.getProperty("user.home"), ".lapse", "state"))
          .whenUnset("`~/.lapse/state`")
          .doc("Streams `state.dir` (RocksDB stores, checkpoints)");

  public static final Setting<String> HTTP_HOST =
      Setting.string("LAPSE_EXPIRY_HTTP_HOST")
          .defaultsTo("127.0.0.1")
          .doc("address of `/health` and `/metrics` (`0.0.0.0` in a container)");

  public static final Setting<Integer> HTTP_PORT =
      Setting.port("LAPSE_EXPIRY_HTTP_PORT")
          .defaultsTo(8091)
          .doc(
              "port of `/health` (200 when RUNNING, else 503) and `/metrics` (Prometheus); 0 picks"
                  + " a free one");

  public static final Setting<Duration> COMMIT_INTERVAL =
      Setting.millis("LAPSE_EXPIRY_COMMIT_INTERVAL_MS")
          .defaultsTo(Duration.ofMillis(20))
          .validate(Rule.notNegative())
          .doc(
              "Streams `commit.interval.ms`: output is visible to `read_committed` readers at"
                  + " commits, so this bounds the lateness of expiries");

  public static final Setting<Duration> WARM_UP =
      Setting.millis("LAPSE_EXPIRY_WARM_UP_MS")
          .defaultsTo(Duration.ofSeconds(6))
          .validate(Rule.notNegative())
          .doc(
              "before taking real partitions, rehearse on private topics for this long (5 000"
                  + " challenges/s), so the first real expiries meet compiled code; 0 turns it"
                  + " off (docs/decisions/0019-cold-start-lateness.md)");

  public static final Setting<Duration> POLL_INTERVAL =
      Setting.millis("LAPSE_EXPIRY_POLL_MS")
          .defaultsTo(Duration.ofMillis(5))
          .validate(Rule.notNegative())
          .doc("Streams `poll.ms`: with idle input, the floor of wall-clock tick granularity");

  public static final Setting<Duration> FETCH_MAX_WAIT =
      Setting.millis("LAPSE_EXPIRY_FETCH_MAX_WAIT_MS")
          .defaultsTo(Duration.ofMillis(500))
          .validate(Rule.positive())
          .doc(
              "consumer `fetch.max.wait.ms`: how long the broker holds a fetch that finds nothing"
                  + " new (a record that arrives meanwhile answers it at once)");

  public static final Setting<Integer> PRODUCER_LINGER_MS =
      Setting.integer("LAPSE_EXPIRY_PRODUCER_LINGER_MS")
          .defaultsTo(0)
          .validate(Rule.atLeast(0))
          .doc("producer `linger.ms` (Streams' own default is 100)");

  // Two threads overlap their waits for transaction commits; see
  // docs/decisions/0007-ticks-and-commits.md.
  public static final Setting<Integer> NUM_STREAM_THREADS =
      Setting.integer("LAPSE_EXPIRY_NUM_STREAM_THREADS")
          .defaultsTo(2)
          .validate(Rule.atLeast(1))
          .doc("Streams `num.stream.threads`");

  public static final Setting<Integer> NUM_STANDBY_REPLICAS =
      Setting.integer("LAPSE_EXPIRY_NUM_STANDBY_REPLICAS")
          .defaultsTo(0)
          .validate(Rule.atLeast(0))
          .doc("Streams `num.standby.replicas` (1 with several instances shortens failover)");

  public static final Setting<String> PROCESSING_GUARANTEE =
      Setting.string("LAPSE_EXPIRY_PROCESSING_GUARANTEE")
          .defaultsTo(StreamsConfig.EXACTLY_ONCE_V2)
          .validate(Rule.oneOf(StreamsConfig.EXACTLY_ONCE_V2, StreamsConfig.AT_LEAST_ONCE))
          .doc(
              "Streams `processing.guarantee`; consumers of its output must read"
                  + " `read_committed`");

  public static final Setting<Boolean> TRANSACTIONAL_STATE_STORES =
      Setting.bool("LAPSE_EXPIRY_TRANSACTIONAL_STATE_STORES")
          .defaultsTo(true)
          .doc(
              "Streams `enable.transactional.statestores` (KIP-892): no store wipe and full"
                  + " restore after a crash under exactly-once");

  public static final PropertyPrefix STREAMS_PROPERTIES =
      PropertyPrefix.of(
          "STREAMS_PROPERTY_",
          "any Streams property, applied last, e.g. `STREAMS_PROPERTY_MAX_POLL_RECORDS=500` →"
              + " `max.poll.records`");

  public static final ConfigDef DEFINITION =
      ConfigDef.builder("Expiry processor")
          .add(APPLICATION_ID, STATE_DIR, HTTP_HOST, HTTP_PORT)
          .add(
              ExpirySettings.PUNCTUATION_INTERVAL,
              ExpirySettings.TICK_ALIGNMENT,
              ExpirySettings.TICK_BUDGET,
              ExpirySettings.TICK_MAX_COUNT)
          .add(COMMIT_INTERVAL, ExpirySettings.COMMIT_REQUEST_QUIET_GAP, WARM_UP)
          .add(
              POLL_INTERVAL,
              FETCH_MAX_WAIT,
              PRODUCER_LINGER_MS,
              NUM_STREAM_THREADS,
              NUM_STANDBY_REPLICAS)
          .add(PROCESSING_GUARANTEE, TRANSACTIONAL_STATE_STORES)
          .add(
              ExpirySettings.TERMINAL_RETENTION,
              ExpirySettings.UNKNOWN_GRACE,
              ExpirySettings.MAX_FAILED_ATTEMPTS)
          .add(
              AttemptMacKeys.SETTING,
              AttemptMacKeys.CHALLENGE_SETTING,
              ExpirySettings.ATTEMPT_MAC,
              ExpirySettings.ATTEMPT_CLOCK_SKEW,
              ExpirySettings.ATTEMPT_MAX_DELAY)
          .add(STREAMS_PROPERTIES)
          .build();

  public ExpiryConfig {
    if (values.definition() != DEFINITION) {
      throw new IllegalArgumentException("not the expiry processor's settings: " + values);
    }
    // Fails here rather than at the first attempt if the keys are missing.
    values.get(AttemptMacKeys.SETTING);
  }

  /**
   * Parses the environment.
   *
   * @throws io.lapse.config.InvalidConfigException naming each malformed variable
   */
  public static ExpiryConfig fromEnv(Map<String, String> env) {
    Config values = DEFINITION.parse(env);
    return new ExpiryConfig(KafkaConnection.fromEnv(env), ExpirySettings.from(values), values);
  }

  /** The keys that attempts on {@code challenge-responses} must be signed with (any of them). */
  public AttemptMacKeys responseMacKeys() {
    return values.get(AttemptMacKeys.SETTING);
  }

  /**
   * The keys that creates on {@code challenge-created} must be signed with (any of them): {@code
   * LAPSE_CHALLENGE_MAC_KEYS}, else the response keys.
   */
  public AttemptMacKeys challengeMacKeys() {
    return values.find(AttemptMacKeys.CHALLENGE_SETTING).orElseGet(this::responseMacKeys);
  }

  public String applicationId() {
    return values.get(APPLICATION_ID);
  }

  public Path stateDir() {
    return values.get(STATE_DIR);
  }

  public String httpHost() {
    return values.get(HTTP_HOST);
  }

  public int httpPort() {
    return values.get(HTTP_PORT);
  }

  public Duration commitInterval() {
    return values.get(COMMIT_INTERVAL);
  }

  public Duration warmUp() {
    return values.get(WARM_UP);
  }

  public Duration pollInterval() {
    return values.get(POLL_INTERVAL);
  }

  public int producerLingerMs() {
    return values.get(PRODUCER_LINGER_MS);
  }

  public int numStandbyReplicas() {
    return values.get(NUM_STANDBY_REPLICAS);
  }

  public int numStreamThreads() {
    return values.get(NUM_STREAM_THREADS);
  }

  public String processingGuarantee() {
    return values.get(PROCESSING_GUARANTEE);
  }

  public boolean transactionalStateStores() {
    return values.get(TRANSACTIONAL_STATE_STORES);
  }

  /** The {@code STREAMS_PROPERTY_*} overrides, as Streams property names. */
  public Map<String, String> streamsOverrides() {
    return values.properties(STREAMS_PROPERTIES);
  }

  /**
   * The Streams properties: connection and pass-through client properties first, then the
   * processor's tuning, then {@code STREAMS_PROPERTY_*} overrides. {@code metrics} reaches the
   * dead-letter handler through the configuration (Streams instantiates handlers by class).
   */
  // PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG is deprecated since 4.3 only because its
  // default becomes true in 5.0; until then, leaving it unset makes Streams warn at every start.
  @SuppressWarnings("deprecation")
  public Properties streamsProperties(ExpiryMetrics metrics) {
    Properties p = new Properties();
    p.putAll(connection.clientProps());
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId());
    p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir().toString());
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, processingGuarantee());
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, commitInterval().toMillis());
    p.put(StreamsConfig.POLL_MS_CONFIG, pollInterval().toMillis());
    p.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, numStandbyReplicas());
    p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, numStreamThreads());
    // Changelog and repartition topics are as durable as the topics the processor writes.
    p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) connection.replicationFactor());
    p.put(
        StreamsConfig.topicPrefix(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG),
        String.valueOf(connection.minInsyncReplicas()));
    // Implied by exactly-once (idempotence); explicit so at_least_once is no less durable.
    p.put(StreamsConfig.producerPrefix(ProducerConfig.ACKS_CONFIG), "all");
    p.put(StreamsConfig.TRANSACTIONAL_STATE_STORES_CONFIG, transactionalStateStores());
    p.put(
        StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
        DeadLetterHandler.class.getName());
    p.put(
        StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandler.class.getName());
    p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
    // The partition assignor builds its own StreamsConfig from the main consumer's properties,
    // and warns again unless the flag reaches it there too.
    p.put(
        StreamsConfig.mainConsumerPrefix(
            StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG),
        true);
    p.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, true);
    p.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), producerLingerMs());
    // With a commit every few tens of milliseconds, the first send of a transaction often finds the
    // previous one still completing (CONCURRENT_TRANSACTIONS); the producer's default 100 ms retry
    // backoff would then stall the stream thread for 100 ms per commit.
    p.put(StreamsConfig.producerPrefix(ProducerConfig.RETRY_BACKOFF_MS_CONFIG), 5);
    p.put(
        StreamsConfig.consumerPrefix(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG),
        (int) values.get(FETCH_MAX_WAIT).toMillis());
    p.put(DeadLetterHandler.METRICS_CONFIG, metrics);
    p.putAll(streamsOverrides());
    return p;
  }

  /** The effective configuration for the start-up log, credentials masked. */
  @Override
  public String toString() {
    return connection + ", " + values;
  }
}
