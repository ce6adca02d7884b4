package io.lapse.expiry;

import io.lapse.topics.KafkaConnection;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The expiry processor's configuration, parsed once from the environment (pass {@code
 * System.getenv()} in mains, a map in tests). Besides {@link KafkaConnection}'s variables ({@code
 * KAFKA_BOOTSTRAP_SERVERS}, {@code SCHEMA_REGISTRY_URL}, {@code LAPSE_PARTITIONS}, {@code
 * LAPSE_REPLICATION_FACTOR}, {@code LAPSE_TOPIC_PREFIX}, {@code KAFKA_PROPERTY_*}, {@code
 * SCHEMA_REGISTRY_PROPERTY_*}):
 *
 * <table>
 *   <caption>Expiry processor environment variables</caption>
 *   <tr><th>variable</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@code LAPSE_EXPIRY_APPLICATION_ID}</td><td>{@code lapse-expiry-processor}</td>
 *       <td>Streams {@code application.id}: consumer group, transactional ids, internal topic
 *       prefix. Instances with the same id share the partitions.</td></tr>
 *   <tr><td>{@code LAPSE_STATE_DIR}</td><td>{@code ~/.lapse/state}</td>
 *       <td>Streams {@code state.dir} (RocksDB stores, checkpoints).</td></tr>
 *   <tr><td>{@code LAPSE_EXPIRY_HTTP_HOST}</td><td>{@code 127.0.0.1}</td>
 *       <td>Address of the health/metrics server ({@code 0.0.0.0} in a container).</td></tr>
 *   <tr><td>{@code LAPSE_EXPIRY_HTTP_PORT}</td><td>{@code 8091}</td>
 *       <td>Port of {@code /health} and {@code /metrics}; 0 picks a free port.</td></tr>
 *   <tr><td>{@code LAPSE_EXPIRY_PUNCTUATION_INTERVAL_MS}</td><td>{@code 10}</td>
 *       <td>Grid of the wall-clock expiry ticks: a task ticks at the first multiple of this
 *       interval at or after its next due entry (a deadline, a grace end, a purge), so at most
 *       once per interval under load and never while nothing is due.</td></tr>
 *   <tr><td>{@code LAPSE_EXPIRY_TICK_ALIGNMENT}</td><td>{@code grid}</td>
 *       <td>{@code grid}: a task's next tick is the first multiple of the punctuation interval at
 *       or after its next due entry; {@code due}: the due instant itself, no sooner than one
 *       interval after the task's previous tick.</td></tr>
 *   <tr><td>{@code LAPSE_EXPIRY_TICK_BUDGET_MS}</td><td>{@code 40}</td>
 *       <td>Time budget of one tick; the rest resumes on the next tick. Far below
 *       {@code transaction.timeout.ms} (10 s).</td></tr>
 *   <tr><td>{@code LAPSE_EXPIRY_TICK_MAX_COUNT}</td><td>{@code 20000}</td>
 *       <td>Index entries handled per tick at most.</td></tr>
 *   <tr><td>{@code LAPSE_EXPIRY_TERMINAL_RETENTION_MS}</td><td>{@code 3900000} (65 min)</td>
 *       <td>How long past its deadline a settled challenge is remembered (late attempts get
 *       60322/60323, duplicate creates stay idempotent), then purged.</td></tr>
 *   <tr><td>{@code LAPSE_EXPIRY_UNKNOWN_GRACE_MS}</td><td>{@code 10000}</td>
 *       <td>How long an attempt for an unknown challenge waits for its ChallengeCreated before
 *       it is answered 20404. The two come from different topics, and a lagging task can read an
 *       attempt well before the create that preceded it (1 s was measured to be too short after a
 *       restart); the challenge service rejects unknown challenges itself, so a real 20404 from
 *       the processor is rare and may be slow.</td></tr>
 *   <tr><td>{@code LAPSE_EXPIRY_MAX_FAILED_ATTEMPTS}</td><td>{@code 5}</td>
 *       <td>The wrong code that reaches this count is answered 60308 (Twilio: 5).</td></tr>
 *   <tr><td>{@code LAPSE_EXPIRY_COMMIT_INTERVAL_MS}</td><td>{@code 20}</td>
 *       <td>Streams {@code commit.interval.ms}. Under EOS expired events become visible at the
 *       next commit, so this bounds their lateness; a decided attempt requests a commit at once
 *       (see {@code LAPSE_EXPIRY_COMMIT_REQUEST_QUIET_GAP_MS}).
 *       Streams marks a task dirty after every punctuation; a task punctuates only when
 *       something is due, so an idle processor commits nothing.</td></tr>
 *   <tr><td>{@code LAPSE_EXPIRY_COMMIT_REQUEST_QUIET_GAP_MS}</td><td>{@code 5}</td>
 *       <td>A decided attempt requests a commit (its waiting caller gets the answer without
 *       waiting for the commit interval) only if its stream thread had processed no record for
 *       this long before it; records arriving back to back (a burst, a lagging thread) are
 *       committed by the commit interval. 0 requests a commit per decision, which turns a burst
 *       into one transaction per record.</td></tr>
 *   <tr><td>{@code LAPSE_EXPIRY_POLL_MS}</td><td>{@code 5}</td>
 *       <td>Streams {@code poll.ms}: with idle input, the floor of wall-clock tick
 *       granularity.</td></tr>
 *   <tr><td>{@code LAPSE_EXPIRY_PRODUCER_LINGER_MS}</td><td>{@code 0}</td>
 *       <td>Producer {@code linger.ms} (Streams' own default is 100).</td></tr>
 *   <tr><td>{@code LAPSE_EXPIRY_NUM_STANDBY_REPLICAS}</td><td>{@code 0}</td>
 *       <td>Streams {@code num.standby.replicas}; 1 with several instances shortens
 *       failover.</td></tr>
 *   <tr><td>{@code LAPSE_EXPIRY_NUM_STREAM_THREADS}</td><td>{@code 2}</td>
 *       <td>Streams {@code num.stream.threads}. A thread spends most of its time waiting for its
 *       transaction's commit; two threads overlap those waits (measured: twice the ingest rate
 *       of one thread on 2 cores).</td></tr>
 *   <tr><td>{@code LAPSE_EXPIRY_PROCESSING_GUARANTEE}</td><td>{@code exactly_once_v2}</td>
 *       <td>Streams {@code processing.guarantee}; consumers must read with
 *       {@code read_committed}.</td></tr>
 *   <tr><td>{@code LAPSE_EXPIRY_TRANSACTIONAL_STATE_STORES}</td><td>{@code true}</td>
 *       <td>Streams {@code enable.transactional.statestores} (KIP-892): no store wipe and full
 *       restore after a crash under EOS.</td></tr>
 *   <tr><td>{@code STREAMS_PROPERTY_<NAME>}</td><td>none</td>
 *       <td>Any Streams property, applied last: {@code STREAMS_PROPERTY_MAX_POLL_RECORDS=500}
 *       becomes {@code max.poll.records=500} (lower case, underscores become dots).</td></tr>
 * </table>
 */
public record ExpiryConfig(
    KafkaConnection connection,
    String applicationId,
    Path stateDir,
    String httpHost,
    int httpPort,
    ExpirySettings settings,
    Duration commitInterval,
    Duration pollInterval,
    int producerLingerMs,
    int numStandbyReplicas,
    int numStreamThreads,
    String processingGuarantee,
    boolean transactionalStateStores,
    Map<String, String> streamsOverrides) {

  public static final String DEFAULT_APPLICATION_ID = "lapse-expiry-processor";
  public static final int DEFAULT_HTTP_PORT = 8091;

  public ExpiryConfig {
    streamsOverrides = Map.copyOf(streamsOverrides);
    if (httpPort < 0 || httpPort > 65535) {
      throw new IllegalArgumentException("LAPSE_EXPIRY_HTTP_PORT out of range: " + httpPort);
    }
  }

  public static ExpiryConfig fromEnv(Map<String, String> env) {
    ExpirySettings settings =
        new ExpirySettings(
            Duration.ofMillis(longValue(env, "LAPSE_EXPIRY_PUNCTUATION_INTERVAL_MS", 10)),
            Duration.ofMillis(longValue(env, "LAPSE_EXPIRY_TICK_BUDGET_MS", 40)),
            (int) longValue(env, "LAPSE_EXPIRY_TICK_MAX_COUNT", 20_000),
            Duration.ofMillis(
                longValue(
                    env,
                    "LAPSE_EXPIRY_TERMINAL_RETENTION_MS",
                    ExpirySettings.DEFAULT_TERMINAL_RETENTION.toMillis())),
            Duration.ofMillis(
                longValue(
                    env,
                    "LAPSE_EXPIRY_UNKNOWN_GRACE_MS",
                    ExpirySettings.DEFAULT_UNKNOWN_GRACE.toMillis())),
            (int) longValue(env, "LAPSE_EXPIRY_MAX_FAILED_ATTEMPTS", 5),
            Duration.ofMillis(
                longValue(
                    env,
                    "LAPSE_EXPIRY_COMMIT_REQUEST_QUIET_GAP_MS",
                    ExpirySettings.DEFAULT_COMMIT_REQUEST_QUIET_GAP.toMillis())),
            ExpirySettings.tickAlignment(
                env.getOrDefault(
                    "LAPSE_EXPIRY_TICK_ALIGNMENT", ExpirySettings.DEFAULT_TICK_ALIGNMENT.name())));
    Map<String, String> overrides = KafkaConnection.prefixed(env, "STREAMS_PROPERTY_");
    return new ExpiryConfig(
        KafkaConnection.fromEnv(env),
        env.getOrDefault("LAPSE_EXPIRY_APPLICATION_ID", DEFAULT_APPLICATION_ID),
        Path.of(
            env.getOrDefault(
                "LAPSE_STATE_DIR",
                Path.of(System.getProperty("user.home"), ".lapse", "state").toString())),
        env.getOrDefault("LAPSE_EXPIRY_HTTP_HOST", "127.0.0.1"),
        (int) longValue(env, "LAPSE_EXPIRY_HTTP_PORT", DEFAULT_HTTP_PORT),
        settings,
        Duration.ofMillis(longValue(env, "LAPSE_EXPIRY_COMMIT_INTERVAL_MS", 20)),
        Duration.ofMillis(longValue(env, "LAPSE_EXPIRY_POLL_MS", 5)),
        (int) longValue(env, "LAPSE_EXPIRY_PRODUCER_LINGER_MS", 0),
        (int) longValue(env, "LAPSE_EXPIRY_NUM_STANDBY_REPLICAS", 0),
        (int) longValue(env, "LAPSE_EXPIRY_NUM_STREAM_THREADS", 2),
        env.getOrDefault("LAPSE_EXPIRY_PROCESSING_GUARANTEE", StreamsConfig.EXACTLY_ONCE_V2),
        Boolean.parseBoolean(
            env.getOrDefault("LAPSE_EXPIRY_TRANSACTIONAL_STATE_STORES", "true").trim()),
        overrides);
  }

  /** A copy on another connection (tests, the launcher). */
  public ExpiryConfig withConnection(KafkaConnection other) {
    return new ExpiryConfig(
        other,
        applicationId,
        stateDir,
        httpHost,
        httpPort,
        settings,
        commitInterval,
        pollInterval,
        producerLingerMs,
        numStandbyReplicas,
        numStreamThreads,
        processingGuarantee,
        transactionalStateStores,
        streamsOverrides);
  }

  /**
   * The Streams properties: connection and pass-through client properties first, then the
   * processor's tuning, then {@code STREAMS_PROPERTY_*} overrides. {@code metrics} reaches the
   * dead-letter handler through the configuration (Streams instantiates handlers by class).
   */
  public Properties streamsProperties(ExpiryMetrics metrics) {
    Properties p = new Properties();
    p.putAll(connection.clientProps());
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
    p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, processingGuarantee);
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, commitInterval.toMillis());
    p.put(StreamsConfig.POLL_MS_CONFIG, pollInterval.toMillis());
    p.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, numStandbyReplicas);
    p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, numStreamThreads);
    p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) connection.replicationFactor());
    p.put(StreamsConfig.TRANSACTIONAL_STATE_STORES_CONFIG, transactionalStateStores);
    p.put(
        StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
        DeadLetterHandler.class.getName());
    p.put(
        StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandler.class.getName());
    p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
    p.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, true);
    p.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), producerLingerMs);
    // With a commit every few tens of milliseconds, the first send of a transaction often finds the
    // previous one still completing (CONCURRENT_TRANSACTIONS); the producer's default 100 ms retry
    // backoff would then stall the stream thread for 100 ms per commit.
    p.put(StreamsConfig.producerPrefix(ProducerConfig.RETRY_BACKOFF_MS_CONFIG), 5);
    // Fetch what arrived without waiting for a fuller batch: input latency adds to decisions.
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG), 10);
    p.put(DeadLetterHandler.METRICS_CONFIG, metrics);
    p.putAll(streamsOverrides);
    return p;
  }

  private static long longValue(Map<String, String> env, String key, long dflt) {
    String v = env.get(key);
    if (v == null || v.isBlank()) {
      return dflt;
    }
    try {
      return Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " must be an integer, got \"" + v + "\"", e);
    }
  }
}
