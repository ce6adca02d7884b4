package io.lapse.topics;

import io.lapse.config.Config;
import io.lapse.config.ConfigDef;
import io.lapse.config.InvalidConfigException;
import io.lapse.config.PropertyPrefix;
import io.lapse.config.Rule;
import io.lapse.config.Setting;
import java.util.HashMap;
import java.util.Map;

/**
 * How a Lapse process reaches Kafka and the schema registry, parsed once from the environment. The
 * variables are declared in {@link #DEFINITION} (the README's "Shared by both" table is generated
 * from it).
 *
 * @param values the parsed settings; {@link #toString()} shows them with credentials masked
 * @param topicNames the topic names ({@link TopicNames#fromEnv} reads the topic variables)
 */
public record KafkaConnection(Config values, TopicNames topicNames) {
  public static final Setting<String> BOOTSTRAP_SERVERS =
      Setting.string("KAFKA_BOOTSTRAP_SERVERS")
          .defaultsTo("127.0.0.1:9092")
          .doc("Kafka bootstrap servers");

  public static final Setting<String> SCHEMA_REGISTRY_URL =
      Setting.string("SCHEMA_REGISTRY_URL")
          .defaultsTo("http://127.0.0.1:8081/apis/ccompat/v7")
          .doc(
              "Confluent-compatible registry base URL (with Confluent's registry:"
                  + " `http://host:8081`); credentials in it (`https://user:password@host`) are"
                  + " masked in the log");

  public static final Setting<Integer> PARTITIONS =
      Setting.integer("LAPSE_PARTITIONS")
          .defaultsTo(6)
          .validate(Rule.atLeast(1))
          .doc("partitions of the co-partitioned challenge topics each creates");

  public static final Setting<Integer> REPLICATION_FACTOR =
      Setting.integer("LAPSE_REPLICATION_FACTOR")
          .defaultsTo(1)
          .validate(Rule.between(1, Short.MAX_VALUE))
          .doc("replication factor of the topics each creates (3 in production)");

  public static final Setting<Integer> MIN_INSYNC_REPLICAS =
      Setting.integer("LAPSE_MIN_INSYNC_REPLICAS")
          .validate(Rule.between(1, Short.MAX_VALUE))
          .whenUnset("replication factor − 1, at least 1")
          .doc(
              "`min.insync.replicas` of the topics each creates and of the processor's internal"
                  + " topics: every write (always `acks=all`) waits for this many replicas, and is"
                  + " refused while fewer are in sync (2 in production); at most"
                  + " `LAPSE_REPLICATION_FACTOR`");

  /** Read by {@link TopicNames#fromEnv}; declared here so it is documented and logged. */
  public static final Setting<String> TOPIC_PREFIX =
      Setting.string("LAPSE_TOPIC_PREFIX").doc("prepended to every topic name");

  /** Read by {@link TopicNames#fromEnv}; declared here so it is documented and logged. */
  public static final PropertyPrefix TOPIC_NAMES =
      PropertyPrefix.of(
          "LAPSE_TOPIC_",
          "one topic's full name, e.g. `LAPSE_TOPIC_CHALLENGE_EXPIRED`; the prefix is not added");

  public static final PropertyPrefix CLIENT_PROPERTIES =
      PropertyPrefix.of(
          "KAFKA_PROPERTY_",
          "any Kafka client property, e.g. `KAFKA_PROPERTY_SECURITY_PROTOCOL=SASL_SSL` →"
              + " `security.protocol`");

  public static final PropertyPrefix SERDE_PROPERTIES =
      PropertyPrefix.of(
          "SCHEMA_REGISTRY_PROPERTY_",
          "any serde property, e.g. `…_BASIC_AUTH_CREDENTIALS_SOURCE=USER_INFO`");

  public static final ConfigDef DEFINITION =
      ConfigDef.of(
          "Shared by both",
          BOOTSTRAP_SERVERS,
          SCHEMA_REGISTRY_URL,
          PARTITIONS,
          REPLICATION_FACTOR,
          MIN_INSYNC_REPLICAS,
          TOPIC_PREFIX,
          TOPIC_NAMES,
          CLIENT_PROPERTIES,
          SERDE_PROPERTIES);

  public KafkaConnection {
    if (values.definition() != DEFINITION) {
      throw new IllegalArgumentException("not a Kafka connection's settings: " + values);
    }
    int replication = values.get(REPLICATION_FACTOR);
    values
        .find(MIN_INSYNC_REPLICAS)
        .filter(minIsr -> minIsr > replication)
        .ifPresent(
            minIsr -> {
              // Kafka would create such topics and then refuse every acks=all write to them.
              throw new InvalidConfigException(
                  MIN_INSYNC_REPLICAS.name()
                      + " must be at most "
                      + REPLICATION_FACTOR.name()
                      + " ("
                      + replication
                      + "), got "
                      + minIsr);
            });
  }

  /** Parses the environment (pass {@code System.getenv()} in mains, a map in tests). */
  public static KafkaConnection fromEnv(Map<String, String> env) {
    return new KafkaConnection(DEFINITION.parse(env), TopicNames.fromEnv(env));
  }

  public String bootstrapServers() {
    return values.get(BOOTSTRAP_SERVERS);
  }

  public String schemaRegistryUrl() {
    return values.get(SCHEMA_REGISTRY_URL);
  }

  public int partitions() {
    return values.get(PARTITIONS);
  }

  public short replicationFactor() {
    return values.get(REPLICATION_FACTOR).shortValue();
  }

  /**
   * The {@code min.insync.replicas} of created topics: as set, else one less than the replication
   * factor, at least 1 (2 with replication factor 3), so one replica may be lost without refusing
   * writes and an acknowledged write is on at least two brokers.
   */
  public int minInsyncReplicas() {
    return values.find(MIN_INSYNC_REPLICAS).orElse(Math.max(1, values.get(REPLICATION_FACTOR) - 1));
  }

  /** The {@code KAFKA_PROPERTY_*} pass-through client properties. */
  public Map<String, String> clientProperties() {
    return values.properties(CLIENT_PROPERTIES);
  }

  /** The {@code SCHEMA_REGISTRY_PROPERTY_*} pass-through serde properties. */
  public Map<String, String> serdeProperties() {
    return values.properties(SERDE_PROPERTIES);
  }

  /** Properties every Kafka client of the process starts from (bootstrap plus pass-through). */
  public Map<String, Object> clientProps() {
    Map<String, Object> props = new HashMap<>(clientProperties());
    props.put("bootstrap.servers", bootstrapServers());
    return props;
  }

  /** The serde's configuration: registry URL plus pass-through serde properties. */
  public Map<String, Object> serdeProps() {
    Map<String, Object> props = new HashMap<>(serdeProperties());
    props.put("schema.registry.url", schemaRegistryUrl());
    return props;
  }

  /** The typed topics for this connection. */
  public LapseTopics topics() {
    return LapseTopics.create(topicNames, serdeProps());
  }

  /** The effective settings, credentials masked. */
  @Override
  public String toString() {
    return values.toString();
  }
}
