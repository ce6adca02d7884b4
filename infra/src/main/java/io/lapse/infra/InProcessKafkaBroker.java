package io.lapse.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Apache Kafka's own KRaft broker running inside this JVM: one node that is both broker and
 * controller, PLAINTEXT and CONTROLLER listeners on 127.0.0.1.
 *
 * <p>Responsibility: format the storage once (like {@code kafka-storage.sh format}), start the
 * server with single-node settings under which transactions and consumer groups work (replication
 * factor 1 for internal topics), wait until it answers, and stop it (deleting a temporary data
 * directory). {@link #stop()} and {@link #restart()} keep the data directory and ports, for tests
 * that need a broker outage.
 *
 * <p>Overrides may make the listener named PLAINTEXT speak SASL/PLAIN (for tests of authentication
 * and ACLs, {@link #SASL_JAAS_OVERRIDE}); the readiness check then logs in as the broker does.
 */
public final class InProcessKafkaBroker implements KafkaBroker {

  private static final Logger LOG = LoggerFactory.getLogger(InProcessKafkaBroker.class);
  private static final int NODE_ID = 1;
  private static final int START_ATTEMPTS = 3;
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

  /** The override that gives the PLAINTEXT-named listener its SASL/PLAIN users and own login. */
  public static final String SASL_JAAS_OVERRIDE = "listener.name.plaintext.plain.sasl.jaas.config";

  private final BrokerOptions options;
  private final Path dataDir;
  private final boolean deleteOnClose;
  private int port;
  private int controllerPort;
  private KafkaRaftServer server;
  private boolean closed;
  private final Thread cleanupHook;

  private InProcessKafkaBroker(BrokerOptions options, Path dataDir, boolean deleteOnClose) {
    this.options = options;
    this.dataDir = dataDir;
    this.deleteOnClose = deleteOnClose;
    // If the JVM ends without close() (a crashed test run), still remove temporary data.
    this.cleanupHook = new Thread(this::closeQuietly, "lapse-kafka-cleanup");
  }

  /**
   * Starts a broker with the given options; returns once it answers a metadata request.
   *
   * @throws IllegalStateException if it cannot start (the message says why)
   */
  public static InProcessKafkaBroker start(BrokerOptions options) {
    KafkaLogLevels.quietenKafkaLoggers();
    boolean temporary = options.dataDir() == null;
    Path dir;
    try {
      dir = temporary ? Files.createTempDirectory("lapse-kafka-") : options.dataDir();
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create the broker's data directory", e);
    }
    InProcessKafkaBroker broker =
        new InProcessKafkaBroker(options, dir, temporary || options.deleteDataDirOnClose());
    if (broker.deleteOnClose) {
      // Only a temporary broker needs the safety net. A persistent one belongs to a launcher that
      // stops it last, after the clients; a hook of its own would race that order.
      Runtime.getRuntime().addShutdownHook(broker.cleanupHook);
    }
    long started = System.nanoTime();
    try {
      broker.startWithFreshPorts();
    } catch (RuntimeException e) {
      broker.closeQuietly();
      throw e;
    }
    LOG.info(
        "In-process Kafka ready at {} in {} ms",
        broker.bootstrapServers(),
        (System.nanoTime() - started) / 1_000_000);
    return broker;
  }

  @Override
  public synchronized String bootstrapServers() {
    return "127.0.0.1:" + port;
  }

  /** The data directory (logs, metadata and {@code server.properties}). */
  public Path dataDir() {
    return dataDir;
  }

  /** Whether the server is running (false after {@link #stop()} until {@link #restart()}). */
  public synchronized boolean isRunning() {
    return server != null;
  }

  /**
   * Stops the server but keeps its data and ports, so that {@link #restart()} brings the same
   * broker back at the same address. Clients see a broker outage meanwhile.
   */
  public synchronized void stop() {
    if (server != null) {
      KafkaRaftServer s = server;
      server = null;
      s.shutdown();
      s.awaitShutdown();
    }
  }

  /** Starts the server again on the same ports and data after {@link #stop()}. */
  public synchronized void restart() {
    if (closed) {
      throw new IllegalStateException("broker is closed");
    }
    if (server == null) {
      startServer(port, controllerPort);
    }
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      boolean wasRunning = server != null;
      stop();
      if (wasRunning) {
        LOG.info("In-process Kafka at {} stopped", bootstrapServers());
      }
    } finally {
      if (deleteOnClose) {
        FileTrees.deleteQuietly(dataDir);
      }
      try {
        if (deleteOnClose) {
          Runtime.getRuntime().removeShutdownHook(cleanupHook);
        }
      } catch (IllegalStateException shuttingDown) {
        // Called from the hook itself or during JVM shutdown: nothing to remove.
      }
    }
  }

  private void closeQuietly() {
    try {
      close();
    } catch (RuntimeException e) {
      LOG.warn("Stopping the in-process Kafka broker failed", e);
    }
  }

  private synchronized void startWithFreshPorts() {
    if (options.port() != 0 && !FreePorts.isFree(options.port())) {
      throw new IllegalStateException(
          "Cannot start Kafka on 127.0.0.1:"
              + options.port()
              + ": the port is in use (another broker still running? stop it or pick another port)");
    }
    RuntimeException last = null;
    // A free port picked here can be taken by another process before the broker binds it;
    // retry with new ports rather than fail the test run.
    for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
      int brokerPort = options.port() != 0 ? options.port() : FreePorts.pick();
      int ctrlPort = FreePorts.pick(brokerPort);
      try {
        startServer(brokerPort, ctrlPort);
        return;
      } catch (RuntimeException e) {
        last = e;
        if (!causedByBind(e)) {
          break;
        }
        LOG.warn("Port clash starting Kafka (attempt {}), retrying with new ports", attempt);
      }
    }
    throw new IllegalStateException("Cannot start the in-process Kafka broker: " + last, last);
  }

  private static boolean causedByBind(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof BindException
          || t.getMessage() != null && t.getMessage().contains("Address already in use")) {
        return true;
      }
    }
    return false;
  }

  private void startServer(int brokerPort, int ctrlPort) {
    Properties props = serverProperties(brokerPort, ctrlPort);
    Path logDir = dataDir.resolve("kraft-logs");
    formatIfNeeded(props, logDir);
    KafkaRaftServer s = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
    try {
      s.startup();
    } catch (RuntimeException e) {
      shutdownQuietly(s);
      throw e;
    }
    this.server = s;
    this.port = brokerPort;
    this.controllerPort = ctrlPort;
    try {
      awaitReady();
    } catch (RuntimeException e) {
      stop();
      throw e;
    }
  }

  private static void shutdownQuietly(KafkaRaftServer s) {
    try {
      s.shutdown();
      s.awaitShutdown();
    } catch (RuntimeException e) {
      LOG.debug("Shutdown after a failed start failed too", e);
    }
  }

  private Properties serverProperties(int brokerPort, int ctrlPort) {
    KafkaNodeConfig.Node self = new KafkaNodeConfig.Node(NODE_ID, brokerPort, ctrlPort);
    return KafkaNodeConfig.serverProperties(
        self, List.of(self), dataDir.resolve("kraft-logs"), options);
  }

  private void formatIfNeeded(Properties props, Path logDir) {
    if (KafkaNodeConfig.isFormatted(logDir)) {
      return;
    }
    Path config = dataDir.resolve("server.properties");
    KafkaNodeConfig.write(props, config);
    KafkaNodeConfig.formatIfNeeded(config, logDir, Uuid.randomUuid().toString());
  }

  private void awaitReady() {
    Map<String, Object> config = new HashMap<>();
    config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + port);
    config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
    config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) READY_TIMEOUT.toMillis());
    String jaas = options.overrides().get(SASL_JAAS_OVERRIDE);
    if (jaas != null) {
      // The broker's own username and password; the user_* entries mean nothing to a client.
      config.put(AdminClientConfig.SECURITY_PROTOCOL_CONFIG, "SASL_PLAINTEXT");
      config.put("sasl.mechanism", "PLAIN");
      config.put("sasl.jaas.config", jaas);
    }
    try (Admin admin = Admin.create(config)) {
      int brokers =
          admin
              .describeCluster()
              .nodes()
              .get(READY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
              .size();
      if (brokers < 1) {
        throw new IllegalStateException("Kafka started but reports no broker");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while waiting for Kafka", e);
    } catch (Exception e) {
      throw new IllegalStateException(
          "Kafka did not answer within " + READY_TIMEOUT.toSeconds() + " s at 127.0.0.1:" + port,
          e);
    }
  }
}
