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
 * beginning until the topic has been quiet for a second ({@code --follow} keeps reading).
 */
final class EventTail {
  private EventTail() {}

  static int run(String topic, boolean follow, String bootstrap, String registryUrl) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    ConfluentAvroDeserializer<Object> values = new ConfluentAvroDeserializer<>();
    values.configure(Map.of(SerdeConfig.SCHEMA_REGISTRY_URL, registryUrl), false);
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
      long quietSince = System.nanoTime();
      int count = 0;
      while (follow || System.nanoTime() - quietSince < 1_000_000_000L) {
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
