package io.lapse.expiry.harness;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads a whole topic as a {@code read_committed} consumer sees it, from the beginning up to the
 * last stable offset of every partition: the final, deterministic tally of what was published
 * (committed records only, aborted ones skipped).
 */
public final class CommittedReader {
  private CommittedReader() {}

  public static <V> List<ConsumerRecord<String, V>> readAll(
      String bootstrap, String topic, Deserializer<V> values, Duration bound) {
    Map<String, Object> config = new HashMap<>();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 50);
    try (KafkaConsumer<String, V> consumer =
        new KafkaConsumer<>(config, new StringDeserializer(), values)) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      List<ConsumerRecord<String, V>> records = new ArrayList<>();
      long deadline = System.nanoTime() + bound.toNanos();
      while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("Could not read " + topic + " to its end within " + bound);
        }
        consumer.poll(Duration.ofMillis(100)).forEach(records::add);
      }
      return records;
    }
  }

  /** How many committed records each key has on the topic (values matching {@code which}). */
  public static <V> Map<String, Long> countsByKey(
      String bootstrap,
      String topic,
      Deserializer<V> values,
      java.util.function.Predicate<? super V> which,
      Duration bound) {
    return readAll(bootstrap, topic, values, bound).stream()
        .filter(r -> which.test(r.value()))
        .collect(
            java.util.stream.Collectors.groupingBy(
                ConsumerRecord::key, java.util.stream.Collectors.counting()));
  }
}
