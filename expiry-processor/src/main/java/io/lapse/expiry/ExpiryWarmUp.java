package io.lapse.expiry;

import io.lapse.contract.AttemptMacKeys;
import io.lapse.events.v1.AttemptOutcome;
import io.lapse.events.v1.ChallengeCreated;
import io.lapse.events.v1.ChallengeExpired;
import io.lapse.events.v1.VerificationAttempted;
import io.lapse.serde.SerdeConfig;
import io.lapse.topics.KafkaConnection;
import io.lapse.topics.LapseTopics;
import io.lapse.topics.Topic;
import io.lapse.topics.TopicNames;
import io.lapse.topics.TopicProvisioner;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A rehearsal of the processor's own work before it takes any real partition, so that the first
 * real challenges meet compiled code rather than an interpreter.
 *
 * <p>A cold JVM runs the arbiter, the Avro serde, RocksDB's JNI calls and Kafka's transactional
 * clients interpreted for its first tens of thousands of records; fed 5 000 challenges/s right
 * after start, it fell seconds behind (docs/decisions/0019-cold-start-lateness.md). So the
 * processor first runs the same topology, with the same settings and Streams tuning, on private
 * topics of its own ({@code lapse-warmup-<random>-…}) under its own application id, state
 * directory, metrics and attempt key: it publishes challenges due within a second (some already
 * due, so they expire on arrival), signed approvals for a share of them, waits until their expiries
 * are committed, then closes that Streams client and deletes its topics, group and state. Nothing
 * reaches the real topics, the real group or the real metrics.
 *
 * <p>Schemas: the rehearsal's serdes use a private in-memory registry scope, so no warm-up subject
 * is ever registered in the shared registry; the real serde's registry lookups are one call per
 * schema and cached, so they need no warming.
 *
 * <p>Bounded: it publishes for the configured time once its client runs (joining takes at most 30
 * s), then waits at most 10 s (or as long again) for the expiries; a failure is logged and start-up
 * goes on (a cold processor is slower, not wrong).
 */
final class ExpiryWarmUp {
  /** How long the rehearsal's client gets to stop: first a short wait, then a long one. */
  private static final List<Duration> CLOSE_BOUNDS =
      List.of(Duration.ofSeconds(30), Duration.ofSeconds(90));

  /** How long a group deletion refused because a member has not left yet is retried. */
  private static final Duration GROUP_DELETE_BOUND = Duration.ofSeconds(60);

  private static final Logger LOG = LoggerFactory.getLogger(ExpiryWarmUp.class);
  private static final SecureRandom RANDOM = new SecureRandom();

  /** Challenges per second during the rehearsal: the rate the scenario feeds. */
  static final int RATE = 5_000;

  /** Every how many challenges one also gets a signed approval. */
  static final int APPROVE_EVERY = 10;

  private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(10);

  private final ExpiryConfig config;
  private final Duration duration;
  private final String id;

  ExpiryWarmUp(ExpiryConfig config, Duration duration) {
    this.config = config;
    this.duration = duration;
    byte[] b = new byte[4];
    RANDOM.nextBytes(b);
    this.id = "lapse-warmup-" + HexFormat.of().formatHex(b);
  }

  /** The rehearsal's topic names: the real ones, prefixed with its id. */
  static TopicNames names(String id) {
    return TopicNames.fromEnv(Map.of("LAPSE_TOPIC_PREFIX", id + "-"));
  }

  /** Runs the rehearsal; returns the number of expiries it saw committed (0 if it failed). */
  int run() {
    if (duration.isZero()) {
      return 0;
    }
    long started = System.nanoTime();
    TopicNames names = names(id);
    KafkaConnection connection = new KafkaConnection(config.connection().values(), names);
    LapseTopics topics =
        LapseTopics.create(names, Map.of(SerdeConfig.SCHEMA_REGISTRY_URL, "mock://" + id));
    byte[] key = new byte[AttemptMacKeys.MIN_KEY_BYTES];
    RANDOM.nextBytes(key);
    AttemptMacKeys macKeys = AttemptMacKeys.of("warmup", key);
    Path stateDir;
    try {
      // Beside the real state (not the OS temp directory, which the OS may clear underneath).
      stateDir = Files.createDirectories(config.stateDir().resolve(id));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    int seen = 0;
    try (Admin admin = Admin.create(config.connection().clientProps())) {
      try {
        createTopics(admin, connection, names);
        seen = rehearse(topics, macKeys, stateDir);
        LOG.info(
            "Warm-up: {} challenges expired in {} ms (LAPSE_EXPIRY_WARM_UP={})",
            seen,
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started),
            duration);
      } catch (RuntimeException | ExecutionException | TimeoutException e) {
        LOG.warn("Warm-up failed; starting cold", e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        cleanUp(admin, stateDir);
      }
    }
    return seen;
  }

  private void createTopics(Admin admin, KafkaConnection connection, TopicNames names)
      throws ExecutionException, InterruptedException, TimeoutException {
    List<NewTopic> topics = new ArrayList<>();
    for (String name : names.challengeTopics()) {
      NewTopic t =
          new NewTopic(name, connection.partitions(), connection.replicationFactor())
              .configs(
                  Map.of(
                      TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG,
                      String.valueOf(connection.minInsyncReplicas())));
      if (name.equals(names.challengeResponses())) {
        t.configs(
            Map.of(
                TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG,
                String.valueOf(connection.minInsyncReplicas()),
                TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG,
                TopicProvisioner.BROKER_TIME));
      }
      topics.add(t);
    }
    topics.add(
        new NewTopic(
            LapseTopics.deadLetter(names.challengeResponses()).name(),
            connection.partitions(),
            connection.replicationFactor()));
    topics.add(
        new NewTopic(
            LapseTopics.deadLetter(names.challengeCreated()).name(),
            connection.partitions(),
            connection.replicationFactor()));
    admin.createTopics(topics).all().get(30, TimeUnit.SECONDS);
  }

  private int rehearse(LapseTopics topics, AttemptMacKeys macKeys, Path stateDir)
      throws InterruptedException {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    ExpiryMetrics metrics = new ExpiryMetrics(registry);
    Properties props = config.streamsProperties(metrics);
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, id);
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    props.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, 0);
    Topic<String, ChallengeExpired> expired = topics.challengeExpired();
    KafkaStreams streams =
        new KafkaStreams(ExpiryTopology.build(topics, config.settings(), macKeys, metrics), props);
    try (KafkaConsumer<String, ChallengeExpired> observer = observer(config.connection(), expired);
        KafkaProducer<String, ChallengeCreated> creates =
            producer(config.connection(), topics.challengeCreated());
        KafkaProducer<String, VerificationAttempted> attempts =
            producer(config.connection(), topics.challengeResponses())) {
      List<TopicPartition> partitions =
          observer.partitionsFor(expired.name(), Duration.ofSeconds(30)).stream()
              .map(p -> new TopicPartition(expired.name(), p.partition()))
              .toList();
      observer.assign(partitions);
      observer.seekToBeginning(partitions);
      long started = System.nanoTime();
      streams.start();
      // Joining the group takes seconds (the broker's initial rebalance delay); rehearse on a
      // running client only, so the rehearsal is processing, not waiting.
      long joinEnd = System.nanoTime() + JOIN_TIMEOUT.toNanos();
      while (streams.state() != KafkaStreams.State.RUNNING && System.nanoTime() < joinEnd) {
        observer.poll(Duration.ofMillis(100)); // also settles the observer's fetch position
      }
      if (streams.state() != KafkaStreams.State.RUNNING) {
        throw new IllegalStateException("the rehearsal's Streams client did not start in time");
      }
      long joined = System.nanoTime();
      long publishEnd = joined + duration.toNanos();
      int published = publish(creates, attempts, topics, macKeys, publishEnd);
      LOG.info(
          "Warm-up: joined in {} ms, published {} challenges in {} ms",
          TimeUnit.NANOSECONDS.toMillis(joined - started),
          published,
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - joined));
      // Each approved challenge either expired (its approval came late) or did not.
      int atLeast = published - (published + APPROVE_EVERY - 1) / APPROVE_EVERY;
      long waitEnd = System.nanoTime() + Math.max(duration.toNanos(), DRAIN_TIMEOUT.toNanos());
      int seen = 0;
      long lastReport = System.nanoTime();
      while (seen < atLeast && System.nanoTime() < waitEnd) {
        seen += observer.poll(Duration.ofMillis(100)).count();
        if (System.nanoTime() - lastReport > 1_000_000_000L) {
          LOG.debug("Warm-up: {} of at least {} expiries read", seen, atLeast);
          lastReport = System.nanoTime();
        }
      }
      return seen;
    } finally {
      // On a loaded machine the threads may take longer than the first bound to stop, and
      // cleanUp() refuses a client that is still running (seen at load average 40: the warm-up
      // then failed, and its group, still with a member, could not be deleted).
      boolean closed = false;
      for (Duration bound : CLOSE_BOUNDS) {
        closed =
            streams.close(
                CloseOptions.groupMembershipOperation(
                        CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                    .withTimeout(bound));
        if (closed) {
          break;
        }
      }
      if (closed) {
        streams.cleanUp();
      } else {
        LOG.warn("Warm-up: its Streams client did not stop in time; its state is left to cleanUp");
      }
      registry.close();
    }
  }

  /** Publishes at {@link #RATE} until {@code endNanos}; returns the number of challenges. */
  private static int publish(
      KafkaProducer<String, ChallengeCreated> creates,
      KafkaProducer<String, VerificationAttempted> attempts,
      LapseTopics topics,
      AttemptMacKeys macKeys,
      long endNanos) {
    long start = System.nanoTime();
    int i = 0;
    for (; System.nanoTime() < endNanos; i++) {
      long due = start + (long) i * 1_000_000_000L / RATE;
      long wait = due - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
      Instant now = Instant.ofEpochMilli(System.currentTimeMillis());
      String sid = sid("YC");
      // Deadlines from 100 ms ago (expire on arrival) to 900 ms ahead (expire on a tick).
      Instant deadline = now.plusMillis(RANDOM.nextInt(1_000) - 100);
      // Signed like the service's creates: the rehearsed topology takes no unsigned create.
      ChallengeCreated unsigned =
          ChallengeCreated.newBuilder()
              .setSid(sid)
              .setAccountSid("AC" + "0".repeat(32))
              .setServiceSid("VA" + "0".repeat(32))
              .setEntitySid("YE" + "0".repeat(32))
              .setIdentity("warm-up")
              .setFactorSid("YF" + "0".repeat(32))
              .setFactorType("push")
              .setCreatedAt(now)
              .setExpirationDate(deadline)
              .setDetailsFields(List.of())
              .build();
      ChallengeCreated created = macKeys.sign(unsigned);
      creates.send(new ProducerRecord<>(topics.challengeCreated().name(), sid, created));
      if (i % APPROVE_EVERY == 0) {
        VerificationAttempted attempt =
            macKeys.sign(
                VerificationAttempted.newBuilder()
                    .setSid(sid)
                    .setServiceSid(created.getServiceSid())
                    .setIdentity(created.getIdentity())
                    .setFactorSid(created.getFactorSid())
                    .setAttemptId(sid("YA"))
                    .setAttemptAt(now)
                    .setOutcome(AttemptOutcome.APPROVED)
                    .build());
        attempts.send(new ProducerRecord<>(topics.challengeResponses().name(), sid, attempt));
      }
    }
    creates.flush();
    attempts.flush();
    return i;
  }

  private static KafkaConsumer<String, ChallengeExpired> observer(
      KafkaConnection connection, Topic<String, ChallengeExpired> expired) {
    Properties p = new Properties();
    p.putAll(connection.clientProps());
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    return new KafkaConsumer<>(p, expired.keyDeserializer(), expired.valueDeserializer());
  }

  private static <V> KafkaProducer<String, V> producer(
      KafkaConnection connection, Topic<String, V> topic) {
    Properties p = new Properties();
    p.putAll(connection.clientProps());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    return new KafkaProducer<>(p, topic.keySerializer(), topic.valueSerializer());
  }

  /**
   * Deletes the rehearsal's consumer group. A member that has not left yet (a client that was slow
   * to stop) makes the broker refuse with {@code GroupNotEmptyException} until the member leaves or
   * its session times out, so that refusal is retried within {@link #GROUP_DELETE_BOUND}.
   */
  private void deleteGroup(Admin admin)
      throws ExecutionException, TimeoutException, InterruptedException {
    long end = System.nanoTime() + GROUP_DELETE_BOUND.toNanos();
    while (true) {
      try {
        admin.deleteConsumerGroups(List.of(id)).all().get(30, TimeUnit.SECONDS);
        return;
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof GroupNotEmptyException) || System.nanoTime() > end) {
          throw e;
        }
        Thread.sleep(500); // a retry's backoff while the member leaves, not a synchronisation
      }
    }
  }

  /** Deletes the rehearsal's topics (its own and Streams' internal ones), group and state. */
  private void cleanUp(Admin admin, Path stateDir) {
    try {
      Set<String> all = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      List<String> ours = all.stream().filter(t -> t.startsWith(id)).toList();
      admin.deleteTopics(ours).all().get(30, TimeUnit.SECONDS);
      deleteGroup(admin);
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      LOG.warn("Warm-up: could not delete all of its topics ({}-…) or group", id, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try (var files = Files.walk(stateDir)) {
      files
          .sorted(java.util.Comparator.reverseOrder())
          .forEach(
              f -> {
                try {
                  Files.deleteIfExists(f);
                } catch (IOException e) {
                  // Left in the temp directory; harmless.
                }
              });
    } catch (IOException e) {
      LOG.debug("Warm-up: state directory {} left behind", stateDir, e);
    }
  }

  private static String sid(String prefix) {
    byte[] b = new byte[16];
    RANDOM.nextBytes(b);
    return prefix + HexFormat.of().formatHex(b);
  }
}
