package io.lapse.launcher;

import io.lapse.config.Config;
import io.lapse.config.ConfigDef;
import io.lapse.config.InvalidConfigException;
import io.lapse.config.Rule;
import io.lapse.config.Setting;
import io.lapse.contract.AttemptMacKeys;
import io.lapse.expiry.ExpiryConfig;
import io.lapse.expiry.ExpiryProcessorApp;
import io.lapse.infra.FileTrees;
import io.lapse.infra.KafkaBroker;
import io.lapse.infra.LocalInfra;
import io.lapse.infra.SchemaRegistry;
import io.lapse.service.ChallengeServiceApp;
import io.lapse.service.ServiceConfig;
import io.lapse.topics.KafkaConnection;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.streams.KafkaStreams;

/**
 * {@code ./lapse up}: the whole system in one process on 127.0.0.1 — Kafka's own KRaft broker,
 * Apicurio Registry as a child process, the expiry processor and the challenge service — each
 * started in dependency order and stopped in reverse on Ctrl-C. State is kept in {@code .lapse/}
 * between runs ({@code --fresh} wipes it first). With {@code --brokers N} Kafka is instead a KRaft
 * cluster of N child JVMs (one can be killed), with its own data in {@code .lapse/kafka-cluster},
 * and every Lapse topic gets replication factor 3 and {@code min.insync.replicas} 2 (with three
 * brokers or more).
 *
 * <p>Ports come from the same variables as in production ({@code HTTP_PORT}, {@code
 * LAPSE_EXPIRY_HTTP_PORT}) plus the local broker's and registry's, declared in {@link #DEFINITION}.
 */
final class LocalSystem {
  static final Setting<Integer> KAFKA_PORT =
      Setting.integer("LAPSE_KAFKA_PORT")
          .defaultsTo(LocalInfra.KAFKA_PORT)
          .validate(Rule.between(1, 65535))
          .doc(
              "port of the local Kafka broker; with `--brokers N`, of broker 1, and broker i"
                  + " listens on this port + i − 1");

  static final Setting<Integer> REGISTRY_PORT =
      Setting.integer("LAPSE_REGISTRY_PORT")
          .defaultsTo(LocalInfra.REGISTRY_PORT)
          .validate(Rule.between(1, 65535))
          .doc("port of the local schema registry");

  static final ConfigDef DEFINITION = ConfigDef.of("Local launcher", KAFKA_PORT, REGISTRY_PORT);

  private final Path home;
  private final UpArguments arguments;
  private final Map<String, String> env;
  private final Deque<AutoCloseable> started = new ArrayDeque<>();

  LocalSystem(Path home, UpArguments arguments, Map<String, String> env) {
    this.home = home;
    this.arguments = arguments;
    this.env = env;
  }

  /** Starts everything, prints the walk-through, and blocks until the JVM is asked to stop. */
  int run() throws IOException, InterruptedException {
    if (arguments.fresh()) {
      FileTrees.deleteQuietly(home);
    }
    Files.createDirectories(home);
    Config ports;
    try {
      ports = DEFINITION.parse(env);
    } catch (InvalidConfigException e) {
      System.err.println("lapse: " + e.getMessage());
      return 2;
    }
    LocalSettings settings = LocalSettings.loadOrCreate(home, env);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  RunningSystem.remove(home, ProcessHandle.current().pid());
                  stopAll();
                  stopped.countDown();
                },
                "lapse-stop"));
    long t0 = System.nanoTime();
    try {
      KafkaBroker kafka = remember(startKafka(ports.get(KAFKA_PORT)));
      step(
          arguments.cluster() ? "Kafka (" + arguments.brokers() + " JVMs)" : "Kafka",
          kafka.bootstrapServers(),
          t0);
      long t1 = System.nanoTime();
      SchemaRegistry registry =
          remember(LocalInfra.startRegistry(ports.get(REGISTRY_PORT), home.resolve("registry")));
      step("Schema registry", registry.url(), t1);

      Map<String, String> appEnv = new HashMap<>(env);
      appEnv.put(KafkaConnection.BOOTSTRAP_SERVERS.name(), kafka.bootstrapServers());
      appEnv.put(KafkaConnection.SCHEMA_REGISTRY_URL.name(), registry.url());
      // The cluster's topics are other topics than the single broker's: other Streams state.
      appEnv.putIfAbsent(
          ExpiryConfig.STATE_DIR.name(),
          home.resolve(arguments.cluster() ? "streams-cluster" : "streams").toString());
      appEnv.putIfAbsent(
          ServiceConfig.SERVICE_STATE_DIR.name(),
          home.resolve(arguments.cluster() ? "service-streams-cluster" : "service-streams")
              .toString());
      if (arguments.cluster()) {
        // Production durability: three replicas, two in sync (LAPSE_MIN_INSYNC_REPLICAS' default).
        appEnv.putIfAbsent(
            KafkaConnection.REPLICATION_FACTOR.name(),
            String.valueOf(Math.min(arguments.brokers(), 3)));
      }
      appEnv.put(ServiceConfig.ACCOUNT_SID.name(), settings.accountSid());
      appEnv.put(ServiceConfig.AUTH_TOKEN.name(), settings.authToken());
      appEnv.put(ServiceConfig.SECRET_KEY.name(), settings.secretKey());
      appEnv.put(ServiceConfig.CLUSTER_KEY.name(), settings.clusterKey());
      // One instance here: its internal listener (where other instances would forward requests)
      // takes a free port unless one is given.
      appEnv.putIfAbsent(ServiceConfig.INTERNAL_PORT.name(), "0");
      appEnv.put(AttemptMacKeys.SETTING.name(), settings.responseMacKeys());

      long t2 = System.nanoTime();
      ExpiryProcessorApp processor =
          remember(ExpiryProcessorApp.start(ExpiryConfig.fromEnv(appEnv)));
      awaitRunning(processor, Duration.ofSeconds(90));
      step("Expiry processor", "http://127.0.0.1:" + processor.httpPort() + "/health", t2);

      long t3 = System.nanoTime();
      ChallengeServiceApp service =
          remember(ChallengeServiceApp.start(ServiceConfig.fromEnv(appEnv)));
      String api = "http://127.0.0.1:" + service.port();
      step("Challenge service", api, t3);

      // Other commands (events, timeline, status, sdk-demo) find this system through the file.
      new RunningSystem(
              ProcessHandle.current().pid(),
              api,
              kafka.bootstrapServers(),
              registry.url(),
              "http://127.0.0.1:" + processor.httpPort())
          .write(home);

      System.out.println();
      System.out.println(Walkthrough.text(api, settings, kafka.bootstrapServers(), home));
      System.out.printf(
          "Ready in %.1f s. State in %s (kept between runs; ./lapse up --fresh wipes it)."
              + " Ctrl-C (from a script: kill %d) stops everything.%n",
          (System.nanoTime() - t0) / 1e9, home, ProcessHandle.current().pid());
    } catch (RuntimeException e) {
      System.err.println();
      System.err.println("lapse: could not start: " + e.getMessage());
      RunningSystem.remove(home, ProcessHandle.current().pid());
      stopAll();
      return 1;
    }
    stopped.await();
    return 0;
  }

  /**
   * One broker in this JVM, or a cluster of child JVMs with node 1 on {@code port} and node {@code
   * i} on {@code port + i - 1}, kept apart in {@code .lapse/kafka-cluster}.
   */
  private KafkaBroker startKafka(int port) {
    return arguments.cluster()
        ? LocalInfra.startCluster(arguments.brokers(), port, home.resolve("kafka-cluster"))
        : LocalInfra.startBroker(port, home.resolve("kafka"));
  }

  private <T extends AutoCloseable> T remember(T resource) {
    synchronized (started) {
      started.push(resource);
    }
    return resource;
  }

  private void stopAll() {
    while (true) {
      AutoCloseable next;
      synchronized (started) {
        next = started.poll();
      }
      if (next == null) {
        return;
      }
      try {
        next.close();
      } catch (Exception e) {
        System.err.println("lapse: error while stopping " + next + ": " + e);
      }
    }
  }

  private static void awaitRunning(ExpiryProcessorApp processor, Duration bound)
      throws InterruptedException {
    long deadline = System.nanoTime() + bound.toNanos();
    while (processor.state() != KafkaStreams.State.RUNNING) {
      if (processor.state() == KafkaStreams.State.ERROR
          || processor.state() == KafkaStreams.State.NOT_RUNNING
          || System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "the expiry processor did not reach RUNNING (state " + processor.state() + ")");
      }
      Thread.sleep(50); // polling a state with a bound; KafkaStreams offers no await
    }
  }

  private static void step(String what, String where, long since) {
    System.out.printf(
        "  %-18s %-48s %5d ms%n", what, where, (System.nanoTime() - since) / 1_000_000);
  }
}
