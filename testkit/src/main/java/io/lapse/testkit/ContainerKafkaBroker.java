package io.lapse.testkit;

import io.lapse.infra.BrokerOptions;
import io.lapse.infra.InProcessKafkaBroker;
import io.lapse.infra.KafkaBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;

/**
 * A broker in a Docker container ({@code apache/kafka}) started through Testcontainers.
 *
 * <p>Responsibility: the Docker path of {@link KafkaBrokers}, used only where a Docker engine is
 * reachable; it applies the same single-node settings as {@link InProcessKafkaBroker}. This class
 * is the only one touching Testcontainers, so the rest works without it on the class path.
 */
final class ContainerKafkaBroker implements KafkaBroker {

  static final String IMAGE = "apache/kafka:4.4.0";

  private final KafkaContainer container;

  private ContainerKafkaBroker(KafkaContainer container) {
    this.container = container;
  }

  /**
   * Whether a Docker engine is reachable. Checks the usual signs first, because asking
   * Testcontainers without Docker logs an ERROR block.
   */
  static boolean dockerAvailable() {
    if ("false".equalsIgnoreCase(System.getProperty("lapse.kafka.docker"))) {
      return false;
    }
    Path home = Path.of(System.getProperty("user.home"));
    boolean hint =
        System.getenv("DOCKER_HOST") != null
            || Files.exists(Path.of("/var/run/docker.sock"))
            || Files.exists(home.resolve(".docker/run/docker.sock"))
            || Files.exists(home.resolve(".testcontainers.properties"));
    if (!hint) {
      return false;
    }
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException | LinkageError e) {
      return false;
    }
  }

  @SuppressWarnings("resource") // closed by close()
  static ContainerKafkaBroker start(BrokerOptions options) {
    KafkaContainer container =
        new KafkaContainer(IMAGE)
            .withEnv("KAFKA_NUM_PARTITIONS", String.valueOf(options.defaultPartitions()))
            .withEnv("KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS", "0")
            .withEnv("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "1")
            .withEnv("KAFKA_ADD_PARTITIONS_TO_TXN_RETRY_BACKOFF_MS", "2");
    options
        .overrides()
        .forEach(
            (key, value) ->
                container.withEnv("KAFKA_" + key.toUpperCase().replace('.', '_'), value));
    container.start();
    return new ContainerKafkaBroker(container);
  }

  @Override
  public String bootstrapServers() {
    return container.getBootstrapServers();
  }

  @Override
  public void close() {
    container.stop();
  }
}
