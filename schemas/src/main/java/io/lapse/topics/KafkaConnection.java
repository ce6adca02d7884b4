package io.lapse.topics;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * How a Lapse process reaches Kafka and the schema registry, parsed once from the environment.
 *
 * <ul>
 *   <li>{@code KAFKA_BOOTSTRAP_SERVERS} (default {@code 127.0.0.1:9092})
 *   <li>{@code SCHEMA_REGISTRY_URL} (default Apicurio's ccompat API on {@code 127.0.0.1:8081})
 *   <li>{@code LAPSE_PARTITIONS} for the co-partitioned challenge topics (default 6)
 *   <li>{@code LAPSE_REPLICATION_FACTOR} (default 1)
 *   <li>{@code KAFKA_PROPERTY_<NAME>} passes any client property through, e.g. {@code
 *       KAFKA_PROPERTY_SECURITY_PROTOCOL=SASL_SSL} becomes {@code security.protocol=SASL_SSL}
 *       (underscores become dots); {@code SCHEMA_REGISTRY_PROPERTY_<NAME>} likewise for the serde,
 *       e.g. {@code basic.auth.user.info}
 * </ul>
 */
public record KafkaConnection(
    String bootstrapServers,
    String schemaRegistryUrl,
    int partitions,
    short replicationFactor,
    Map<String, String> clientProperties,
    Map<String, String> serdeProperties,
    TopicNames topicNames) {

  public static final String DEFAULT_BOOTSTRAP = "127.0.0.1:9092";
  public static final String DEFAULT_REGISTRY = "http://127.0.0.1:8081/apis/ccompat/v7";

  public KafkaConnection {
    clientProperties = Map.copyOf(clientProperties);
    serdeProperties = Map.copyOf(serdeProperties);
    if (partitions < 1) {
      throw new IllegalArgumentException("LAPSE_PARTITIONS must be at least 1, got " + partitions);
    }
    if (replicationFactor < 1) {
      throw new IllegalArgumentException(
          "LAPSE_REPLICATION_FACTOR must be at least 1, got " + replicationFactor);
    }
  }

  /** Parses the environment (pass {@code System.getenv()} in mains, a map in tests). */
  public static KafkaConnection fromEnv(Map<String, String> env) {
    return new KafkaConnection(
        env.getOrDefault("KAFKA_BOOTSTRAP_SERVERS", DEFAULT_BOOTSTRAP),
        env.getOrDefault("SCHEMA_REGISTRY_URL", DEFAULT_REGISTRY),
        intValue(env, "LAPSE_PARTITIONS", 6),
        (short) intValue(env, "LAPSE_REPLICATION_FACTOR", 1),
        prefixed(env, "KAFKA_PROPERTY_"),
        prefixed(env, "SCHEMA_REGISTRY_PROPERTY_"),
        TopicNames.fromEnv(env));
  }

  /** For tests and the local launcher: given addresses, defaults for the rest. */
  public static KafkaConnection local(String bootstrapServers, String schemaRegistryUrl) {
    return new KafkaConnection(
        bootstrapServers,
        schemaRegistryUrl,
        6,
        (short) 1,
        Map.of(),
        Map.of(),
        TopicNames.defaults());
  }

  /** A copy with other topic names (tests isolate themselves with a prefix). */
  public KafkaConnection withTopicNames(TopicNames names) {
    return new KafkaConnection(
        bootstrapServers,
        schemaRegistryUrl,
        partitions,
        replicationFactor,
        clientProperties,
        serdeProperties,
        names);
  }

  /** A copy with another partition count. */
  public KafkaConnection withPartitions(int count) {
    return new KafkaConnection(
        bootstrapServers,
        schemaRegistryUrl,
        count,
        replicationFactor,
        clientProperties,
        serdeProperties,
        topicNames);
  }

  /** Properties every Kafka client of the process starts from (bootstrap plus pass-through). */
  public Map<String, Object> clientProps() {
    Map<String, Object> props = new HashMap<>(clientProperties);
    props.put("bootstrap.servers", bootstrapServers);
    return props;
  }

  /** The serde's configuration: registry URL plus pass-through serde properties. */
  public Map<String, Object> serdeProps() {
    Map<String, Object> props = new HashMap<>(serdeProperties);
    props.put("schema.registry.url", schemaRegistryUrl);
    return props;
  }

  /** The typed topics for this connection. */
  public LapseTopics topics() {
    return LapseTopics.create(topicNames, serdeProps());
  }

  private static int intValue(Map<String, String> env, String key, int dflt) {
    String v = env.get(key);
    if (v == null || v.isBlank()) {
      return dflt;
    }
    try {
      return Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " must be an integer, got \"" + v + "\"", e);
    }
  }

  /**
   * The pass-through properties under an environment prefix: {@code <PREFIX>MAX_POLL_RECORDS=500}
   * becomes {@code max.poll.records=500} (lower case, underscores become dots).
   */
  public static Map<String, String> prefixed(Map<String, String> env, String prefix) {
    Map<String, String> props = new HashMap<>();
    env.forEach(
        (k, v) -> {
          if (k.startsWith(prefix) && k.length() > prefix.length()) {
            props.put(k.substring(prefix.length()).toLowerCase(Locale.ROOT).replace('_', '.'), v);
          }
        });
    return props;
  }
}
