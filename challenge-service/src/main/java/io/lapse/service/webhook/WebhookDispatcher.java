package io.lapse.service.webhook;

import io.lapse.serde.RegistryUnavailableException;
import io.lapse.service.domain.Webhooks;
import io.lapse.state.v1.WebhookSnapshot;
import io.lapse.topics.KafkaConnection;
import io.lapse.topics.Topic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers the event topics' webhook events to the services' webhooks (docs/decisions/0018): a
 * consumer in its own group ({@code read_committed}; the instances of a deployment share the
 * partitions), one record at a time, in partition order. A record's offset is committed only once
 * every webhook subscribed to it has accepted it or it was dead-lettered, so a crash delivers it
 * again (at least once; the idempotency token is the same). A transient failure is tried again
 * after a pause that doubles, up to the bounded number of attempts, then dead-lettered with the
 * reason; while it waits, the consumer keeps polling with its partitions paused, so it stays in its
 * group however long the pauses add up to.
 *
 * <p>A webhook gets the events that happened after it was created, so a new group that starts at
 * the beginning of the topics delivers nothing old.
 */
public final class WebhookDispatcher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WebhookDispatcher.class);

  /**
   * @param groupId the consumer group shared by a deployment's instances
   * @param maxAttempts attempts per event and webhook before it is dead-lettered
   * @param firstBackoff the pause after the first failed attempt; doubled after each, up to {@code
   *     maxBackoff}
   * @param sessionTimeout how soon the group hands a crashed instance's partitions to another
   * @param lookupBound how long an outcome waits for this instance's view to show its challenge
   */
  public record Settings(
      String groupId,
      int maxAttempts,
      Duration firstBackoff,
      Duration maxBackoff,
      Duration sessionTimeout,
      Duration lookupBound) {}

  /** What the dispatchers of this instance did, across restarts. */
  public static final class Counters {
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong retried = new AtomicLong();
    private final AtomicLong deadLettered = new AtomicLong();

    /** Deliveries accepted (2xx). */
    public long delivered() {
      return delivered.get();
    }

    /** Attempts that failed transiently and were tried again. */
    public long retried() {
      return retried.get();
    }

    /** Deliveries given up and written to the dead-letter topic. */
    public long deadLettered() {
      return deadLettered.get();
    }
  }

  private enum Handled {
    /** Delivered or dead-lettered everywhere: commit. */
    DONE,
    /** Not finished (partition revoked, stopping, or to be read again): do not commit. */
    AGAIN
  }

  private final Settings settings;
  private final Webhooks webhooks;
  private final EventResolver resolver;
  private final WebhookSender sender;
  private final DeliveryDeadLetters deadLetters;
  private final Map<String, Topic<String, ?>> topics = new HashMap<>();
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Set<TopicPartition> owned = ConcurrentHashMap.newKeySet();
  private final Thread thread;
  private final Counters counters;
  private volatile boolean running = true;
  private volatile boolean halted;
  private volatile boolean busy;
  private volatile Throwable failure;

  WebhookDispatcher(
      KafkaConnection connection,
      Collection<Topic<String, ?>> eventTopics,
      String deadLetterTopic,
      Settings settings,
      Webhooks webhooks,
      EventResolver resolver,
      WebhookSender sender,
      Counters counters) {
    this.settings = settings;
    this.counters = counters;
    this.webhooks = webhooks;
    this.resolver = resolver;
    this.sender = sender;
    eventTopics.forEach(t -> topics.put(t.name(), t));
    Map<String, Object> props = connection.clientProps();
    props.put(ConsumerConfig.GROUP_ID_CONFIG, settings.groupId());
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 50);
    props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) settings.sessionTimeout().toMillis());
    props.put(
        ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG,
        (int) Math.max(500, settings.sessionTimeout().toMillis() / 4));
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, "lapse-challenge-service-webhooks");
    this.consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    this.deadLetters = new DeliveryDeadLetters(connection, deadLetterTopic);
    this.thread = new Thread(this::run, "lapse-webhooks");
    this.thread.setDaemon(true);
  }

  /** Starts consuming. */
  public WebhookDispatcher start() {
    thread.start();
    return this;
  }

  /** True while the dispatcher runs without a fatal error. */
  public boolean healthy() {
    return running && failure == null && thread.isAlive();
  }

  /** The partitions this instance delivers now. */
  public Set<TopicPartition> partitions() {
    return Set.copyOf(owned);
  }

  private void run() {
    try {
      consumer.subscribe(topics.keySet(), new Ownership());
      while (running) {
        ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(200));
        Set<TopicPartition> skip = new java.util.HashSet<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
          TopicPartition tp = new TopicPartition(r.topic(), r.partition());
          if (!running || skip.contains(tp) || !owned.contains(tp)) {
            continue;
          }
          if (handle(r) == Handled.DONE) {
            commit(tp, r.offset() + 1);
          } else {
            skip.add(tp);
            if (running && owned.contains(tp)) {
              consumer.seek(tp, r.offset()); // read it again
            }
          }
        }
      }
    } catch (WakeupException e) {
      // close() woke the poll.
    } catch (RuntimeException e) {
      failure = e;
      LOG.error("Webhook dispatcher stopped", e);
    } finally {
      CloseOptions close = CloseOptions.timeout(Duration.ofSeconds(2));
      if (halted) {
        // As a crashed process: the group learns of it only when the session times out.
        close =
            close.withGroupMembershipOperation(
                CloseOptions.GroupMembershipOperation.REMAIN_IN_GROUP);
      }
      consumer.close(close);
      deadLetters.close();
    }
  }

  private Handled handle(ConsumerRecord<byte[], byte[]> r) {
    busy = true;
    try {
      return handleRecord(r);
    } finally {
      busy = false;
      consumer.resume(consumer.paused());
    }
  }

  private Handled handleRecord(ConsumerRecord<byte[], byte[]> r) {
    Object value;
    try {
      value = decode(r);
    } catch (RuntimeException e) {
      if (RegistryUnavailableException.isCauseOf(e)) {
        LOG.warn("Schema registry unavailable while reading {}; reading it again", source(r));
        pause(settings.firstBackoff());
        return Handled.AGAIN;
      }
      // The service's own follower dead-letters undecodable challenge records; here it is no
      // webhook event anyone can be sent.
      LOG.warn("Skipping undecodable record {}: {}", source(r), e.toString());
      return Handled.DONE;
    }
    EventResolver.Head head = value == null ? null : EventResolver.head(value);
    if (head == null) {
      return Handled.DONE;
    }
    List<WebhookSnapshot> targets = new ArrayList<>();
    for (WebhookSnapshot w : webhooks.subscribers(head.serviceSid(), head.type())) {
      if (!w.getCreatedAt().isAfter(head.occurredAt())) {
        targets.add(w);
      }
    }
    if (targets.isEmpty()) {
      return Handled.DONE;
    }
    WebhookEvent event = resolver.resolve(value);
    consumer.pause(consumer.assignment());
    for (WebhookSnapshot w : targets) {
      if (deliver(w, event, r) == Handled.AGAIN) {
        return Handled.AGAIN;
      }
    }
    return Handled.DONE;
  }

  /** Delivers one event to one webhook, with its retries; dead-letters it when given up. */
  private Handled deliver(WebhookSnapshot w, WebhookEvent event, ConsumerRecord<?, ?> r) {
    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
    Map<String, String> params = event.params(w.getVersion());
    String token = idempotencyToken(w.getSid(), event.uuid());
    Duration backoff = settings.firstBackoff();
    WebhookSender.Result result = null;
    int attempt = 0;
    while (attempt < settings.maxAttempts()) {
      if (!running || !owned.contains(tp)) {
        return Handled.AGAIN;
      }
      if (!stillSubscribed(w, event.type())) {
        return Handled.DONE; // deleted or disabled meanwhile
      }
      attempt++;
      try {
        result = sender.send(w.getWebhookUrl(), params, token);
      } catch (InterruptedException e) {
        return Handled.AGAIN; // stopping: the attempt was cut off
      }
      if (!running && result.outcome() != WebhookSender.Outcome.DELIVERED) {
        // Stopping: whatever a cut-off attempt looked like, it is no verdict on the endpoint, so
        // the event is neither dead-lettered nor committed; the next owner delivers it again.
        return Handled.AGAIN;
      }
      if (result.outcome() == WebhookSender.Outcome.DELIVERED) {
        counters.delivered.incrementAndGet();
        LOG.debug("Delivered {} {} to webhook {}", event.type(), event.uuid(), w.getSid());
        return Handled.DONE;
      }
      if (result.outcome() == WebhookSender.Outcome.GIVE_UP) {
        break;
      }
      if (attempt < settings.maxAttempts()) {
        counters.retried.incrementAndGet();
        LOG.info(
            "Webhook {} failed for {} {} (attempt {} of {}: {}); trying again in {} ms",
            w.getSid(),
            event.type(),
            event.uuid(),
            attempt,
            settings.maxAttempts(),
            result.reason(),
            backoff.toMillis());
        if (!pause(backoff)) {
          return Handled.AGAIN;
        }
        backoff = min(backoff.multipliedBy(2), settings.maxBackoff());
      }
    }
    String reason =
        result.outcome() == WebhookSender.Outcome.GIVE_UP
            ? result.reason()
            : "gave up after " + attempt + " attempts: " + result.reason();
    try {
      deadLetters.write(
          new DeliveryDeadLetters.Delivery(
              w.getSid(), w.getWebhookUrl(), event.type(), event.uuid(), token),
          WebhookSender.form(params),
          reason,
          attempt,
          source(r));
    } catch (InterruptedException e) {
      return Handled.AGAIN;
    } catch (KafkaException e) {
      LOG.warn("Could not dead-letter a delivery to webhook {}: {}", w.getSid(), e.toString());
      pause(settings.firstBackoff());
      return Handled.AGAIN;
    }
    counters.deadLettered.incrementAndGet();
    LOG.warn(
        "Dead-lettered {} {} for webhook {} to {}: {}",
        event.type(),
        event.uuid(),
        w.getSid(),
        deadLetters.topic(),
        reason);
    return Handled.DONE;
  }

  private boolean stillSubscribed(WebhookSnapshot w, String type) {
    return webhooks.subscribers(w.getServiceSid(), type).stream()
        .anyMatch(s -> s.getSid().equals(w.getSid()));
  }

  /**
   * The same for every attempt and redelivery of one event to one webhook, and different for any
   * other pair.
   */
  static String idempotencyToken(String webhookSid, String eventUuid) {
    return webhookSid + "-" + eventUuid;
  }

  /**
   * Waits {@code pause}, polling with every partition paused so the group keeps this member (and
   * runs a rebalance if one is due: a partition taken away meanwhile is not committed).
   *
   * @return false if the dispatcher is stopping
   */
  private boolean pause(Duration pause) {
    long until = System.nanoTime() + pause.toNanos();
    while (running) {
      long left = until - System.nanoTime();
      if (left <= 0) {
        return true;
      }
      consumer.pause(consumer.assignment());
      ConsumerRecords<byte[], byte[]> stray =
          consumer.poll(Duration.ofNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100))));
      // Paused partitions return nothing; should one slip through, it is read again later.
      for (TopicPartition tp : stray.partitions()) {
        consumer.seek(tp, stray.records(tp).get(0).offset());
      }
    }
    return false;
  }

  private void commit(TopicPartition tp, long next) {
    try {
      consumer.commitSync(Map.of(tp, new OffsetAndMetadata(next)));
    } catch (CommitFailedException e) {
      // The partition moved to another instance, which delivers from the last commit.
      LOG.info("Could not commit {} at {}: {}", tp, next, e.getMessage());
    }
  }

  private Object decode(ConsumerRecord<byte[], byte[]> r) {
    if (r.value() == null) {
      return null;
    }
    return topics.get(r.topic()).valueDeserializer().deserialize(r.topic(), r.headers(), r.value());
  }

  private static String source(ConsumerRecord<?, ?> r) {
    return r.topic() + "-" + r.partition() + "@" + r.offset();
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  /** Tracks the partitions this member owns; a paused dispatcher pauses new ones too. */
  private final class Ownership implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      owned.removeAll(partitions);
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      owned.removeAll(partitions);
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      owned.addAll(partitions);
      if (busy) {
        consumer.pause(partitions);
      }
    }
  }

  /**
   * Stops as a crash would ({@link WebhookDelivery#crash}): as {@link #close}, and the consumer
   * stays a member of its group until its session times out.
   */
  void halt() {
    halted = true;
    close();
  }

  /** Stops at once: a delivery in flight is abandoned uncommitted (delivered again later). */
  @Override
  public void close() {
    running = false;
    consumer.wakeup();
    sender.abort();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
