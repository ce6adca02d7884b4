package io.lapse.launcher.bench;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.ToLongFunction;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** What the two Kafka contenders share: the read_committed observer and the ingest wait. */
final class KafkaSide {
  private KafkaSide() {}

  /** The Kafka client's version, from the file its jar carries. */
  static String version() {
    Properties p = new Properties();
    try (var in = KafkaConsumer.class.getResourceAsStream("/kafka/kafka-version.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (java.io.IOException e) {
      // unknown then
    }
    return p.getProperty("version", "unknown");
  }

  /**
   * Reads {@code topic} from its end with {@code read_committed} on a thread of its own and hands
   * every record to {@code sink}; {@link AutoCloseable#close} stops it.
   */
  static <V> AutoCloseable observe(
      String bootstrap,
      String topic,
      Deserializer<V> values,
      ToLongFunction<V> expiredAt,
      Contender.Sink sink) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 5); // lateness, not fetch batching, is measured
    KafkaConsumer<String, V> consumer = new KafkaConsumer<>(p, new StringDeserializer(), values);
    List<TopicPartition> partitions =
        consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
            .map(i -> new TopicPartition(topic, i.partition()))
            .toList();
    consumer.assign(partitions);
    consumer.seekToEnd(partitions);
    partitions.forEach(tp -> consumer.position(tp, Duration.ofSeconds(30)));
    AtomicBoolean stop = new AtomicBoolean();
    Thread t =
        new Thread(
            () -> {
              try (consumer) {
                while (!stop.get()) {
                  for (ConsumerRecord<String, V> r : consumer.poll(Duration.ofMillis(50))) {
                    long now = System.currentTimeMillis();
                    sink.expired(r.key(), expiredAt.applyAsLong(r.value()), now);
                  }
                }
              }
            },
            "bench-observer-" + topic);
    t.setDaemon(true);
    t.start();
    return () -> {
      stop.set(true);
      t.join(10_000);
    };
  }

  /**
   * Waits (at most {@code bound}) until every consumer group reading {@code topic} has committed
   * its end: the records are then in the contender's store, pending.
   */
  static void awaitIngested(String bootstrap, String topic, Duration bound) throws Exception {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (Admin admin = Admin.create(p)) {
      Set<TopicPartition> partitions =
          admin
              .describeTopics(List.of(topic))
              .allTopicNames()
              .get(30, TimeUnit.SECONDS)
              .get(topic)
              .partitions()
              .stream()
              .map(i -> new TopicPartition(topic, i.partition()))
              .collect(Collectors.toSet());
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      partitions.forEach(tp -> latest.put(tp, OffsetSpec.latest()));
      Map<TopicPartition, Long> ends = new HashMap<>();
      admin
          .listOffsets(latest)
          .all()
          .get(30, TimeUnit.SECONDS)
          .forEach((tp, info) -> ends.put(tp, info.offset()));
      long deadline = System.nanoTime() + bound.toNanos();
      while (System.nanoTime() < deadline) {
        boolean caughtUp = true;
        boolean anyGroup = false;
        for (GroupListing g : admin.listGroups().all().get(30, TimeUnit.SECONDS)) {
          Map<TopicPartition, OffsetAndMetadata> committed =
              admin
                  .listConsumerGroupOffsets(g.groupId())
                  .partitionsToOffsetAndMetadata()
                  .get(30, TimeUnit.SECONDS);
          if (committed.keySet().stream().noneMatch(partitions::contains)) {
            continue;
          }
          anyGroup = true;
          for (TopicPartition tp : partitions) {
            OffsetAndMetadata o = committed.get(tp);
            long end = ends.get(tp);
            // A transactional commit marker sits after the last record: end - 1 is caught up too.
            if (end > 0 && (o == null || o.offset() < end - 1)) {
              caughtUp = false;
            }
          }
        }
        if (anyGroup && caughtUp) {
          return;
        }
        Thread.sleep(200); // polling offsets the contender commits, bounded by the deadline
      }
    }
  }
}
