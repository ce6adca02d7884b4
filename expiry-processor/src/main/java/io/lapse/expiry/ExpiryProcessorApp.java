package io.lapse.expiry;

import io.lapse.serde.SchemaRegistries;
import io.lapse.serde.SchemaRegistryClient;
import io.lapse.topics.ContractRegistration;
import io.lapse.topics.KafkaConnection;
import io.lapse.topics.TopicNames;
import io.lapse.topics.TopicProvisioner;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running expiry processor: provisions the topics it reads and writes, runs the Kafka Streams
 * client on {@link ExpiryTopology} (a failed stream thread is replaced by {@link
 * StreamThreadReplacer}), and serves {@code /health} and {@code /metrics}. Used by {@link Main}, by
 * the local launcher (in-process) and by integration tests.
 */
public final class ExpiryProcessorApp implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ExpiryProcessorApp.class);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

  /** Pause before replacing a thread stopped by a registry outage, doubled per failure. */
  private static final Duration REGISTRY_RETRY_FIRST_PAUSE = Duration.ofMillis(500);

  private static final Duration REGISTRY_RETRY_MAX_PAUSE = Duration.ofSeconds(10);

  private final KafkaStreams streams;
  private final PrometheusMeterRegistry registry;
  private final ExpiryMetrics metrics;
  private final KafkaStreamsMetrics streamsMetrics;
  private final HealthServer http;
  private final CompletableFuture<KafkaStreams.State> terminated = new CompletableFuture<>();
  private final StreamThreadReplacer replacer;

  private ExpiryProcessorApp(ExpiryConfig config) {
    LOG.info("Starting expiry processor: {}", config);
    this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    this.metrics = new ExpiryMetrics(registry);
    provisionTopics(config.connection());
    ContractRegistration.atStart(config.connection(), ContractRegistration.DEFAULT_TIMEOUT);
    // Before the real Streams client exists, so the rehearsal never competes with real work and
    // health answers "starting" until it is over.
    new ExpiryWarmUp(config, config.warmUp()).run();
    this.streams =
        new KafkaStreams(ExpiryTopology.build(config, metrics), config.streamsProperties(metrics));
    this.replacer =
        new StreamThreadReplacer(metrics, REGISTRY_RETRY_FIRST_PAUSE, REGISTRY_RETRY_MAX_PAUSE);
    streams.setUncaughtExceptionHandler(replacer);
    streams.setStateListener(
        (next, previous) -> {
          LOG.info("Kafka Streams {} -> {}", previous, next);
          if (next == KafkaStreams.State.REBALANCING) {
            metrics.rebalanced();
          }
          if (next == KafkaStreams.State.NOT_RUNNING || next == KafkaStreams.State.ERROR) {
            terminated.complete(next);
          }
        });
    this.streamsMetrics = new KafkaStreamsMetrics(streams);
    streamsMetrics.bindTo(registry);
    SchemaRegistryClient schemaRegistry = SchemaRegistries.client(config.connection().serdeProps());
    this.http =
        new HealthServer(
            config.httpHost(),
            config.httpPort(),
            streams::state,
            () -> registryBlocks(schemaRegistry, metrics),
            registry::scrape);
    streams.start();
    LOG.info(
        "Expiry processor {} started; health and metrics on http://{}:{}/",
        config.applicationId(),
        config.httpHost(),
        http.port());
  }

  /**
   * True while a registry outage holds up processing: the serdes' registry client has found it
   * unavailable, this processor failed on it since, and no call has been answered since. (The
   * client is shared with any other component of the process on the same registry; a call of theirs
   * that failed does not make this processor unhealthy, and the processor's own failed call is
   * always retried, which clears the state once the registry answers.)
   */
  private static boolean registryBlocks(SchemaRegistryClient client, ExpiryMetrics metrics) {
    Instant fault = metrics.lastRegistryFault();
    return fault != null
        && client.unavailableSince().map(since -> !fault.isBefore(since)).orElse(false);
  }

  /** Provisions topics, starts Streams and the HTTP server; returns at once (Streams starts). */
  public static ExpiryProcessorApp start(ExpiryConfig config) {
    return new ExpiryProcessorApp(config);
  }

  private static void provisionTopics(KafkaConnection connection) {
    TopicNames names = connection.topicNames();
    TopicProvisioner provisioner = new TopicProvisioner(connection);
    try (Admin admin = Admin.create(connection.clientProps())) {
      // Streams' source topics must exist before it starts; the processor also writes the
      // outcome and expired topics. Provisioning all co-partitioned topics keeps them aligned.
      // (TopicProvisioner itself waits until freshly created topics are visible.)
      provisioner.ensureChallengeTopics(admin, names.challengeTopics());
      provisioner.ensureDeadLetterTopics(
          admin, List.of(names.challengeCreated(), names.challengeResponses()));
      // The arbiter bounds an attempt's claimed time by its record's timestamp, which proves
      // nothing unless the broker sets it: no start without that.
      if (!provisioner.ensureResponsesDatedByBroker(admin)) {
        throw new IllegalStateException(
            "Topic "
                + names.challengeResponses()
                + " must have message.timestamp.type="
                + TopicProvisioner.BROKER_TIME
                + " and the processor could not check or set it: set it on the topic, or grant"
                + " the processor DescribeConfigs and AlterConfigs on it");
      }
    }
  }

  /** The health/metrics server's port (useful with port 0). */
  public int httpPort() {
    return http.port();
  }

  public KafkaStreams.State state() {
    return streams.state();
  }

  public ExpiryMetrics metrics() {
    return metrics;
  }

  /** Completes with NOT_RUNNING or ERROR when Streams stops. */
  public CompletableFuture<KafkaStreams.State> terminated() {
    return terminated;
  }

  @Override
  public void close() {
    LOG.info("Stopping the expiry processor");
    replacer.stop();
    // Stop reading Streams' metrics before Streams closes its stores: the metrics binder's thread
    // reads the transactional stores' uncommitted-bytes gauge, which touches the store's native
    // RocksDB write batch; read after the store freed it, it crashed the JVM (SIGSEGV in
    // WriteBatch.getDataSize, seen on a SIGTERM of ./lapse up).
    streamsMetrics.close();
    try {
      // Leave the group on a clean stop: Streams stays in it by default, so a restarted instance
      // would wait out session.timeout.ms (45 s) before it gets its partitions back.
      streams.close(
          CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
              .withTimeout(CLOSE_TIMEOUT));
    } finally {
      http.close();
      registry.close();
    }
  }
}
