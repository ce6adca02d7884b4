package io.lapse.expiry.harness;

import io.lapse.expiry.ExpiryConfig;
import io.lapse.expiry.ExpiryProcessorApp;
import io.lapse.topics.KafkaConnection;
import io.lapse.topics.LapseTopics;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * One isolated expiry-processor deployment on a shared broker and registry: its own topic prefix,
 * application id and state directories, so tests sharing a broker never see each other's records.
 * Builds the environment a processor reads, for an in-process {@link ExpiryProcessorApp} or a child
 * JVM running {@code Main}.
 */
public final class ProcessorFixture {
  private final String bootstrap;
  private final String registryUrl;
  private final String id = UUID.randomUUID().toString().substring(0, 8);
  private final int partitions;
  private final Map<String, String> extra = new HashMap<>();

  public ProcessorFixture(String bootstrap, String registryUrl, int partitions) {
    this.bootstrap = bootstrap;
    this.registryUrl = registryUrl;
    this.partitions = partitions;
  }

  /**
   * Adds a variable to every instance's environment (e.g. {@code LAPSE_REPLICATION_FACTOR=3} on a
   * cluster); returns this fixture.
   */
  public ProcessorFixture with(String variable, String value) {
    extra.put(variable, value);
    return this;
  }

  /** The prefix of every topic name of this deployment. */
  public String topicPrefix() {
    return "it-" + id + "-";
  }

  public String bootstrap() {
    return bootstrap;
  }

  /** The Streams application id, which is also the consumer group of its input topics. */
  public String applicationId() {
    return "it-expiry-" + id;
  }

  /**
   * The environment of instance {@code instance} (each instance gets its own state directory, all
   * share the application id and topics).
   */
  public Map<String, String> env(String instance) {
    Map<String, String> env = new HashMap<>();
    env.put("KAFKA_BOOTSTRAP_SERVERS", bootstrap);
    env.put("SCHEMA_REGISTRY_URL", registryUrl);
    env.put("LAPSE_PARTITIONS", String.valueOf(partitions));
    env.put("LAPSE_TOPIC_PREFIX", topicPrefix());
    env.put("LAPSE_EXPIRY_APPLICATION_ID", applicationId());
    env.put("LAPSE_EXPIRY_HTTP_PORT", "0");
    // Tests start many processors: no warm-up rehearsal (ExpiryWarmUpIT covers it).
    env.put("LAPSE_EXPIRY_WARM_UP_MS", "0");
    env.put("LAPSE_RESPONSE_MAC_KEYS", TestKeys.MAC_KEYS_ENV);
    env.put(
        "LAPSE_STATE_DIR", Path.of("target", "it-state", id, instance).toAbsolutePath().toString());
    // A member that died (kill -9) is noticed after the session timeout: keep it at the broker's
    // minimum so a restarted or surviving instance takes over within seconds.
    env.put("STREAMS_PROPERTY_SESSION_TIMEOUT_MS", "6000");
    env.put("STREAMS_PROPERTY_HEARTBEAT_INTERVAL_MS", "1000");
    env.putAll(extra);
    return env;
  }

  public ExpiryConfig config(String instance) {
    return ExpiryConfig.fromEnv(env(instance));
  }

  public KafkaConnection connection() {
    return config("topics").connection();
  }

  public LapseTopics topics() {
    return connection().topics();
  }

  public ExpiryProcessorApp start(String instance) {
    return ExpiryProcessorApp.start(config(instance));
  }
}
