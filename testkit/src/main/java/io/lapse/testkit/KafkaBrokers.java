package io.lapse.testkit;

import io.lapse.infra.BrokerOptions;
import io.lapse.infra.InProcessKafkaBroker;
import io.lapse.infra.KafkaBroker;
import io.lapse.infra.KafkaCluster;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the Kafka broker that fits this machine, for tests.
 *
 * <p>Responsibility: the one place that chooses where a test's broker comes from, in this order:
 *
 * <ol>
 *   <li>an external broker, if system property {@value #BOOTSTRAP_PROPERTY} or environment variable
 *       {@value #BOOTSTRAP_ENV} names its address (nothing is started or stopped);
 *   <li>a Testcontainers {@code apache/kafka:4.4.0} container when a Docker engine is reachable
 *       (disable with {@code -Dlapse.kafka.docker=false});
 *   <li>otherwise Apache Kafka's own KRaft broker inside this JVM ({@link InProcessKafkaBroker}).
 * </ol>
 */
public final class KafkaBrokers {

  /** System property naming an external broker's bootstrap address. */
  public static final String BOOTSTRAP_PROPERTY = "lapse.kafka.bootstrap";

  /** Environment variable naming an external broker's bootstrap address. */
  public static final String BOOTSTRAP_ENV = "LAPSE_TEST_KAFKA_BOOTSTRAP";

  private static final Logger LOG = LoggerFactory.getLogger(KafkaBrokers.class);

  private KafkaBrokers() {}

  /** A broker with {@link BrokerOptions#defaults()}. */
  public static KafkaBroker start() {
    return start(BrokerOptions.defaults());
  }

  /**
   * A broker chosen as described on this class. The options apply to the in-process broker fully,
   * to a container partly (partitions, overrides), and not to an external broker.
   */
  public static KafkaBroker start(BrokerOptions options) {
    Optional<String> external = externalBootstrap();
    if (external.isPresent()) {
      LOG.info("Using the external Kafka broker at {}", external.get());
      return new ExternalKafkaBroker(external.get());
    }
    if (ContainerKafkaBroker.dockerAvailable()) {
      LOG.info("Docker found: starting Kafka in a container ({})", ContainerKafkaBroker.IMAGE);
      return ContainerKafkaBroker.start(options);
    }
    return inProcess(options);
  }

  /**
   * Always Apache Kafka's KRaft broker in this JVM, never external or Docker: for tests that stop
   * and restart the broker ({@link InProcessKafkaBroker#stop()}, {@link
   * InProcessKafkaBroker#restart()}). The local launcher starts the same broker through {@link
   * io.lapse.infra.LocalInfra}, without this test kit.
   */
  public static InProcessKafkaBroker inProcess(BrokerOptions options) {
    return InProcessKafkaBroker.start(options);
  }

  /**
   * Always a local cluster of {@code brokers} KRaft nodes, each in a child JVM, with temporary data
   * and free ports: for tests that kill a broker ({@link KafkaCluster#kill(int)}). Never external
   * or Docker.
   */
  public static KafkaCluster cluster(int brokers) {
    return KafkaCluster.start(brokers, BrokerOptions.defaults());
  }

  /** The external broker address from the system property or environment, if set. */
  public static Optional<String> externalBootstrap() {
    String fromProperty = System.getProperty(BOOTSTRAP_PROPERTY);
    if (fromProperty != null && !fromProperty.isBlank()) {
      return Optional.of(fromProperty.trim());
    }
    String fromEnv = System.getenv(BOOTSTRAP_ENV);
    if (fromEnv != null && !fromEnv.isBlank()) {
      return Optional.of(fromEnv.trim());
    }
    return Optional.empty();
  }
}
