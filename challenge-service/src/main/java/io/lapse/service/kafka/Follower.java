package io.lapse.service.kafka;

import io.lapse.topics.KafkaConnection;
import io.lapse.topics.Topic;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads every partition of some topics on one thread and hands each record to its topic's handler:
 * manual assignment (no consumer group: every instance sees everything), {@code read_committed},
 * from a start position per topic (the beginning, or a point in time). {@link #caughtUp()}
 * completes once it has read up to the end offsets seen at start, which is when the instance may
 * serve. A record that does not decode is counted and skipped; it never stops the thread.
 */
public final class Follower implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Follower.class);

  /** What a subscription receives: key, value (null for a tombstone), offset. */
  @FunctionalInterface
  public interface Handler<V> {
    void handle(String key, V value, long offset);
  }

  /** One followed topic: where to start and what to do with its records. */
  public record Subscription<V>(Topic<String, V> topic, Instant startAt, Handler<V> handler) {
    /** {@code startAt} null means the beginning of the topic. */
    public static <V> Subscription<V> fromBeginning(Topic<String, V> topic, Handler<V> handler) {
      return new Subscription<>(topic, null, handler);
    }

    void dispatch(ConsumerRecord<byte[], byte[]> r) {
      String key = r.key() == null ? null : topic.keyDeserializer().deserialize(r.topic(), r.key());
      V value =
          r.value() == null
              ? null
              : topic.valueDeserializer().deserialize(r.topic(), r.headers(), r.value());
      handler.handle(key, value, r.offset());
    }
  }

  private final String name;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Map<String, Subscription<?>> byTopic = new HashMap<>();
  private final CompletableFuture<Void> caughtUp = new CompletableFuture<>();
  private final AtomicLong undecodable = new AtomicLong();
  private final Thread thread;
  private volatile boolean running = true;
  private volatile Throwable failure;

  public Follower(
      String name, KafkaConnection connection, Duration fetchMaxWait, List<Subscription<?>> subs) {
    this.name = name;
    Map<String, Object> props = connection.clientProps();
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, (int) fetchMaxWait.toMillis());
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, "lapse-challenge-service-" + name);
    this.consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    subs.forEach(s -> byTopic.put(s.topic().name(), s));
    this.thread = new Thread(this::run, "lapse-follower-" + name);
    this.thread.setDaemon(true);
  }

  /** Starts reading. */
  public Follower start() {
    thread.start();
    return this;
  }

  /** Completes when the records present at start have been read. */
  public CompletableFuture<Void> caughtUp() {
    return caughtUp;
  }

  /** Waits for {@link #caughtUp()}, failing with a clear message after {@code timeout}. */
  public void awaitCaughtUp(Duration timeout) {
    try {
      caughtUp.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reading " + byTopic.keySet(), e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("could not read " + byTopic.keySet(), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException(
          "did not finish reading " + byTopic.keySet() + " within " + timeout, e);
    }
  }

  /** True while the thread runs without a fatal error. */
  public boolean healthy() {
    return running && failure == null && thread.isAlive();
  }

  public long undecodableRecords() {
    return undecodable.get();
  }

  private void run() {
    try {
      Map<TopicPartition, Long> end = assignAndSeek();
      while (running) {
        ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(200));
        for (ConsumerRecord<byte[], byte[]> r : records) {
          Subscription<?> sub = byTopic.get(r.topic());
          try {
            sub.dispatch(r);
          } catch (RuntimeException e) {
            undecodable.incrementAndGet();
            LOG.warn(
                "Skipping record {}-{}@{} that could not be applied: {}",
                r.topic(),
                r.partition(),
                r.offset(),
                e.toString());
          }
        }
        if (!caughtUp.isDone() && reached(end)) {
          caughtUp.complete(null);
        }
      }
    } catch (WakeupException e) {
      // close() woke the poll.
    } catch (RuntimeException e) {
      failure = e;
      caughtUp.completeExceptionally(e);
      LOG.error("Follower {} stopped", name, e);
    } finally {
      consumer.close(CloseOptions.timeout(Duration.ofSeconds(2)));
    }
  }

  private Map<TopicPartition, Long> assignAndSeek() {
    List<TopicPartition> partitions = new ArrayList<>();
    for (String topic : byTopic.keySet()) {
      List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
      if (infos == null || infos.isEmpty()) {
        throw new IllegalStateException("topic " + topic + " does not exist");
      }
      infos.forEach(i -> partitions.add(new TopicPartition(i.topic(), i.partition())));
    }
    consumer.assign(partitions);
    Map<TopicPartition, Long> byTime = new HashMap<>();
    List<TopicPartition> fromStart = new ArrayList<>();
    for (TopicPartition tp : partitions) {
      Instant at = byTopic.get(tp.topic()).startAt();
      if (at == null) {
        fromStart.add(tp);
      } else {
        byTime.put(tp, at.toEpochMilli());
      }
    }
    consumer.seekToBeginning(fromStart);
    if (!byTime.isEmpty()) {
      Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(byTime);
      Map<TopicPartition, Long> ends = consumer.endOffsets(byTime.keySet());
      byTime
          .keySet()
          .forEach(
              tp -> {
                OffsetAndTimestamp o = found.get(tp);
                consumer.seek(tp, o != null ? o.offset() : ends.get(tp));
              });
    }
    return consumer.endOffsets(partitions);
  }

  private boolean reached(Map<TopicPartition, Long> end) {
    for (var e : end.entrySet()) {
      if (consumer.position(e.getKey()) < e.getValue()) {
        return false;
      }
    }
    return true;
  }

  @Override
  public void close() {
    running = false;
    consumer.wakeup();
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
