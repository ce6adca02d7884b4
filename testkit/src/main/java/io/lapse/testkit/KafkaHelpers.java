package io.lapse.testkit;

import io.lapse.infra.KafkaBroker;
import io.lapse.infra.KafkaCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Small helpers that broker tests always need: unique names, topic creation, clients wired to a
 * {@link KafkaBroker}, and a bounded drain of a {@code read_committed} consumer.
 *
 * <p>Responsibility: remove boilerplate from tests without hiding Kafka: every helper returns the
 * plain Kafka client or data, and every wait has an explicit bound.
 */
public final class KafkaHelpers {

  private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);

  private KafkaHelpers() {}

  /** {@code prefix} plus a random suffix: keeps tests on a shared broker apart. */
  public static String uniqueName(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** An admin client for the broker; the caller closes it. */
  public static Admin admin(KafkaBroker broker) {
    return Admin.create(
        Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
  }

  /**
   * Creates the topics (replication factor 1) and waits until the broker confirms them. Topics that
   * already exist are accepted as they are.
   */
  public static void createTopics(Admin admin, Collection<String> names, int partitions) {
    createTopics(admin, names, partitions, (short) 1);
  }

  private static void createTopics(
      Admin admin, Collection<String> names, int partitions, short replicationFactor) {
    List<NewTopic> topics =
        names.stream()
            .map(n -> new NewTopic(n, partitions, replicationFactor))
            .collect(Collectors.toList());
    try {
      for (var entry : admin.createTopics(topics).values().entrySet()) {
        try {
          entry.getValue().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw new IllegalStateException("Cannot create topic " + entry.getKey(), e.getCause());
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while creating topics " + names, e);
    } catch (TimeoutException e) {
      throw new IllegalStateException(
          "Topics " + names + " not created within " + ADMIN_TIMEOUT, e);
    }
  }

  /**
   * Creates the topics on the broker through a short-lived admin client, with replication factor 1,
   * or on a {@link KafkaCluster} with the cluster's (3 on three nodes).
   */
  public static void createTopics(KafkaBroker broker, Collection<String> names, int partitions) {
    short replication =
        broker instanceof KafkaCluster cluster ? (short) cluster.replicationFactor() : (short) 1;
    try (Admin admin = admin(broker)) {
      createTopics(admin, names, partitions, replication);
    }
  }

  /** Producer settings for the broker: acks=all, idempotent, no lingering. Add to them freely. */
  public static Map<String, Object> producerConfig(KafkaBroker broker) {
    Map<String, Object> config = new HashMap<>();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    return config;
  }

  /** A transactional producer with {@code initTransactions()} already done; caller closes it. */
  public static <K, V> KafkaProducer<K, V> transactionalProducer(
      KafkaBroker broker, String transactionalId, Serializer<K> keys, Serializer<V> values) {
    Map<String, Object> config = producerConfig(broker);
    config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
    KafkaProducer<K, V> producer = new KafkaProducer<>(config, keys, values);
    producer.initTransactions();
    return producer;
  }

  /**
   * Consumer settings: {@code read_committed}, from the earliest offset, a unique group, no auto
   * commit, short fetch waits so tests see records quickly.
   */
  public static Map<String, Object> readCommittedConsumerConfig(KafkaBroker broker) {
    Map<String, Object> config = new HashMap<>();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    config.put(ConsumerConfig.GROUP_ID_CONFIG, uniqueName("lapse-test"));
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 50);
    return config;
  }

  /**
   * A {@code read_committed} consumer subscribed to the topics; the caller closes it.
   *
   * @see #readCommittedConsumerConfig(KafkaBroker)
   */
  public static <K, V> KafkaConsumer<K, V> readCommittedConsumer(
      KafkaBroker broker, Collection<String> topics, Deserializer<K> keys, Deserializer<V> values) {
    KafkaConsumer<K, V> consumer =
        new KafkaConsumer<>(readCommittedConsumerConfig(broker), keys, values);
    consumer.subscribe(Set.copyOf(topics));
    return consumer;
  }

  /**
   * Polls until the records seen so far satisfy {@code done}, and returns them all in poll order.
   *
   * @throws AssertionError if {@code done} is still false after {@code timeout}; the message lists
   *     how many records were seen
   */
  public static <K, V> List<ConsumerRecord<K, V>> drainUntil(
      Consumer<K, V> consumer, Predicate<List<ConsumerRecord<K, V>>> done, Duration timeout) {
    List<ConsumerRecord<K, V>> seen = new ArrayList<>();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!done.test(seen)) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError(
            "Condition not met within " + timeout + " after " + seen.size() + " records: " + seen);
      }
      consumer
          .poll(Duration.ofNanos(Math.min(left, Duration.ofMillis(100).toNanos())))
          .forEach(seen::add);
    }
    return seen;
  }

  /** Polls until at least {@code count} records arrived; see {@link #drainUntil}. */
  public static <K, V> List<ConsumerRecord<K, V>> drain(
      Consumer<K, V> consumer, int count, Duration timeout) {
    return drainUntil(consumer, records -> records.size() >= count, timeout);
  }
}
