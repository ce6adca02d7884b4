package io.lapse.testkit;

import io.lapse.infra.BrokerOptions;
import io.lapse.infra.FreePorts;
import io.lapse.infra.InProcessKafkaBroker;
import io.lapse.infra.KafkaBroker;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.TestcontainersConfiguration;

/**
 * A broker in a Docker container ({@code apache/kafka}, or an image that runs Kafka as it does)
 * started through Testcontainers.
 *
 * <p>Responsibility: the Docker path of {@link KafkaBrokers}, used only where a Docker engine is
 * reachable; it applies the same single-node settings as {@link InProcessKafkaBroker}. This class
 * is the only one touching Testcontainers, so the rest works without it on the class path.
 *
 * <p>Two ways to reach the container ({@value #NETWORK_ENV}): {@code bridge}, Testcontainers' own
 * Kafka module with a mapped port (what a usual Docker engine offers), or {@code host}: the
 * container shares the host's network and its broker binds two free loopback ports itself, for an
 * engine without a bridge network (CI's private engine, {@code dockerd --bridge=none}; decision
 * 0022). By default {@code host} exactly when the engine has no {@code bridge} network.
 */
final class ContainerKafkaBroker implements KafkaBroker {

  static final String DEFAULT_IMAGE = "apache/kafka:4.4.0";

  /** Environment variable choosing how the container is reached: {@code host} or {@code bridge}. */
  static final String NETWORK_ENV = "LAPSE_TEST_KAFKA_NETWORK";

  private static final Duration STARTUP = Duration.ofMinutes(3);

  private final GenericContainer<?> container;
  private final String bootstrap;

  private ContainerKafkaBroker(GenericContainer<?> container, String bootstrap) {
    this.container = container;
    this.bootstrap = bootstrap;
  }

  /**
   * The image of Testcontainers' Ryuk (the reaper of leftover containers), which it starts before
   * the first container; empty when Ryuk is disabled ({@code TESTCONTAINERS_RYUK_DISABLED=true}).
   */
  // getRyukImage is deprecated for Testcontainers' own users, yet it is the one public way to learn
  // which Ryuk image this version (or the user's testcontainers.properties) will pull.
  @SuppressWarnings("deprecation")
  static Optional<String> ryukImage() {
    if (Boolean.parseBoolean(System.getenv("TESTCONTAINERS_RYUK_DISABLED"))) {
      return Optional.empty();
    }
    return Optional.of(TestcontainersConfiguration.getInstance().getRyukImage());
  }

  /**
   * Whether the container shares the host's network: {@value #NETWORK_ENV} if set, else whether the
   * engine lacks a bridge network.
   */
  static boolean hostNetwork(String setting, boolean engineHasBridge) {
    if (setting == null || setting.isBlank()) {
      return !engineHasBridge;
    }
    return switch (setting.strip().toLowerCase(Locale.ROOT)) {
      case "host" -> true;
      case "bridge" -> false;
      default ->
          throw new IllegalStateException(
              NETWORK_ENV + " must be host or bridge; got \"" + setting + "\"");
    };
  }

  static ContainerKafkaBroker start(String image, BrokerOptions options, boolean hostNetwork) {
    return hostNetwork ? startOnHostNetwork(image, options) : startBridged(image, options);
  }

  @SuppressWarnings("resource") // closed by close()
  private static ContainerKafkaBroker startBridged(String image, BrokerOptions options) {
    KafkaContainer container =
        // A locally built image (LAPSE_TEST_KAFKA_IMAGE) runs Kafka as apache/kafka does.
        new KafkaContainer(DockerImageName.parse(image).asCompatibleSubstituteFor("apache/kafka"));
    configure(container, options);
    container.start();
    return new ContainerKafkaBroker(container, container.getBootstrapServers());
  }

  /**
   * The container on the host's network: the broker listens on two free loopback ports, named in
   * its settings, and says so in its log ("Kafka Server started"), which is what is waited for (no
   * port is mapped, so Testcontainers' port checks do not apply).
   */
  @SuppressWarnings("resource") // closed by close()
  private static ContainerKafkaBroker startOnHostNetwork(String image, BrokerOptions options) {
    int port = FreePorts.pick();
    int controller = FreePorts.pick(port);
    String bootstrap = "127.0.0.1:" + port;
    GenericContainer<?> container =
        new GenericContainer<>(DockerImageName.parse(image))
            .withNetworkMode("host")
            .withEnv("KAFKA_NODE_ID", "1")
            .withEnv("KAFKA_PROCESS_ROLES", "broker,controller")
            .withEnv(
                "KAFKA_LISTENERS",
                "PLAINTEXT://" + bootstrap + ",CONTROLLER://127.0.0.1:" + controller)
            .withEnv("KAFKA_ADVERTISED_LISTENERS", "PLAINTEXT://" + bootstrap)
            .withEnv(
                "KAFKA_LISTENER_SECURITY_PROTOCOL_MAP", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT")
            .withEnv("KAFKA_CONTROLLER_LISTENER_NAMES", "CONTROLLER")
            .withEnv("KAFKA_INTER_BROKER_LISTENER_NAME", "PLAINTEXT")
            .withEnv("KAFKA_CONTROLLER_QUORUM_VOTERS", "1@127.0.0.1:" + controller)
            .withEnv("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "1")
            .withEnv("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "1")
            .withEnv("KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR", "1")
            .withEnv("KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR", "1")
            .waitingFor(
                Wait.forLogMessage(".*Kafka Server started.*", 1).withStartupTimeout(STARTUP));
    configure(container, options);
    container.start();
    return new ContainerKafkaBroker(container, bootstrap);
  }

  /** The single-node settings of the in-process broker, as the image's KAFKA_* variables. */
  private static void configure(GenericContainer<?> container, BrokerOptions options) {
    container
        .withEnv("KAFKA_NUM_PARTITIONS", String.valueOf(options.defaultPartitions()))
        .withEnv("KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS", "0")
        .withEnv("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "1")
        .withEnv("KAFKA_ADD_PARTITIONS_TO_TXN_RETRY_BACKOFF_MS", "2");
    options
        .overrides()
        .forEach(
            (key, value) ->
                container.withEnv(
                    "KAFKA_" + key.toUpperCase(Locale.ROOT).replace('.', '_'), value));
  }

  @Override
  public String bootstrapServers() {
    return bootstrap;
  }

  @Override
  public void close() {
    container.stop();
  }
}
