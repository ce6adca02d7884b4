package io.lapse.infra;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.utils.Time;

/**
 * The main of one broker child process of a {@link KafkaCluster}: Apache Kafka's KRaft server
 * (broker and controller) with the properties the parent wrote, in storage formatted with the
 * cluster's id.
 *
 * <p>Responsibility: start the node, stop it cleanly on SIGTERM, and never outlive its parent: the
 * parent holds the write end of this process's standard input, so end-of-file there means the
 * parent is gone (even after a SIGKILL) and this process exits. It ignores SIGINT, so that Ctrl-C
 * at a terminal, which reaches the whole process group, leaves the parent to stop the brokers last,
 * after the clients that still need them.
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
    exitWhenParentIsGone(System.in);
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
   * Watches standard input: at end-of-file (or a read error) the parent is gone, so stop cleanly,
   * and halt if that takes longer than {@value #ORPHAN_STOP_SECONDS} s (a stop can wait on peers
   * that are stopping too).
   */
  private static void exitWhenParentIsGone(InputStream parent) {
    Thread watcher =
        new Thread(
            () -> {
              byte[] buffer = new byte[64];
              try {
                while (parent.read(buffer) >= 0) {
                  // Nothing is ever sent; reading only detects the end of the stream.
                }
              } catch (IOException e) {
                // The pipe broke: the parent is gone as well.
              }
              System.err.println("lapse-broker: parent process gone, stopping");
              Thread halt =
                  new Thread(
                      () -> {
                        sleepSeconds(ORPHAN_STOP_SECONDS);
                        Runtime.getRuntime().halt(3);
                      },
                      "lapse-broker-halt");
              halt.setDaemon(true);
              halt.start();
              System.exit(0);
            },
            "lapse-broker-parent-watch");
    watcher.setDaemon(true);
    watcher.start();
  }

  private static void sleepSeconds(long seconds) {
    try {
      TimeUnit.SECONDS.sleep(seconds);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
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
