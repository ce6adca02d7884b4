package io.lapse.service.kafka;

import io.lapse.serde.RegistryUnavailableException;
import io.lapse.topics.KafkaConnection;
import io.lapse.topics.Topic;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
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
 * serve.
 *
 * <p>No record is skipped silently, and none stops the thread:
 *
 * <ul>
 *   <li>a record whose writer schema the registry cannot serve now ({@link
 *       RegistryUnavailableException}) is read again after a pause (doubling up to {@link
 *       #MAX_RETRY_PAUSE}): the follower seeks back to it, and its partition's later records wait
 *       behind it, so order is kept. A partition held up for longer than {@link #STALL_TOLERANCE}
 *       makes {@link #healthy()} false (the instance's {@code /health} answers 503): what it serves
 *       from that topic is going stale. At start, it holds up {@link #caughtUp()};
 *   <li>a record that cannot be decoded, or whose handler throws, is written to its topic's
 *       dead-letter topic ({@code <topic>-dlq}, the reason in headers; see {@link
 *       DeadLetterWriter}), counted, and passed. If that write fails it is retried like an outage.
 * </ul>
 *
 * Without a consumer group there are no committed offsets: every instance, and every restart,
 * dead-letters such a record again; the headers' topic, partition and offset identify repeats.
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

  /** How long a partition may wait for the registry before the follower reports unhealthy. */
  public static final Duration STALL_TOLERANCE = Duration.ofSeconds(5);

  /** First pause before reading a held-up record again; doubled up to {@link #MAX_RETRY_PAUSE}. */
  static final Duration FIRST_RETRY_PAUSE = Duration.ofMillis(100);

  static final Duration MAX_RETRY_PAUSE = Duration.ofSeconds(5);

  private final String name;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final DeadLetterWriter deadLetters;
  private final Map<String, Subscription<?>> byTopic = new HashMap<>();
  private final CompletableFuture<Void> caughtUp = new CompletableFuture<>();
  private final AtomicLong undecodable = new AtomicLong();
  private final AtomicLong retries = new AtomicLong();

  /** Partitions waiting to read a record again, with the time (nanos) they first waited. */
  private final Map<TopicPartition, Long> heldSince = new ConcurrentHashMap<>();

  /**
   * Where the follower stands in each partition: every record before it has been applied. Written
   * by the follower's thread after each poll, read by {@link #reach}.
   */
  private final Map<TopicPartition, Long> applied = new ConcurrentHashMap<>();

  /** Waits of {@link #reach} not reached yet. */
  private final Queue<Barrier> barriers = new ConcurrentLinkedQueue<>();

  private volatile Set<TopicPartition> assigned = Set.of();

  private final CountDownLatch stopping = new CountDownLatch(1);
  private final Thread thread;
  private long retryPauseMillis = FIRST_RETRY_PAUSE.toMillis();
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
    this.deadLetters = new DeadLetterWriter(connection, name);
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

  /**
   * True while the thread runs without a fatal error and no partition has waited for the registry
   * longer than {@link #STALL_TOLERANCE}.
   */
  public boolean healthy() {
    return running && failure == null && thread.isAlive() && !stalled();
  }

  /** True when a partition has waited for the registry longer than {@link #STALL_TOLERANCE}. */
  public boolean stalled() {
    long now = System.nanoTime();
    return heldSince.values().stream().anyMatch(t -> now - t > STALL_TOLERANCE.toNanos());
  }

  /** Records dead-lettered because they could not be decoded or applied. */
  public long undecodableRecords() {
    return undecodable.get();
  }

  /** Reads retried because the schema registry could not answer (or the DLQ write failed). */
  public long retriedReads() {
    return retries.get();
  }

  /** The partitions this follower reads (empty before it started). */
  public Set<TopicPartition> partitions() {
    return assigned;
  }

  /**
   * Completes once every record before {@code offsets} (of the partitions this follower reads) has
   * been applied, or fails with a {@link TimeoutException} after {@code bound}.
   */
  public CompletableFuture<Void> reach(Map<TopicPartition, Long> offsets, Duration bound) {
    Barrier barrier = new Barrier(Map.copyOf(offsets), new CompletableFuture<>());
    // Completes the barrier itself, so the follower drops it even if it is never reached.
    barrier.done().orTimeout(bound.toMillis(), TimeUnit.MILLISECONDS);
    if (!barrier.reachedBy(applied)) {
      barriers.add(barrier);
      // The follower may have got there between the check and the add.
      if (barrier.reachedBy(applied)) {
        barriers.remove(barrier);
      } else {
        return barrier.done();
      }
    }
    barrier.done().complete(null);
    return barrier.done();
  }

  /** A wait for the follower to stand at or beyond {@code offsets}. */
  private record Barrier(Map<TopicPartition, Long> offsets, CompletableFuture<Void> done) {
    boolean reachedBy(Map<TopicPartition, Long> applied) {
      for (var e : offsets.entrySet()) {
        Long at = applied.get(e.getKey());
        if (at == null || at < e.getValue()) {
          return false;
        }
      }
      return true;
    }
  }

  /**
   * Publishes where each partition stands and releases the waits reached. A wait checks positions
   * only after a poll, so while one is pending polls are short: the commit marker after a record
   * moves the position without returning a record.
   */
  private void publishPositions() {
    for (TopicPartition tp : assigned) {
      applied.put(tp, consumer.position(tp));
    }
    barriers.removeIf(
        b -> {
          if (b.done().isDone() || b.reachedBy(applied)) {
            b.done().complete(null);
            return true;
          }
          return false;
        });
  }

  private void run() {
    try {
      Map<TopicPartition, Long> end = assignAndSeek();
      while (running) {
        ConsumerRecords<byte[], byte[]> records =
            consumer.poll(barriers.isEmpty() ? Duration.ofMillis(200) : Duration.ofMillis(10));
        Set<TopicPartition> heldNow = new HashSet<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
          TopicPartition tp = new TopicPartition(r.topic(), r.partition());
          if (heldNow.contains(tp)) {
            continue; // read again after the seek, behind the held record
          }
          if (apply(r)) {
            released(r, heldSince.remove(tp));
          } else {
            consumer.seek(tp, r.offset());
            heldNow.add(tp);
            heldSince.putIfAbsent(tp, System.nanoTime());
          }
        }
        if (!heldNow.isEmpty()) {
          pauseBeforeRetry();
        } else if (heldSince.isEmpty()) {
          retryPauseMillis = FIRST_RETRY_PAUSE.toMillis(); // nothing held any more
        }
        if (!caughtUp.isDone() && reached(end)) {
          caughtUp.complete(null);
        }
        publishPositions();
      }
    } catch (WakeupException e) {
      // close() woke the poll.
    } catch (RuntimeException e) {
      failure = e;
      caughtUp.completeExceptionally(e);
      LOG.error("Follower {} stopped", name, e);
    } finally {
      consumer.close(CloseOptions.timeout(Duration.ofSeconds(2)));
      deadLetters.close();
    }
  }

  /** Applies one record, or dead-letters it; false when it must be read again later. */
  private boolean apply(ConsumerRecord<byte[], byte[]> r) {
    try {
      byTopic.get(r.topic()).dispatch(r);
      return true;
    } catch (RuntimeException e) {
      if (RegistryUnavailableException.isCauseOf(e)) {
        retries.incrementAndGet();
        LOG.warn(
            "Schema registry unavailable while reading {}-{}@{}; reading it again in {} ms: {}",
            r.topic(),
            r.partition(),
            r.offset(),
            retryPauseMillis,
            e.toString());
        return false;
      }
      return deadLetter(r, e);
    }
  }

  private boolean deadLetter(ConsumerRecord<byte[], byte[]> r, RuntimeException reason) {
    String dlq;
    try {
      dlq = deadLetters.write(r, reason);
    } catch (RuntimeException e) {
      retries.incrementAndGet();
      LOG.warn(
          "Record {}-{}@{} cannot be applied ({}) nor dead-lettered ({}); reading it again in {} ms",
          r.topic(),
          r.partition(),
          r.offset(),
          reason.toString(),
          e.toString(),
          retryPauseMillis);
      return false;
    }
    undecodable.incrementAndGet();
    LOG.warn(
        "Dead-lettered record {}-{}@{} to {}: {}",
        r.topic(),
        r.partition(),
        r.offset(),
        dlq,
        DeadLetterWriter.causalChain(reason));
    return true;
  }

  private static void released(ConsumerRecord<byte[], byte[]> r, Long heldSinceNanos) {
    if (heldSinceNanos != null) {
      LOG.info(
          "Read {}-{}@{} after holding it for {} ms",
          r.topic(),
          r.partition(),
          r.offset(),
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - heldSinceNanos));
    }
  }

  private void pauseBeforeRetry() {
    try {
      stopping.await(retryPauseMillis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running = false;
    }
    retryPauseMillis = Math.min(MAX_RETRY_PAUSE.toMillis(), retryPauseMillis * 2);
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
    assigned = Set.copyOf(partitions);
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
    stopping.countDown();
    consumer.wakeup();
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
