package io.lapse.launcher.bench;

import io.lapse.contract.AttemptMacKeys;
import io.lapse.events.v1.ChallengeCreated;
import io.lapse.events.v1.ChallengeExpired;
import io.lapse.serde.SerdeConfig;
import io.lapse.topics.LapseTopics;
import io.lapse.topics.Topic;
import io.lapse.topics.TopicNames;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * The expiry scenario of a running system, measured from outside it: challenges published straight
 * onto {@code challenge-created} at a fixed rate (Confluent-framed, schema from the registry, as
 * another microservice would), each due a random 2–12 s ahead, while an observer reads {@code
 * challenge-expired} with {@code read_committed} and takes each expiry's lateness as its receive
 * time minus its {@code expirationDate}. The producer and the observer run in this process, not in
 * the system's: what it measures includes the transaction, the commit and the fetch, as any
 * consumer sees them.
 *
 * @param rate challenges per second
 * @param count challenges in the run
 * @param minAhead the shortest time to a deadline
 * @param maxAhead the longest time to a deadline
 * @param grace how long after the last deadline to wait for missing expiries before calling them
 *     lost
 */
public record ExpiryLoad(
    int rate, int count, Duration minAhead, Duration maxAhead, Duration grace) {

  /** The scenario: 20 000 challenges at 5 000/s, due 2–12 s ahead. */
  public static ExpiryLoad standard() {
    return new ExpiryLoad(
        5_000, 20_000, Duration.ofSeconds(2), Duration.ofSeconds(12), Duration.ofSeconds(60));
  }

  /**
   * Runs the scenario against the system at {@code bootstrap} and {@code registryUrl}; its creates
   * are signed with the first of {@code createKeys} (the system's challenge MAC keys: its expiry
   * processor takes no unsigned create, docs/decisions/0020-signed-challenge-creates.md).
   */
  public Lateness.Summary run(
      String bootstrap, String registryUrl, TopicNames names, AttemptMacKeys createKeys)
      throws InterruptedException {
    LapseTopics topics =
        LapseTopics.create(names, Map.of(SerdeConfig.SCHEMA_REGISTRY_URL, registryUrl));
    Lateness lateness = new Lateness();
    AtomicBoolean stop = new AtomicBoolean();
    AtomicReference<Throwable> observerFailure = new AtomicReference<>();
    Topic<String, ChallengeExpired> expired = topics.challengeExpired();
    try (KafkaConsumer<String, ChallengeExpired> consumer = observer(bootstrap, expired);
        KafkaProducer<String, ChallengeCreated> producer =
            producer(bootstrap, topics.challengeCreated())) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(expired.name(), Duration.ofSeconds(10)).stream()
              .map(p -> new TopicPartition(expired.name(), p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToEnd(partitions);
      partitions.forEach(p -> consumer.position(p, Duration.ofSeconds(10))); // fix the start now
      Thread observing =
          new Thread(
              () -> {
                try {
                  while (!stop.get()) {
                    for (ConsumerRecord<String, ChallengeExpired> r :
                        consumer.poll(Duration.ofMillis(50))) {
                      long now = System.currentTimeMillis();
                      ChallengeExpired e = r.value();
                      lateness.expired(e.getSid(), e.getExpiredAt().toEpochMilli(), now);
                    }
                  }
                } catch (RuntimeException e) {
                  observerFailure.set(e);
                }
              },
              "expiry-observer");
      observing.start();
      publish(producer, topics.challengeCreated(), lateness, createKeys);
      long giveUp = lateness.lastDeadline() + grace.toMillis();
      while (!lateness.complete()
          && System.currentTimeMillis() < giveUp
          && observerFailure.get() == null) {
        Thread.sleep(100); // polling a condition the observer thread fills, bounded by giveUp
      }
      stop.set(true);
      observing.join(10_000);
    }
    if (observerFailure.get() != null) {
      throw new IllegalStateException("the observer failed", observerFailure.get());
    }
    return lateness.summary();
  }

  private void publish(
      KafkaProducer<String, ChallengeCreated> producer,
      Topic<String, ChallengeCreated> created,
      Lateness lateness,
      AttemptMacKeys createKeys) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    String account = sid("AC");
    String service = sid("VA");
    long start = System.nanoTime();
    long spread = maxAhead.toMillis() - minAhead.toMillis();
    for (int i = 0; i < count; i++) {
      long due = start + (long) i * 1_000_000_000L / rate;
      long wait = due - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
      Instant now = Instant.ofEpochMilli(System.currentTimeMillis());
      Instant deadline = now.plusMillis(minAhead.toMillis() + random.nextLong(spread + 1));
      ChallengeCreated unsigned =
          ChallengeCreated.newBuilder()
              .setSid(sid("YC"))
              .setAccountSid(account)
              .setServiceSid(service)
              .setEntitySid(sid("YE"))
              .setIdentity("load-" + (i % 1000))
              .setFactorSid(sid("YF"))
              .setFactorType("push")
              .setCreatedAt(now)
              .setExpirationDate(deadline)
              .setDetailsFields(List.of())
              .build();
      ChallengeCreated challenge = createKeys.sign(unsigned);
      lateness.created(challenge.getSid(), deadline.toEpochMilli());
      producer.send(new ProducerRecord<>(created.name(), challenge.getSid(), challenge));
    }
    producer.flush();
  }

  private static KafkaConsumer<String, ChallengeExpired> observer(
      String bootstrap, Topic<String, ChallengeExpired> expired) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 5); // lateness, not fetch batching, is measured
    return new KafkaConsumer<>(p, expired.keyDeserializer(), expired.valueDeserializer());
  }

  private static KafkaProducer<String, ChallengeCreated> producer(
      String bootstrap, Topic<String, ChallengeCreated> created) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    return new KafkaProducer<>(p, created.keySerializer(), created.valueSerializer());
  }

  private static String sid(String prefix) {
    byte[] b = new byte[16];
    ThreadLocalRandom.current().nextBytes(b);
    return prefix + HexFormat.of().formatHex(b);
  }
}
