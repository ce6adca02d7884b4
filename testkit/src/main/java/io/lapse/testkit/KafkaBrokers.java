package io.lapse.testkit;

import io.lapse.infra.BrokerOptions;
import io.lapse.infra.InProcessKafkaBroker;
import io.lapse.infra.KafkaBroker;
import io.lapse.infra.KafkaCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the Kafka broker that fits this machine, for tests.
 *
 * <p>Responsibility: the one place that starts a test's broker. Which one is decided by {@link
 * BrokerChoice} from {@value BrokerChoice#MODE_ENV} ({@code container|inprocess|external|auto},
 * default {@code auto}): an external broker named by {@value #BOOTSTRAP_ENV}; else a Testcontainers
 * broker ({@value #IMAGE_ENV}, default {@value ContainerKafkaBroker#DEFAULT_IMAGE}) when a Docker
 * engine answers and the images can be had within a few seconds; else Apache Kafka's own KRaft
 * broker inside this JVM ({@link InProcessKafkaBroker}), with one log line saying why when Docker
 * answered.
 */
public final class KafkaBrokers {

  /** System property naming an external broker's bootstrap address. */
  public static final String BOOTSTRAP_PROPERTY = "lapse.kafka.bootstrap";

  /** Environment variable naming an external broker's bootstrap address. */
  public static final String BOOTSTRAP_ENV = "LAPSE_TEST_KAFKA_BOOTSTRAP";

  /** Environment variable naming the broker image for the container path. */
  public static final String IMAGE_ENV = "LAPSE_TEST_KAFKA_IMAGE";

  /** How long the engine may take to answer, and to produce a missing image. */
  private static final Duration PING_BOUND = Duration.ofSeconds(2);

  private static final Duration IMAGE_BOUND = Duration.ofSeconds(5);

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
    String image =
        Optional.ofNullable(System.getenv(IMAGE_ENV))
            .filter(v -> !v.isBlank())
            .orElse(ContainerKafkaBroker.DEFAULT_IMAGE);
    BrokerChoice.Choice choice =
        BrokerChoice.decide(mode(), externalBootstrap(), image, () -> probe(image));
    if (choice instanceof BrokerChoice.External e) {
      LOG.info(e.logLine());
      return new ExternalKafkaBroker(e.bootstrap());
    }
    if (choice instanceof BrokerChoice.Container c) {
      boolean host =
          ContainerKafkaBroker.hostNetwork(
              System.getenv(ContainerKafkaBroker.NETWORK_ENV), engineHasBridge());
      LOG.info(c.logLine() + (host ? ", on the host's network" : ""));
      return ContainerKafkaBroker.start(c.image(), options, host);
    }
    BrokerChoice.InProcess i = (BrokerChoice.InProcess) choice;
    if (i.fallbackReason().isPresent()) {
      LOG.warn(i.logLine()); // the one line that says why Docker was not used
    } else {
      LOG.info(i.logLine());
    }
    return inProcess(options);
  }

  /** The switch, from {@code -Dlapse.test.kafka} or {@code LAPSE_TEST_KAFKA}. */
  static BrokerChoice.Mode mode() {
    String value = System.getProperty(BrokerChoice.MODE_PROPERTY);
    if (value == null || value.isBlank()) {
      value = System.getenv(BrokerChoice.MODE_ENV);
    }
    // The older switch -Dlapse.kafka.docker=false still means "never Docker".
    if ((value == null || value.isBlank())
        && "false".equalsIgnoreCase(System.getProperty("lapse.kafka.docker"))) {
      return BrokerChoice.Mode.INPROCESS;
    }
    return BrokerChoice.Mode.parse(value);
  }

  /**
   * What the Docker engine offers, each question bounded: it answers, and the broker image and
   * (unless Ryuk is disabled) Ryuk's image are present or pulled in time.
   */
  private static BrokerChoice.Engine probe(String image) {
    Optional<DockerEngine> engine =
        DockerEngine.locate(System.getenv("DOCKER_HOST"), Path.of(System.getProperty("user.home")));
    if (engine.isEmpty() || !engine.get().answers(PING_BOUND)) {
      return BrokerChoice.Engine.absent();
    }
    List<String> needed = new ArrayList<>();
    needed.add(image);
    ContainerKafkaBroker.ryukImage().ifPresent(needed::add);
    for (String each : needed) {
      if (!engine.get().obtain(each, IMAGE_BOUND)) {
        return BrokerChoice.Engine.without(each);
      }
    }
    return BrokerChoice.Engine.ready();
  }

  /** Whether the engine has Docker's default {@code bridge} network (CI's private one has none). */
  private static boolean engineHasBridge() {
    return DockerEngine.locate(
            System.getenv("DOCKER_HOST"), Path.of(System.getProperty("user.home")))
        .map(engine -> engine.hasNetwork("bridge", PING_BOUND))
        .orElse(true);
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
