package io.lapse.launcher;

import io.lapse.serde.ConfluentAvroDeserializer;
import io.lapse.serde.SerdeConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * {@code ./lapse events TOPIC}: prints a topic's records decoded through the schema registry, as
 * another microservice would read them ({@code read_committed}, no consumer group), from the
 * beginning to the end it had when started ({@code --follow} keeps reading).
 */
final class EventTail {
  /** Without --follow, give up when no record came for this long before reaching the end. */
  private static final Duration READ_BOUND = Duration.ofSeconds(30);

  private EventTail() {}

  private static boolean reached(KafkaConsumer<?, ?> consumer, Map<TopicPartition, Long> end) {
    return end.entrySet().stream()
        .allMatch(e -> consumer.position(e.getKey(), Duration.ofSeconds(10)) >= e.getValue());
  }

  static int run(String topic, boolean follow, String bootstrap, String registryUrl) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    ConfluentAvroDeserializer<Object> values = new ConfluentAvroDeserializer<>();
    values.configure(
        Map.of(
            SerdeConfig.SCHEMA_REGISTRY_URL,
            registryUrl,
            "avro.use.logical.type.converters",
            true), // print instants as dates, not epoch millis
        false);
    try (KafkaConsumer<String, Object> consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), values)) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .toList();
      if (partitions.isEmpty()) {
        System.err.println("lapse: no topic " + topic);
        return 1;
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      // Read up to the end as of now (for read_committed: the last stable offset). A quiet spell
      // alone is no end: on a loaded machine or a cluster the first fetch can take longer.
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(10));
      long quietSince = System.nanoTime();
      int count = 0;
      while (follow
          || !reached(consumer, end) && System.nanoTime() - quietSince < READ_BOUND.toNanos()) {
        var records = consumer.poll(Duration.ofMillis(200));
        for (ConsumerRecord<String, Object> r : records) {
          System.out.printf(
              "%s-%d@%d key=%s %s%n", r.topic(), r.partition(), r.offset(), r.key(), r.value());
          count++;
        }
        if (!records.isEmpty()) {
          quietSince = System.nanoTime();
        }
      }
      System.err.printf("(%d records on %s)%n", count, topic);
      return 0;
    }
  }
}
