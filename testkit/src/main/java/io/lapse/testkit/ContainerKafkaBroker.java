package io.lapse.testkit;

import io.lapse.infra.BrokerOptions;
import io.lapse.infra.InProcessKafkaBroker;
import io.lapse.infra.KafkaBroker;
import java.util.Optional;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.TestcontainersConfiguration;

/**
 * A broker in a Docker container ({@code apache/kafka}) started through Testcontainers.
 *
 * <p>Responsibility: the Docker path of {@link KafkaBrokers}, used only where a Docker engine is
 * reachable; it applies the same single-node settings as {@link InProcessKafkaBroker}. This class
 * is the only one touching Testcontainers, so the rest works without it on the class path.
 */
final class ContainerKafkaBroker implements KafkaBroker {

  static final String DEFAULT_IMAGE = "apache/kafka:4.4.0";

  private final KafkaContainer container;

  private ContainerKafkaBroker(KafkaContainer container) {
    this.container = container;
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

  @SuppressWarnings("resource") // closed by close()
  static ContainerKafkaBroker start(String image, BrokerOptions options) {
    KafkaContainer container =
        // A locally built image (LAPSE_TEST_KAFKA_IMAGE) runs Kafka as apache/kafka does.
        new KafkaContainer(DockerImageName.parse(image).asCompatibleSubstituteFor("apache/kafka"))
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
