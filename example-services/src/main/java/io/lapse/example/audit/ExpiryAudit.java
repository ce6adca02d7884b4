package io.lapse.example.audit;

import io.lapse.events.v1.ChallengeExpired;
import io.lapse.serde.SerdeConfig;
import io.lapse.topics.LapseTopics;
import io.lapse.topics.Topic;
import io.lapse.topics.TopicNames;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;

/**
 * Another team's microservice, built only on Lapse's contract artifact ({@code
 * io.lapse:lapse-schemas}): it writes one audit line per expired challenge.
 *
 * <p>It reads {@code challenge-expired} with {@code isolation.level=read_committed}, as the
 * contract requires of the expiry processor's transactional topics, so an expiry of an aborted
 * transaction is never audited. A line is appended (and flushed) before its offset is committed:
 * after a crash a line may be written twice, never lost, and the SID in it lets a reader
 * de-duplicate.
 *
 * <p>Run: {@code KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:9092
 * SCHEMA_REGISTRY_URL=http://127.0.0.1:8081/apis/ccompat/v7 AUDIT_FILE=expiries.log java …
 * ExpiryAudit}
 */
public final class ExpiryAudit implements Runnable, AutoCloseable {
  /** Where it reads, where it writes, and as which consumer group. */
  public record Settings(
      String bootstrap, String registryUrl, TopicNames topics, String groupId, Path auditFile) {
    public static Settings fromEnv(Map<String, String> env) {
      return new Settings(
          required(env, "KAFKA_BOOTSTRAP_SERVERS"),
          required(env, "SCHEMA_REGISTRY_URL"),
          TopicNames.fromEnv(env),
          env.getOrDefault("AUDIT_GROUP_ID", "expiry-audit"),
          Path.of(env.getOrDefault("AUDIT_FILE", "expiries.log")));
    }

    private static String required(Map<String, String> env, String name) {
      String v = env.get(name);
      if (v == null || v.isBlank()) {
        throw new IllegalArgumentException(name + " is required");
      }
      return v;
    }
  }

  private final Settings settings;
  private final KafkaConsumer<String, ChallengeExpired> consumer;
  private final CountDownLatch stopped = new CountDownLatch(1);

  public ExpiryAudit(Settings settings) {
    this.settings = settings;
    Topic<String, ChallengeExpired> expired =
        LapseTopics.create(
                settings.topics(), Map.of(SerdeConfig.SCHEMA_REGISTRY_URL, settings.registryUrl()))
            .challengeExpired();
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrap());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, settings.groupId());
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    consumer = new KafkaConsumer<>(p, expired.keyDeserializer(), expired.valueDeserializer());
    consumer.subscribe(List.of(expired.name()));
  }

  /** The audit line of one expiry: what expired, when it was due, and how late it was seen. */
  public static String line(ChallengeExpired e, Instant seenAt) {
    return "expired sid=%s service=%s identity=%s factor=%s due=%s expired_at=%s seen_late_ms=%d"
        .formatted(
            e.getSid(),
            e.getServiceSid(),
            e.getIdentity(),
            e.getFactorSid(),
            e.getExpirationDate(),
            e.getExpiredAt(),
            Duration.between(e.getExpirationDate(), seenAt).toMillis());
  }

  /** Polls until {@link #close()}; each batch is written, then committed. */
  @Override
  public void run() {
    try {
      while (true) {
        ConsumerRecords<String, ChallengeExpired> records = consumer.poll(Duration.ofMillis(500));
        if (records.isEmpty()) {
          continue;
        }
        StringBuilder lines = new StringBuilder();
        Instant now = Instant.now();
        for (ConsumerRecord<String, ChallengeExpired> r : records) {
          lines.append(line(r.value(), now)).append('\n');
        }
        append(lines.toString());
        consumer.commitSync();
      }
    } catch (WakeupException e) {
      // close() asked us to stop
    } finally {
      consumer.close();
      stopped.countDown();
    }
  }

  private void append(String lines) {
    try {
      Files.writeString(
          settings.auditFile(),
          lines,
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND,
          StandardOpenOption.SYNC);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the audit file " + settings.auditFile(), e);
    }
  }

  /** Stops the poll loop and waits (bounded) until the consumer has left its group. */
  @Override
  public void close() {
    consumer.wakeup();
    try {
      stopped.await(30, java.util.concurrent.TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  public static void main(String[] args) throws InterruptedException {
    ExpiryAudit audit = new ExpiryAudit(Settings.fromEnv(System.getenv()));
    Thread loop = new Thread(audit, "expiry-audit");
    Runtime.getRuntime().addShutdownHook(new Thread(audit::close, "expiry-audit-stop"));
    loop.start();
    loop.join();
  }
}
