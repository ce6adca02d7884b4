package io.lapse.infra;

import java.nio.file.Path;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.utils.Time;

/**
 * The main of one broker child process of a {@link KafkaCluster}: Apache Kafka's KRaft server
 * (broker and controller) with the properties the parent wrote, in storage formatted with the
 * cluster's id.
 *
 * <p>Responsibility: start the node, stop it cleanly on SIGTERM, and never outlive its parent
 * ({@link ParentWatch}: even after a SIGKILL of the parent, this process exits). It ignores SIGINT,
 * so that Ctrl-C at a terminal, which reaches the whole process group, leaves the parent to stop
 * the brokers last, after the clients that still need them.
 *
 * <p>Usage: {@code java -cp ... io.lapse.infra.BrokerMain SERVER_PROPERTIES CLUSTER_ID}.
 */
public final class BrokerMain {

  /** Printed once the server has started (the parent waits for the cluster through Admin). */
  static final String STARTED = "lapse-broker started: node ";

  /** How long a clean stop may take after the parent is gone before the process halts. */
  private static final long ORPHAN_STOP_SECONDS = 10;

  private BrokerMain() {}

  public static void main(String[] args) {
    if (args.length != 2) {
      System.err.println("usage: BrokerMain SERVER_PROPERTIES CLUSTER_ID");
      System.exit(2);
    }
    ignoreSigint();
    ParentWatch.exitWhenGone(System.in, "lapse-broker", ORPHAN_STOP_SECONDS);
    KafkaLogLevels.quietenKafkaLoggers();
    Path configFile = Path.of(args[0]);
    Properties props = KafkaNodeConfig.read(configFile);
    KafkaRaftServer server;
    try {
      KafkaNodeConfig.formatIfNeeded(configFile, Path.of(props.getProperty("log.dirs")), args[1]);
      server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    server.shutdown();
                    server.awaitShutdown();
                  },
                  "lapse-broker-stop"));
      server.startup();
    } catch (RuntimeException e) {
      e.printStackTrace();
      // Kafka may have started non-daemon threads before failing; the exit ends them too.
      System.exit(1);
      return;
    }
    System.out.println(STARTED + props.getProperty("node.id"));
    System.out.flush();
    server.awaitShutdown();
  }

  /**
   * Ignores SIGINT through {@code sun.misc.Signal} (module jdk.unsupported), looked up reflectively
   * so the build does not depend on an internal API; where it is missing, SIGINT stops the broker
   * as usual.
   */
  private static void ignoreSigint() {
    try {
      Class<?> signal = Class.forName("sun.misc.Signal");
      Class<?> handler = Class.forName("sun.misc.SignalHandler");
      Object ignore = handler.getField("SIG_IGN").get(null);
      Object sigint = signal.getConstructor(String.class).newInstance("INT");
      signal.getMethod("handle", signal, handler).invoke(null, sigint, ignore);
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      System.err.println("lapse-broker: cannot ignore SIGINT (" + e + "); Ctrl-C stops it too");
    }
  }
}
