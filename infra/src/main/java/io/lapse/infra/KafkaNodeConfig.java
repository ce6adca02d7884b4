package io.lapse.infra;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Collectors;
import kafka.tools.StorageTool;

/**
 * The server properties of one KRaft node (broker and controller in one process) on 127.0.0.1, and
 * the formatting of its storage, shared by the in-process broker and the broker child processes of
 * a {@link KafkaCluster}.
 *
 * <p>Responsibility: one place that knows which settings make a loopback node work as a single
 * broker (replication factor 1 everywhere) or as a member of a cluster of {@code n} nodes
 * (replication factor {@code min(n, 3)} and {@code min.insync.replicas} one less, at least 1, for
 * every topic and the internal ones), so both starters stay in step.
 */
final class KafkaNodeConfig {

  /**
   * One node's identity and ports.
   *
   * @param id the KRaft {@code node.id}
   * @param brokerPort the PLAINTEXT (client) listener on 127.0.0.1
   * @param controllerPort the CONTROLLER (quorum) listener on 127.0.0.1
   */
  record Node(int id, int brokerPort, int controllerPort) {
    String bootstrap() {
      return "127.0.0.1:" + brokerPort;
    }
  }

  /** The highest replication factor a cluster's topics get, whatever its size. */
  static final int MAX_REPLICATION = 3;

  private KafkaNodeConfig() {}

  /** The replication factor of topics on a cluster of {@code nodes} nodes. */
  static int replicationFactor(int nodes) {
    return Math.min(nodes, MAX_REPLICATION);
  }

  /**
   * The {@code min.insync.replicas} of topics on a cluster of {@code nodes} nodes: one replica may
   * be lost without refusing {@code acks=all} writes.
   */
  static int minInsyncReplicas(int nodes) {
    return Math.max(1, replicationFactor(nodes) - 1);
  }

  /**
   * The server properties of {@code self} in a quorum of {@code voters} (every node of the cluster,
   * {@code self} included), keeping its logs in {@code logDir}.
   */
  static Properties serverProperties(
      Node self, List<Node> voters, Path logDir, BrokerOptions options) {
    int replication = replicationFactor(voters.size());
    String minIsr = String.valueOf(minInsyncReplicas(voters.size()));
    Map<String, String> p = new TreeMap<>();
    p.put("process.roles", "broker,controller");
    p.put("node.id", String.valueOf(self.id()));
    p.put(
        "controller.quorum.voters",
        voters.stream()
            .map(v -> v.id() + "@127.0.0.1:" + v.controllerPort())
            .collect(Collectors.joining(",")));
    p.put(
        "listeners",
        "PLAINTEXT://127.0.0.1:"
            + self.brokerPort()
            + ",CONTROLLER://127.0.0.1:"
            + self.controllerPort());
    p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + self.brokerPort());
    p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    p.put("controller.listener.names", "CONTROLLER");
    p.put("inter.broker.listener.name", "PLAINTEXT");
    p.put("log.dirs", logDir.toString());
    p.put("num.partitions", String.valueOf(options.defaultPartitions()));
    p.put("default.replication.factor", String.valueOf(replication));
    // On a single node, internal topics with the default replication factor 3 never become
    // available, and transactions and consumer groups then hang; on a cluster they get the same
    // replication as every other topic.
    p.put("offsets.topic.replication.factor", String.valueOf(replication));
    p.put("offsets.topic.num.partitions", "5");
    p.put("transaction.state.log.replication.factor", String.valueOf(replication));
    p.put("transaction.state.log.min.isr", minIsr);
    p.put("transaction.state.log.num.partitions", "5");
    p.put("share.coordinator.state.topic.replication.factor", String.valueOf(replication));
    p.put("share.coordinator.state.topic.min.isr", minIsr);
    p.put("group.initial.rebalance.delay.ms", "0");
    // The expiry processor commits a transaction every 10-20 ms; after CONCURRENT_TRANSACTIONS
    // the broker retries adding partitions after this backoff (default 20 ms), which would
    // dominate commit latency.
    p.put("add.partitions.to.txn.retry.backoff.ms", "2");
    // The log cleaner's default 128 MiB dedupe buffer is wasted on test-sized compacted topics.
    p.put("log.cleaner.dedupe.buffer.size", String.valueOf(8 * 1024 * 1024));
    p.put("num.network.threads", "2");
    p.put("num.io.threads", "4");
    if (voters.size() > 1) {
      p.put("min.insync.replicas", minIsr);
      // A killed broker keeps leading its partitions (and holding writes with acks=all back)
      // until the controller fences it when its session expires (default 9 s): on loopback,
      // heartbeats every 500 ms and a 4 s session move leadership sooner.
      p.put("broker.heartbeat.interval.ms", "500");
      p.put("broker.session.timeout.ms", "4000");
      // The whole local cluster is stopped at once; a controlled shutdown would wait for a
      // controller majority that is stopping too.
      p.put("controlled.shutdown.enable", "false");
    }
    p.putAll(options.overrides());
    Properties props = new Properties();
    props.putAll(p);
    return props;
  }

  /** Writes {@code props} to {@code file} (the form {@code kafka-storage format} reads). */
  static void write(Properties props, Path file) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      try (OutputStream out = Files.newOutputStream(file)) {
        props.store(out, "Written by lapse-infra");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + file, e);
    }
  }

  /** Reads a properties file written by {@link #write}. */
  static Properties read(Path file) {
    Properties props = new Properties();
    try (var in = Files.newInputStream(file)) {
      props.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + file, e);
    }
    return props;
  }

  /** Whether {@code logDir} holds formatted KRaft storage. */
  static boolean isFormatted(Path logDir) {
    return Files.exists(logDir.resolve("meta.properties"));
  }

  /**
   * Formats {@code logDir} as {@code kafka-storage.sh format -t clusterId -c configFile} would,
   * unless formatted before (a re-format with another cluster id would fail). Every node of a
   * cluster is formatted with the same cluster id.
   */
  static void formatIfNeeded(Path configFile, Path logDir, String clusterId) {
    if (isFormatted(logDir)) {
      return;
    }
    ByteArrayOutputStream output = new ByteArrayOutputStream();
    int rc;
    try (PrintStream print = new PrintStream(output, true, StandardCharsets.UTF_8)) {
      rc =
          StorageTool.execute(
              new String[] {"format", "-t", clusterId, "-c", configFile.toString()}, print);
    }
    if (rc != 0) {
      throw new IllegalStateException(
          "Formatting Kafka storage in "
              + logDir
              + " failed: "
              + output.toString(StandardCharsets.UTF_8));
    }
  }
}
