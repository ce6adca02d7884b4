package io.lapse.expiry.harness;

import io.lapse.events.v1.ChallengeApproved;
import io.lapse.events.v1.ChallengeDenied;
import io.lapse.events.v1.ChallengeExpired;
import io.lapse.topics.LapseTopics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A {@code read_committed} consumer of the expired and outcome topics on its own thread, as a
 * downstream service would read them: records, per challenge SID, every ChallengeExpired (with the
 * time it was seen, for lateness) and every terminal outcome, so tests can check exactly-once,
 * never early, and never both approved and expired.
 */
public final class TerminalWatcher implements AutoCloseable {
  /** One ChallengeExpired as seen: its deadline, the processor's expiredAt and our receive time. */
  public record Seen(long deadline, long expiredAt, long receivedAt) {}

  private final Map<String, List<Seen>> expired = new ConcurrentHashMap<>();
  private final Map<String, List<String>> terminalOutcomes = new ConcurrentHashMap<>();
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final Thread thread;
  private final LapseTopics topics;
  private final KafkaConsumer<String, byte[]> consumer;

  public TerminalWatcher(String bootstrap, LapseTopics topics) {
    this.topics = topics;
    Map<String, Object> config = new HashMap<>();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    config.put(ConsumerConfig.GROUP_ID_CONFIG, "watcher-" + java.util.UUID.randomUUID());
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    // Lateness is measured at receipt: don't let the broker hold fetches for fuller batches.
    config.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 5);
    config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
    consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
    consumer.subscribe(
        Set.of(topics.names().challengeExpired(), topics.names().challengeOutcomes()));
    thread = new Thread(this::run, "terminal-watcher");
    thread.setDaemon(true);
    thread.start();
  }

  private void run() {
    var expiredDeserializer = topics.challengeExpired().valueDeserializer();
    var outcomeDeserializer = topics.challengeOutcomes().valueDeserializer();
    String expiredTopic = topics.names().challengeExpired();
    while (running.get()) {
      var records = consumer.poll(Duration.ofMillis(5));
      long now = System.currentTimeMillis();
      for (ConsumerRecord<String, byte[]> r : records) {
        if (r.topic().equals(expiredTopic)) {
          ChallengeExpired e = expiredDeserializer.deserialize(r.topic(), r.headers(), r.value());
          expired
              .computeIfAbsent(
                  r.key(), k -> java.util.Collections.synchronizedList(new ArrayList<>()))
              .add(
                  new Seen(
                      e.getExpirationDate().toEpochMilli(), e.getExpiredAt().toEpochMilli(), now));
        } else {
          Object o = outcomeDeserializer.deserialize(r.topic(), r.headers(), r.value());
          if (o instanceof ChallengeApproved || o instanceof ChallengeDenied) {
            terminalOutcomes
                .computeIfAbsent(
                    r.key(), k -> java.util.Collections.synchronizedList(new ArrayList<>()))
                .add(o.getClass().getSimpleName());
          }
        }
      }
    }
    consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
  }

  /** Distinct challenges seen expired. */
  public int expiredCount() {
    return expired.size();
  }

  /** ChallengeExpired records seen in total (more than {@link #expiredCount} means duplicates). */
  public int expiredRecords() {
    return expired.values().stream().mapToInt(List::size).sum();
  }

  public int approvedOrDeniedCount() {
    return terminalOutcomes.size();
  }

  public Map<String, List<Seen>> expired() {
    return expired;
  }

  public Map<String, List<String>> terminalOutcomes() {
    return terminalOutcomes;
  }

  /** Challenges whose ChallengeExpired was seen before its deadline (by our clock or expiredAt). */
  public List<String> early() {
    List<String> early = new ArrayList<>();
    expired.forEach(
        (sid, list) -> {
          for (Seen s : List.copyOf(list)) {
            if (s.receivedAt() < s.deadline() || s.expiredAt() < s.deadline()) {
              early.add(sid);
            }
          }
        });
    return early;
  }

  /** SIDs expired more than once. */
  public List<String> duplicates() {
    return expired.entrySet().stream()
        .filter(e -> e.getValue().size() > 1)
        .map(Map.Entry::getKey)
        .toList();
  }

  /** Lateness (receipt − deadline) of the first expiry of each challenge matching the filter. */
  public Lateness lateness(java.util.function.Predicate<String> sids) {
    return Lateness.of(
        expired.entrySet().stream()
            .filter(e -> sids.test(e.getKey()))
            .mapToLong(e -> e.getValue().get(0).receivedAt() - e.getValue().get(0).deadline())
            .toArray());
  }

  /**
   * The two parts of lateness: at emission ({@code expiredAt} − deadline: when the tick ran) and
   * after it (receipt − {@code expiredAt}: the wait for the commit, the commit, the fetch).
   */
  public Lateness[] latenessParts(java.util.function.Predicate<String> sids) {
    List<Seen> firsts =
        expired.entrySet().stream()
            .filter(e -> sids.test(e.getKey()))
            .map(e -> e.getValue().get(0))
            .toList();
    return new Lateness[] {
      Lateness.of(firsts.stream().mapToLong(s -> s.expiredAt() - s.deadline()).toArray()),
      Lateness.of(firsts.stream().mapToLong(s -> s.receivedAt() - s.expiredAt()).toArray())
    };
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
