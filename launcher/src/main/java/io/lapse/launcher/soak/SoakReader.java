package io.lapse.launcher.soak;

import io.lapse.events.v1.ChallengeApproved;
import io.lapse.events.v1.ChallengeDenied;
import io.lapse.events.v1.ChallengeExpired;
import io.lapse.events.v1.VerificationFailed;
import io.lapse.events.v1.VerificationRejected;
import io.lapse.launcher.soak.SoakVerifier.Kind;
import io.lapse.launcher.soak.SoakVerifier.Observed;
import io.lapse.topics.LapseTopics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The soak's {@code read_committed} reader, as a downstream service reads Lapse: every partition of
 * {@code challenge-outcomes} and {@code challenge-expired} from the beginning, on its own thread,
 * each record kept with the time it arrived (for lateness). Aborted transactions of a killed
 * processor are never seen; anything committed twice is.
 */
final class SoakReader implements AutoCloseable {
  private final LapseTopics topics;
  private final Map<String, Object> config = new HashMap<>();
  private final ConcurrentLinkedQueue<Observed> observed = new ConcurrentLinkedQueue<>();
  private final Map<TopicPartition, Long> positions = new ConcurrentHashMap<>();
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final Thread thread;
  private volatile RuntimeException failure;

  SoakReader(String bootstrap, LapseTopics topics) {
    this.topics = topics;
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    // Lateness is measured at receipt: a fetch returns as soon as one record is readable
    // (fetch.min.bytes 1); the wait only bounds empty fetches, which cost the brokers CPU.
    config.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 50);
    config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
    config.put(ConsumerConfig.CLIENT_ID_CONFIG, "lapse-soak-reader");
    thread = new Thread(this::run, "lapse-soak-reader");
    thread.setDaemon(true);
    thread.start();
  }

  private void run() {
    KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
    try {
      List<TopicPartition> partitions = partitions(consumer);
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      var expired = topics.challengeExpired().valueDeserializer();
      var outcomes = topics.challengeOutcomes().valueDeserializer();
      String expiredTopic = topics.names().challengeExpired();
      while (running.get()) {
        var records = consumer.poll(Duration.ofMillis(20));
        long now = System.currentTimeMillis();
        for (ConsumerRecord<String, byte[]> r : records) {
          Object value =
              r.topic().equals(expiredTopic)
                  ? expired.deserialize(r.topic(), r.headers(), r.value())
                  : outcomes.deserialize(r.topic(), r.headers(), r.value());
          Observed o = observed(r.key(), value, now);
          if (o != null) {
            observed.add(o);
          }
        }
        for (TopicPartition p : partitions) {
          positions.put(p, consumer.position(p));
        }
      }
    } catch (RuntimeException e) {
      failure = e;
    } finally {
      consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
    }
  }

  private List<TopicPartition> partitions(KafkaConsumer<?, ?> consumer) {
    List<TopicPartition> partitions = new ArrayList<>();
    for (String topic :
        List.of(topics.names().challengeOutcomes(), topics.names().challengeExpired())) {
      consumer
          .partitionsFor(topic, Duration.ofSeconds(60))
          .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
    }
    return partitions;
  }

  static Observed observed(String sid, Object value, long seenAt) {
    if (value instanceof ChallengeExpired e) {
      return new Observed(sid, Kind.EXPIRED, null, e.getExpiredAt().toEpochMilli(), seenAt);
    } else if (value instanceof ChallengeApproved a) {
      return new Observed(
          sid, Kind.APPROVED, a.getAttemptId(), a.getDecidedAt().toEpochMilli(), seenAt);
    } else if (value instanceof ChallengeDenied d) {
      return new Observed(
          sid, Kind.DENIED, d.getAttemptId(), d.getDecidedAt().toEpochMilli(), seenAt);
    } else if (value instanceof VerificationFailed f) {
      return new Observed(
          sid, Kind.FAILED, f.getAttemptId(), f.getDecidedAt().toEpochMilli(), seenAt);
    } else if (value instanceof VerificationRejected r) {
      return new Observed(
          sid, Kind.REJECTED, r.getAttemptId(), r.getDecidedAt().toEpochMilli(), seenAt);
    }
    return null;
  }

  /** Everything seen so far. */
  List<Observed> observed() {
    checkHealthy();
    return List.copyOf(observed);
  }

  /**
   * Whether the reader has reached {@code ends} (last stable offsets taken by another consumer) on
   * every partition.
   */
  boolean reached(Map<TopicPartition, Long> ends) {
    checkHealthy();
    return ends.entrySet().stream()
        .allMatch(e -> positions.getOrDefault(e.getKey(), -1L) >= e.getValue());
  }

  /** The last stable offsets of the reader's partitions now, as a read_committed consumer sees. */
  Map<TopicPartition, Long> lastStableOffsets() {
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
      return consumer.endOffsets(partitions(consumer), Duration.ofSeconds(60));
    }
  }

  private void checkHealthy() {
    if (failure != null) {
      throw new IllegalStateException("the soak's reader failed: " + failure, failure);
    }
  }

  @Override
  public void close() {
    running.set(false);
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
