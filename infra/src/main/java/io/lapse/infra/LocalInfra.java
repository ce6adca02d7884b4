package io.lapse.infra;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * The broker and registry of a local run ({@code ./lapse up}), on fixed ports with data kept
 * between runs.
 *
 * <p>Responsibility: the API the launcher calls. Both methods block until the server answers and
 * return a handle; closing the handle stops the server (the data stays). Typical use:
 *
 * <pre>{@code
 * Path data = Path.of(".lapse");
 * try (KafkaBroker kafka = LocalInfra.startBroker(9092, data.resolve("kafka"));
 *     SchemaRegistry registry = LocalInfra.startRegistry(8081, data.resolve("registry"))) {
 *   System.out.println("Kafka " + kafka.bootstrapServers() + ", registry " + registry.url());
 *   ... run the services, wait for Ctrl-C ...
 * }
 * }</pre>
 *
 * <p>Failures (port in use, no JDK for the registry, registry tarball missing) throw {@link
 * IllegalStateException} with a message meant for the person at the terminal. {@link #main} does
 * the above on its own: {@code java -cp ... io.lapse.infra.LocalInfra [kafkaPort [registryPort
 * [dataDir]]]}.
 */
public final class LocalInfra {

  /** The conventional local ports. */
  public static final int KAFKA_PORT = 9092;

  public static final int REGISTRY_PORT = 8081;

  private LocalInfra() {}

  /**
   * Starts Kafka's KRaft broker in this JVM on {@code 127.0.0.1:port}, keeping its data in {@code
   * dataDir} (formatted on first use only). Never Docker or an external broker: the launcher asked
   * for this one.
   *
   * @param port e.g. {@link #KAFKA_PORT}; must be free
   * @param dataDir created if absent; reused on the next start
   * @return the running broker; {@code close()} stops it and keeps the data
   */
  public static InProcessKafkaBroker startBroker(int port, Path dataDir) {
    return InProcessKafkaBroker.start(BrokerOptions.persistent(port, dataDir));
  }

  /**
   * Starts a KRaft cluster of {@code nodes} brokers, each in a child JVM, on {@code
   * 127.0.0.1:firstPort} and the next ports, keeping its data in {@code dataDir} (formatted on
   * first use only). Topics get replication factor 3 and {@code min.insync.replicas} 2 (fewer on
   * fewer nodes); see {@link KafkaCluster}.
   *
   * @param nodes e.g. 3
   * @param firstPort node 1's port, e.g. {@link #KAFKA_PORT}; node {@code i} listens on {@code
   *     firstPort + i - 1}; all must be free
   * @param dataDir created if absent; reused on the next start with the same number of nodes
   * @return the running cluster; {@code close()} stops every node and keeps the data
   */
  public static KafkaCluster startCluster(int nodes, int firstPort, Path dataDir) {
    return KafkaCluster.start(nodes, BrokerOptions.persistent(firstPort, dataDir));
  }

  /**
   * Starts Apicurio Registry as a child process on {@code 127.0.0.1:port}, keeping subjects in an
   * H2 database in {@code dataDir} and its log in {@code dataDir/registry.log}.
   *
   * @param port e.g. {@link #REGISTRY_PORT}; must be free
   * @param dataDir created if absent; reused on the next start
   * @return the running registry; {@link SchemaRegistry#url()} is the Confluent-compatible base URL
   *     ({@code http://127.0.0.1:8081/apis/ccompat/v7}); {@code close()} stops the child
   */
  public static ApicurioRegistry startRegistry(int port, Path dataDir) {
    return ApicurioRegistry.start(RegistryOptions.persistent(port, dataDir));
  }

  /**
   * Starts both, prints their addresses and runs until Ctrl-C.
   *
   * @param args optional: Kafka port (9092), registry port (8081), data directory ({@code .lapse})
   */
  public static void main(String[] args) throws InterruptedException {
    int kafkaPort = args.length > 0 ? Integer.parseInt(args[0]) : KAFKA_PORT;
    int registryPort = args.length > 1 ? Integer.parseInt(args[1]) : REGISTRY_PORT;
    Path dataDir = Path.of(args.length > 2 ? args[2] : ".lapse").toAbsolutePath();
    CountDownLatch stopped = new CountDownLatch(1);
    InProcessKafkaBroker kafka;
    ApicurioRegistry registry;
    try {
      long t0 = System.nanoTime();
      kafka = startBroker(kafkaPort, dataDir.resolve("kafka"));
      long t1 = System.nanoTime();
      System.out.printf("Kafka            %s  (%d ms)%n", kafka.bootstrapServers(), ms(t1 - t0));
      try {
        registry = startRegistry(registryPort, dataDir.resolve("registry"));
      } catch (RuntimeException e) {
        kafka.close();
        throw e;
      }
      System.out.printf(
          "Schema registry  %s  (%d ms, Apicurio %s, log %s)%n",
          registry.url(), ms(System.nanoTime() - t1), registry.version(), registry.logFile());
    } catch (IllegalStateException e) {
      System.err.println("lapse: " + e.getMessage());
      System.exit(1);
      return;
    }
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  registry.close();
                  kafka.close();
                  stopped.countDown();
                },
                "lapse-local-infra-stop"));
    System.out.println("Data in " + dataDir + ". Ctrl-C stops both.");
    stopped.await();
  }

  private static long ms(long nanos) {
    return nanos / 1_000_000;
  }
}
