package io.lapse.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.admin.TopicListing;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A KRaft cluster of {@code n} nodes on 127.0.0.1, each Apache Kafka's own server (broker and
 * controller, all nodes voters of the controller quorum) in a child JVM of its own ({@link
 * BrokerMain}), so that one can be killed with SIGKILL and restarted.
 *
 * <p>Responsibility: lay the cluster out (ports, one cluster id, a data directory per node), start
 * the children and wait until every broker is registered, and kill, restart or stop them. Topics
 * get replication factor {@code min(n, 3)} and {@code min.insync.replicas} one less, at least 1 (3
 * and 2 on three nodes), the internal topics (offsets, transactions) included; see {@link
 * KafkaNodeConfig}. Children run on this JVM's class path and exit by themselves when this JVM is
 * gone, even after a SIGKILL.
 *
 * <p>Ports: with {@link BrokerOptions#port()} 0 every port is picked free; otherwise node 1's
 * broker listens on that port and node {@code i} on {@code port + i - 1}. Controller ports are
 * picked free and, with a persistent data directory, kept in {@code cluster.properties} there
 * together with the cluster id.
 */
public final class KafkaCluster implements KafkaBroker {

  private static final Logger LOG = LoggerFactory.getLogger(KafkaCluster.class);
  private static final String STATE_FILE = "cluster.properties";
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);
  private static final Duration STOP_GRACE = Duration.ofSeconds(20);
  private static final Duration ADMIN_CALL = Duration.ofSeconds(30);
  private static final int START_ATTEMPTS = 3;
  private static final int LOG_TAIL_LINES = 30;

  /** System properties handed on to the children (logging choices of the parent). */
  private static final List<String> FORWARDED_PROPERTIES =
      List.of("logback.configurationFile", "logback.statusListenerClass", "lapse.kafka.log.level");

  private final BrokerOptions options;
  private final Path dataDir;
  private final Path logDir;
  private final boolean deleteOnClose;
  private final String clusterId;
  private final List<KafkaNodeConfig.Node> nodes;
  private final Map<Integer, Process> processes = new TreeMap<>();

  /** How many "started" lines each node's log must hold once its latest JVM has started. */
  private final Map<Integer, Integer> expectedStarts = new TreeMap<>();

  private final Thread cleanupHook;
  private volatile Admin admin;
  private boolean closed;

  private KafkaCluster(
      BrokerOptions options,
      Path dataDir,
      Path logDir,
      boolean deleteOnClose,
      String clusterId,
      List<KafkaNodeConfig.Node> nodes) {
    this.options = options;
    this.dataDir = dataDir;
    this.logDir = logDir;
    this.deleteOnClose = deleteOnClose;
    this.clusterId = clusterId;
    this.nodes = List.copyOf(nodes);
    this.cleanupHook = new Thread(this::closeQuietly, "lapse-kafka-cluster-cleanup");
  }

  /**
   * Starts {@code size} nodes and returns once every broker is registered with the controller.
   *
   * @param size number of nodes (3 for a cluster that survives the loss of one)
   * @param options port of node 1 (0: free ports), data directory ({@code null}: a temporary one,
   *     deleted on close), partitions of auto-created topics, and overrides for every node
   * @throws IllegalStateException if it cannot start (the message says why)
   */
  public static KafkaCluster start(int size, BrokerOptions options) {
    if (size < 1) {
      throw new IllegalArgumentException("a cluster needs at least one node: " + size);
    }
    checkBrokerPortsFree(size, options.port());
    IllegalStateException last = null;
    for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
      KafkaCluster cluster = layOut(size, options);
      try {
        cluster.startAll();
        return cluster;
      } catch (RuntimeException e) {
        cluster.closeQuietly();
        last = e instanceof IllegalStateException ise ? ise : new IllegalStateException(e);
        // Free ports picked here can be taken before a child binds them: retry with new ones.
        if (!String.valueOf(e.getMessage()).contains("Address already in use")) {
          break;
        }
        LOG.warn("Port clash starting the Kafka cluster (attempt {}), retrying", attempt);
      }
    }
    throw last;
  }

  /** Every node's broker address, e.g. {@code 127.0.0.1:9092,127.0.0.1:9093,127.0.0.1:9094}. */
  @Override
  public String bootstrapServers() {
    return nodes.stream().map(KafkaNodeConfig.Node::bootstrap).collect(Collectors.joining(","));
  }

  /** The node ids, 1 to {@link #size()}. */
  public List<Integer> nodeIds() {
    return nodes.stream().map(KafkaNodeConfig.Node::id).toList();
  }

  public int size() {
    return nodes.size();
  }

  /** The replication factor of topics on this cluster ({@code min(size, 3)}). */
  public int replicationFactor() {
    return KafkaNodeConfig.replicationFactor(size());
  }

  /** The {@code min.insync.replicas} of topics on this cluster (2 on three nodes). */
  public int minInsyncReplicas() {
    return KafkaNodeConfig.minInsyncReplicas(size());
  }

  /** The broker address of one node. */
  public String bootstrapServers(int nodeId) {
    return node(nodeId).bootstrap();
  }

  /**
   * The data directory (one {@code node-<id>} directory per node and {@code cluster.properties}).
   */
  public Path dataDir() {
    return dataDir;
  }

  /** The file receiving one node's standard output and error (its Kafka log). */
  public Path logFile(int nodeId) {
    return logDir.resolve("node-" + node(nodeId).id() + ".log");
  }

  /** The process id of a node's child JVM (its last one, if it was killed). */
  public synchronized long pid(int nodeId) {
    return process(nodeId).pid();
  }

  /** Whether a node's child JVM is running. */
  public synchronized boolean isRunning(int nodeId) {
    return process(nodeId).isAlive();
  }

  /**
   * Kills a node's JVM with SIGKILL (no shutdown hook, no flush, no controlled shutdown) and
   * returns once it has exited. Its partitions move to other replicas once the controller fences it
   * (a 4 s broker session here).
   */
  public synchronized void kill(int nodeId) {
    Process p = process(nodeId);
    p.destroyForcibly();
    try {
      p.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while killing node " + nodeId, e);
    }
    LOG.info("Kafka node {} (pid {}) killed", nodeId, p.pid());
  }

  /**
   * Starts a killed node again on the same ports and data, and returns once its broker is
   * registered (unfenced) again. Its replicas then catch up in the background; see {@link
   * #awaitFullyReplicated(Duration)}.
   *
   * @throws IllegalStateException if the node is running or does not come back
   */
  public synchronized void restart(int nodeId) {
    if (closed) {
      throw new IllegalStateException("cluster is closed");
    }
    if (process(nodeId).isAlive()) {
      throw new IllegalStateException("node " + nodeId + " is running");
    }
    long started = System.nanoTime();
    launch(node(nodeId));
    awaitRegistered(Set.of(nodeId), READY_TIMEOUT);
    LOG.info("Kafka node {} restarted in {} ms", nodeId, (System.nanoTime() - started) / 1_000_000);
  }

  /**
   * The node that leads a partition now, as the cluster's metadata says; empty while it has no
   * leader (e.g. between a kill and the next election).
   */
  public OptionalInt leaderOf(TopicPartition partition) {
    TopicDescription description = describe(List.of(partition.topic())).get(partition.topic());
    for (TopicPartitionInfo info : description.partitions()) {
      if (info.partition() == partition.partition()) {
        Node leader = info.leader();
        return leader == null || leader.isEmpty()
            ? OptionalInt.empty()
            : OptionalInt.of(leader.id());
      }
    }
    throw new IllegalArgumentException("No partition " + partition + " in " + description);
  }

  /**
   * Waits until every partition of every topic (internal ones included) has a leader and all its
   * replicas in sync, e.g. after a {@link #restart(int)}.
   *
   * @throws IllegalStateException naming the partitions still behind when {@code bound} passes
   */
  public void awaitFullyReplicated(Duration bound) {
    long deadline = System.nanoTime() + bound.toNanos();
    List<String> behind = List.of();
    while (System.nanoTime() < deadline) {
      behind = partitionsNotFullyReplicated();
      if (behind.isEmpty()) {
        return;
      }
      pause(200); // replication has no event to wait on through Admin
    }
    throw new IllegalStateException(
        "Not fully replicated within " + bound.toSeconds() + " s: " + behind);
  }

  /**
   * Stops every node and releases the cluster's resources: a temporary cluster's children are
   * killed and its data deleted; a persistent one's get SIGTERM (a clean stop) first, and SIGKILL
   * after {@code 20 s}. Idempotent.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (admin != null) {
      admin.close(Duration.ofSeconds(2));
    }
    stopAll(!deleteOnClose);
    if (deleteOnClose) {
      FileTrees.deleteQuietly(dataDir);
      try {
        Runtime.getRuntime().removeShutdownHook(cleanupHook);
      } catch (IllegalStateException shuttingDown) {
        // Called from the hook itself or during JVM shutdown: nothing to remove.
      }
    }
    LOG.info("Kafka cluster at {} stopped", bootstrapServers());
  }

  @Override
  public String toString() {
    return "KafkaCluster[" + size() + " nodes at " + bootstrapServers() + ", " + dataDir + "]";
  }

  // ---- start-up ----

  private static void checkBrokerPortsFree(int size, int firstPort) {
    if (firstPort == 0) {
      return;
    }
    if (firstPort + size - 1 > 65535) {
      throw new IllegalArgumentException(
          "ports " + firstPort + ".." + (firstPort + size - 1) + " exceed 65535");
    }
    for (int port = firstPort; port < firstPort + size; port++) {
      if (!FreePorts.isFree(port)) {
        throw new IllegalStateException(
            "Cannot start Kafka node "
                + (port - firstPort + 1)
                + " on 127.0.0.1:"
                + port
                + ": the port is in use (another broker still running? stop it or pick another"
                + " port)");
      }
    }
  }

  /** Chooses directories, the cluster id and ports, reusing a persistent cluster's. */
  private static KafkaCluster layOut(int size, BrokerOptions options) {
    boolean temporary = options.dataDir() == null;
    Path dir;
    try {
      dir = temporary ? Files.createTempDirectory("lapse-kafka-cluster-") : options.dataDir();
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create the cluster's data directory", e);
    }
    Properties state =
        Files.exists(dir.resolve(STATE_FILE))
            ? KafkaNodeConfig.read(dir.resolve(STATE_FILE))
            : new Properties();
    if (!state.isEmpty() && !String.valueOf(size).equals(state.getProperty("nodes"))) {
      throw new IllegalStateException(
          "The Kafka data in "
              + dir
              + " belongs to a cluster of "
              + state.getProperty("nodes")
              + " nodes, not "
              + size
              + " (start with the same number, or wipe it)");
    }
    String clusterId = state.getProperty("cluster.id", Uuid.randomUuid().toString());
    List<Integer> taken = new ArrayList<>();
    List<Integer> brokerPorts = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      int port = options.port() != 0 ? options.port() + i : FreePorts.pick(toArray(taken));
      brokerPorts.add(port);
      taken.add(port);
    }
    List<KafkaNodeConfig.Node> nodes = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      int id = i + 1;
      String kept = state.getProperty("controller.port." + id);
      int controllerPort =
          kept != null
                  && FreePorts.isFree(Integer.parseInt(kept))
                  && !taken.contains(Integer.parseInt(kept))
              ? Integer.parseInt(kept)
              : FreePorts.pick(toArray(taken));
      taken.add(controllerPort);
      nodes.add(new KafkaNodeConfig.Node(id, brokerPorts.get(i), controllerPort));
    }
    Properties updated = new Properties();
    updated.setProperty("cluster.id", clusterId);
    updated.setProperty("nodes", String.valueOf(size));
    nodes.forEach(
        n -> updated.setProperty("controller.port." + n.id(), String.valueOf(n.controllerPort())));
    KafkaNodeConfig.write(updated, dir.resolve(STATE_FILE));
    KafkaCluster cluster =
        new KafkaCluster(
            options,
            dir,
            logDirFor(dir, temporary),
            temporary || options.deleteDataDirOnClose(),
            clusterId,
            nodes);
    if (cluster.deleteOnClose) {
      // Only a temporary cluster needs the safety net; a persistent one belongs to a launcher
      // that stops it last, after its clients (and orphaned children exit by themselves).
      Runtime.getRuntime().addShutdownHook(cluster.cleanupHook);
    }
    return cluster;
  }

  /**
   * Node logs: in the data directory of a persistent cluster; for a temporary one under {@code
   * target/} when there is one, so they outlive the deleted data for a failed test's diagnosis.
   */
  private static Path logDirFor(Path dataDir, boolean temporary) {
    Path target = Path.of("target");
    if (temporary && Files.isDirectory(target)) {
      return target.resolve("lapse-kafka-cluster").resolve(dataDir.getFileName()).toAbsolutePath();
    }
    return dataDir.toAbsolutePath();
  }

  private static int[] toArray(List<Integer> ports) {
    return ports.stream().mapToInt(Integer::intValue).toArray();
  }

  private synchronized void startAll() {
    long started = System.nanoTime();
    try {
      Files.createDirectories(logDir);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create " + logDir, e);
    }
    for (KafkaNodeConfig.Node node : nodes) {
      Path nodeDir = dataDir.resolve("node-" + node.id());
      KafkaNodeConfig.write(
          KafkaNodeConfig.serverProperties(node, nodes, nodeDir.resolve("kraft-logs"), options),
          nodeDir.resolve("server.properties"));
      launch(node);
    }
    awaitRegistered(new HashSet<>(nodeIds()), READY_TIMEOUT);
    LOG.info(
        "Kafka cluster of {} nodes ready at {} in {} ms (data {}, logs {})",
        size(),
        bootstrapServers(),
        (System.nanoTime() - started) / 1_000_000,
        dataDir,
        logDir);
  }

  private void launch(KafkaNodeConfig.Node node) {
    Path config = dataDir.resolve("node-" + node.id()).resolve("server.properties");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // A broker for tests and local runs: a small heap, and the serial collector, which adds no
    // background threads on a machine whose cores the three brokers and their clients share.
    command.add("-Xms64m");
    command.add("-Xmx512m");
    command.add("-XX:+UseSerialGC");
    for (String property : FORWARDED_PROPERTIES) {
      String value = System.getProperty(property);
      if (value != null) {
        command.add("-D" + property + "=" + value);
      }
    }
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(BrokerMain.class.getName());
    command.add(config.toAbsolutePath().toString());
    command.add(clusterId);
    // The log is appended to across starts (and runs, when persistent): one more "started".
    expectedStarts.put(node.id(), startsLogged(node.id()) + 1);
    try {
      Process process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile(node.id()).toFile()))
              // Standard input stays a pipe from this JVM: the child exits when it closes.
              .redirectInput(ProcessBuilder.Redirect.PIPE)
              .start();
      processes.put(node.id(), process);
    } catch (IOException e) {
      throw new IllegalStateException("Cannot launch Kafka node " + node.id() + ": " + e, e);
    }
  }

  /** Waits until the given nodes are registered, unfenced brokers; fails early if one died. */
  private void awaitRegistered(Set<Integer> ids, Duration bound) {
    long deadline = System.nanoTime() + bound.toNanos();
    // Quietly first: an admin client logs a warning for every refused connection, and the node
    // says when its server has started.
    for (int id : ids) {
      while (startsLogged(id) < expectedStarts.getOrDefault(id, 1)) {
        checkAlive(ids);
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "Kafka node "
                  + id
                  + " did not start within "
                  + bound.toSeconds()
                  + " s; log "
                  + logFile(id));
        }
        pause(100);
      }
    }
    if (admin == null) {
      // Created only now: an admin client starts connecting at once.
      admin =
          Admin.create(
              Map.of(
                  AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                  bootstrapServers(),
                  AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                  5_000,
                  AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                  (int) ADMIN_CALL.toMillis()));
    }
    Set<Integer> registered = Set.of();
    while (true) {
      checkAlive(ids);
      try {
        registered =
            admin
                .describeCluster(new DescribeClusterOptions().timeoutMs(3_000))
                .nodes()
                .get(5, TimeUnit.SECONDS)
                .stream()
                .map(Node::id)
                .collect(Collectors.toSet());
        if (registered.containsAll(ids)) {
          return;
        }
      } catch (ExecutionException | TimeoutException notYet) {
        // No broker answers yet.
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Interrupted while waiting for Kafka", e);
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "Kafka nodes "
                + ids
                + " not all registered within "
                + bound.toSeconds()
                + " s (registered: "
                + registered
                + "); logs in "
                + logDir);
      }
      pause(100); // polling the cluster's metadata, which has no event to wait on
    }
  }

  private void checkAlive(Set<Integer> ids) {
    for (int id : ids) {
      Process p = processes.get(id);
      if (!p.isAlive()) {
        throw new IllegalStateException(
            "Kafka node "
                + id
                + " exited with code "
                + p.exitValue()
                + " while starting. Log "
                + logFile(id)
                + ", last lines:\n"
                + logTail(id));
      }
    }
  }

  /** How many times the node's log says its server started (once per start of its JVM). */
  private int startsLogged(int nodeId) {
    try (var lines = Files.lines(logFile(nodeId), StandardCharsets.UTF_8)) {
      return (int) lines.filter(l -> l.startsWith(BrokerMain.STARTED)).count();
    } catch (IOException | UncheckedIOException e) {
      return 0; // not written yet
    }
  }

  // ---- inspection ----

  private Map<String, TopicDescription> describe(Collection<String> topics) {
    try {
      return admin
          .describeTopics(topics)
          .allTopicNames()
          .get(ADMIN_CALL.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("Cannot describe topics " + topics + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while describing " + topics, e);
    }
  }

  private List<String> partitionsNotFullyReplicated() {
    Collection<String> topics;
    try {
      topics =
          admin
              .listTopics(new ListTopicsOptions().listInternal(true))
              .listings()
              .get(ADMIN_CALL.toMillis(), TimeUnit.MILLISECONDS)
              .stream()
              .map(TopicListing::name)
              .toList();
    } catch (ExecutionException | TimeoutException e) {
      return List.of("(topics not listed: " + e + ")");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while listing topics", e);
    }
    List<String> behind = new ArrayList<>();
    if (topics.isEmpty()) {
      return behind;
    }
    describe(topics)
        .forEach(
            (name, d) ->
                d.partitions().stream()
                    .filter(
                        p ->
                            p.leader() == null
                                || p.leader().isEmpty()
                                || p.isr().size() < p.replicas().size())
                    .forEach(p -> behind.add(name + "-" + p.partition() + " isr " + ids(p.isr()))));
    return behind;
  }

  private static List<Integer> ids(List<Node> nodes) {
    return nodes.stream().map(Node::id).toList();
  }

  // ---- stopping ----

  private synchronized void stopAll(boolean graceful) {
    processes.values().stream()
        .filter(Process::isAlive)
        .forEach(
            p -> {
              if (graceful) {
                p.destroy();
              } else {
                p.destroyForcibly();
              }
            });
    long deadline = System.nanoTime() + STOP_GRACE.toNanos();
    for (Map.Entry<Integer, Process> e : processes.entrySet()) {
      Process p = e.getValue();
      try {
        long left = Math.max(0, deadline - System.nanoTime());
        if (!p.waitFor(left, TimeUnit.NANOSECONDS)) {
          LOG.warn("Kafka node {} did not stop within {}, killing it", e.getKey(), STOP_GRACE);
          p.destroyForcibly().waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        }
      } catch (InterruptedException interrupted) {
        p.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }

  private void closeQuietly() {
    try {
      close();
    } catch (RuntimeException e) {
      LOG.warn("Stopping the Kafka cluster failed", e);
    }
  }

  // ---- helpers ----

  private KafkaNodeConfig.Node node(int nodeId) {
    return nodes.stream()
        .filter(n -> n.id() == nodeId)
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("No node " + nodeId + " in " + nodeIds()));
  }

  private Process process(int nodeId) {
    Process p = processes.get(node(nodeId).id());
    if (p == null) {
      throw new IllegalStateException("node " + nodeId + " was never started");
    }
    return p;
  }

  private String logTail(int nodeId) {
    try {
      List<String> lines = Files.readAllLines(logFile(nodeId), StandardCharsets.UTF_8);
      return String.join(
          "\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
    } catch (IOException | UncheckedIOException e) {
      return "(log unreadable: " + e.getMessage() + ")";
    }
  }

  private static void pause(long millis) {
    try {
      TimeUnit.MILLISECONDS.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted", e);
    }
  }
}
