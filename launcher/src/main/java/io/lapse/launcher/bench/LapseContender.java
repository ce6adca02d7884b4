package io.lapse.launcher.bench;

import io.lapse.contract.AttemptMacKeys;
import io.lapse.events.v1.ChallengeCreated;
import io.lapse.events.v1.ChallengeExpired;
import io.lapse.infra.FreePorts;
import io.lapse.serde.SerdeConfig;
import io.lapse.topics.LapseTopics;
import io.lapse.topics.Topic;
import io.lapse.topics.TopicNames;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Lapse as {@code ./lapse up --fresh} runs it, in a child JVM on free ports with its state in a
 * temporary directory, fed {@code ChallengeCreated} records straight onto {@code challenge-created}
 * (as {@code ./lapse load} does) and observed on {@code challenge-expired}. Its CPU is the child's
 * process tree: broker, registry, expiry processor and challenge service.
 */
final class LapseContender implements Contender {
  private final TopicNames names = TopicNames.fromEnv(System.getenv());
  private final String account = sid("AC");
  private final String service = sid("VA");
  private Process up;
  private String bootstrap;
  private KafkaProducer<String, ChallengeCreated> producer;
  private Topic<String, ChallengeCreated> created;
  private AutoCloseable observer;
  private AttemptMacKeys createKeys;

  @Override
  public String name() {
    return "Lapse";
  }

  @Override
  public void start(Path dir, Sink sink) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.add("-Xss1m");
    command.add("-Dlapse.home=" + dir);
    for (String p :
        List.of(
            "org.apache.avro.SERIALIZABLE_PACKAGES",
            "logback.configurationFile",
            "logback.statusListenerClass")) {
      String v = System.getProperty(p);
      if (v != null) {
        command.add("-D" + p + "=" + v);
      }
    }
    command.addAll(List.of("-cp", System.getProperty("java.class.path")));
    command.addAll(List.of("io.lapse.launcher.Lapse", "up", "--fresh"));
    ProcessBuilder pb = new ProcessBuilder(command);
    int kafka = FreePorts.pick();
    int registry = FreePorts.pick(kafka);
    int http = FreePorts.pick(kafka, registry);
    int expiry = FreePorts.pick(kafka, registry, http);
    pb.environment().put("LAPSE_KAFKA_PORT", String.valueOf(kafka));
    pb.environment().put("LAPSE_REGISTRY_PORT", String.valueOf(registry));
    pb.environment().put("HTTP_PORT", String.valueOf(http));
    pb.environment().put("LAPSE_EXPIRY_HTTP_PORT", String.valueOf(expiry));
    pb.redirectErrorStream(true).redirectOutput(dir.resolve("lapse-up.out").toFile());
    up = pb.start();
    Properties running = awaitRunning(dir.resolve(".lapse").resolve("running.properties"));
    bootstrap = running.getProperty("bootstrap");
    createKeys = createKeys(dir.resolve(".lapse").resolve("local.properties"));
    LapseTopics topics =
        LapseTopics.create(
            names, Map.of(SerdeConfig.SCHEMA_REGISTRY_URL, running.getProperty("registry")));
    created = topics.challengeCreated();
    Topic<String, ChallengeExpired> expired = topics.challengeExpired();
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    producer = new KafkaProducer<>(p, created.keySerializer(), created.valueSerializer());
    observer =
        KafkaSide.observe(
            bootstrap,
            expired.name(),
            expired.valueDeserializer(),
            e -> e.getExpiredAt().toEpochMilli(),
            sink);
  }

  /**
   * The child's challenge MAC keys, as {@code ./lapse load} takes them: its processor takes no
   * unsigned create (docs/decisions/0020-signed-challenge-creates.md).
   */
  private static AttemptMacKeys createKeys(Path localProperties) throws IOException {
    Properties stored = new Properties();
    try (Reader in = Files.newBufferedReader(localProperties)) {
      stored.load(in);
    }
    for (String name :
        List.of(AttemptMacKeys.CHALLENGE_SETTING.name(), AttemptMacKeys.SETTING.name())) {
      String keys = System.getenv().getOrDefault(name, stored.getProperty(name));
      if (keys != null && !keys.isBlank()) {
        return AttemptMacKeys.parse(keys);
      }
    }
    throw new IllegalStateException("no MAC keys in " + localProperties);
  }

  private Properties awaitRunning(Path file) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
    while (System.nanoTime() < deadline) {
      if (!up.isAlive()) {
        throw new IllegalStateException(
            "./lapse up exited with " + up.exitValue() + "; see " + file.getParent().getParent());
      }
      if (Files.exists(file)) {
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file)) {
          p.load(in);
        } catch (IOException e) {
          continue; // being written
        }
        if (p.getProperty("bootstrap") != null && p.getProperty("registry") != null) {
          return p;
        }
      }
      Thread.sleep(200); // ./lapse up writes the file once ready; bounded by the deadline
    }
    throw new IllegalStateException("./lapse up was not ready within 300 s");
  }

  @Override
  public void create(String sid, long deadlineMillis) {
    Instant now = Instant.ofEpochMilli(System.currentTimeMillis());
    ChallengeCreated challenge =
        ChallengeCreated.newBuilder()
            .setSid(sid)
            .setAccountSid(account)
            .setServiceSid(service)
            .setEntitySid(sid("YE"))
            .setIdentity("bench")
            .setFactorSid(sid("YF"))
            .setFactorType("push")
            .setCreatedAt(now)
            .setExpirationDate(Instant.ofEpochMilli(deadlineMillis))
            .setDetailsFields(List.of())
            .build();
    challenge = createKeys.sign(challenge);
    producer.send(new ProducerRecord<>(created.name(), sid, challenge));
  }

  @Override
  public void flush() throws Exception {
    producer.flush();
    KafkaSide.awaitIngested(bootstrap, created.name(), Duration.ofSeconds(180));
  }

  @Override
  public long cpuNanos() {
    return up == null ? 0 : ProcessCpu.treeNanos(up.toHandle());
  }

  @Override
  public String version() {
    return "./lapse up (single broker, Kafka " + KafkaSide.version() + ")";
  }

  @Override
  public void close() {
    try {
      if (observer != null) {
        observer.close();
      }
    } catch (Exception e) {
      // stopping anyway
    }
    if (producer != null) {
      producer.close(Duration.ofSeconds(5));
    }
    if (up != null) {
      List<ProcessHandle> children = up.descendants().toList();
      up.destroy(); // SIGTERM: ./lapse up stops everything in its shutdown hook
      try {
        if (!up.waitFor(60, TimeUnit.SECONDS)) {
          up.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        up.destroyForcibly();
      }
      children.forEach(ProcessHandle::destroyForcibly);
    }
  }

  static String sid(String prefix) {
    byte[] b = new byte[16];
    ThreadLocalRandom.current().nextBytes(b);
    return prefix + HexFormat.of().formatHex(b);
  }
}
