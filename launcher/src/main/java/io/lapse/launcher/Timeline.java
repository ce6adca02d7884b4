package io.lapse.launcher;

import io.lapse.serde.ConfluentAvroDeserializer;
import io.lapse.serde.SerdeConfig;
import io.lapse.topics.TopicNames;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.utils.Utils;

/**
 * {@code ./lapse timeline YC…}: every event of one challenge across Lapse's topics, in time order,
 * with topic, partition, offset, type and record time, and for the expiry how late it was.
 *
 * <p>The challenge topics are co-partitioned and keyed by challenge SID (docs/architecture.md,
 * "Topics"), so only the one partition the default partitioner picks for the SID is read on each;
 * dead-letter topics take their records without regard to the key, so all their partitions are
 * read. Reads are {@code read_committed}, as any consumer of the contract reads, from the beginning
 * to the end offsets at start (records of aborted transactions never appear).
 */
final class Timeline {
  private static final Duration BOUND = Duration.ofSeconds(30);
  private static final String DLQ_REASON = "lapse.dlq.reason";
  private static final String DLQ_MESSAGE = "__streams.errors.message";

  /** One event of the challenge as read from a topic. */
  record Event(
      String topic, int partition, long offset, Instant time, String type, String detail) {}

  private Timeline() {}

  static int print(String sid, RunningSystem system, PrintStream out) {
    List<Event> events = read(sid, system.bootstrap(), system.registry(), TopicNames.defaults());
    if (events.isEmpty()) {
      out.println("No event of " + sid + " on any Lapse topic.");
      return 1;
    }
    out.println("Timeline of " + sid + " (" + events.size() + " events, times in UTC)");
    out.printf("  %-24s  %-26s %3s %8s  %-21s %s%n", "time", "topic", "p", "offset", "type", "");
    for (Event e : events) {
      out.printf(
          "  %-24s  %-26s %3d %8d  %-21s %s%n",
          e.time(), e.topic(), e.partition(), e.offset(), e.type(), e.detail());
    }
    return 0;
  }

  static List<Event> read(String sid, String bootstrap, String registry, TopicNames names) {
    byte[] key = sid.getBytes(StandardCharsets.UTF_8);
    List<Event> events = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = consumer(bootstrap);
        ConfluentAvroDeserializer<Object> values = new ConfluentAvroDeserializer<>()) {
      values.configure(
          Map.of(
              SerdeConfig.SCHEMA_REGISTRY_URL, registry, "avro.use.logical.type.converters", true),
          false);
      Set<String> existing = consumer.listTopics(Duration.ofSeconds(10)).keySet();
      for (String topic : names.challengeTopics()) {
        if (!existing.contains(topic)) {
          continue;
        }
        int partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10)).size();
        // The default partitioner of a keyed record: murmur2 of the key bytes.
        int p = Utils.toPositive(Utils.murmur2(key)) % partitions;
        for (ConsumerRecord<byte[], byte[]> r :
            readAll(consumer, List.of(new TopicPartition(topic, p)))) {
          if (Arrays.equals(r.key(), key)) {
            events.add(decoded(r, values));
          }
        }
        String dlq = TopicNames.deadLetter(topic);
        if (existing.contains(dlq)) {
          List<TopicPartition> all =
              consumer.partitionsFor(dlq, Duration.ofSeconds(10)).stream()
                  .map((PartitionInfo i) -> new TopicPartition(dlq, i.partition()))
                  .toList();
          for (ConsumerRecord<byte[], byte[]> r : readAll(consumer, all)) {
            if (Arrays.equals(r.key(), key)) {
              events.add(deadLettered(r));
            }
          }
        }
      }
      events.sort(
          Comparator.comparing(Event::time)
              .thenComparing(Event::topic)
              .thenComparing(Event::offset));
      return events;
    }
  }

  private static Event decoded(
      ConsumerRecord<byte[], byte[]> r, ConfluentAvroDeserializer<Object> values) {
    Instant time = Instant.ofEpochMilli(r.timestamp());
    Object value;
    try {
      value = values.deserialize(r.topic(), r.headers(), r.value());
    } catch (RuntimeException e) {
      return new Event(r.topic(), r.partition(), r.offset(), time, "(undecodable)", e.getMessage());
    }
    if (!(value instanceof GenericRecord record)) {
      return new Event(r.topic(), r.partition(), r.offset(), time, "(tombstone)", "");
    }
    String type = record.getSchema().getName();
    String detail = "";
    switch (type) {
      case "ChallengeCreated" -> detail = "expires " + instant(record.get("expirationDate"));
      case "ChallengeExpired" -> {
        Instant due = instant(record.get("expirationDate"));
        Instant at = instant(record.get("expiredAt"));
        if (due != null && at != null) {
          // The expiry carries its own deadline: its lateness needs no other event.
          detail =
              "late by "
                  + Duration.between(due, at).toMillis()
                  + " ms (expiredAt − expirationDate)";
        }
      }
      case "VerificationRejected" -> detail = "code " + record.get("code");
      case "VerificationFailed" -> detail = "failed attempts " + record.get("failedAttempts");
      case "VerificationAttempted" -> detail = "outcome " + record.get("outcome");
      default -> detail = "";
    }
    return new Event(r.topic(), r.partition(), r.offset(), time, type, detail);
  }

  private static Event deadLettered(ConsumerRecord<byte[], byte[]> r) {
    Header reason = r.headers().lastHeader(DLQ_REASON);
    Header message = r.headers().lastHeader(DLQ_MESSAGE);
    Header why = reason != null ? reason : message;
    return new Event(
        r.topic(),
        r.partition(),
        r.offset(),
        Instant.ofEpochMilli(r.timestamp()),
        "(dead letter)",
        why == null ? "" : new String(why.value(), StandardCharsets.UTF_8));
  }

  private static Instant instant(Object value) {
    if (value instanceof Instant i) {
      return i;
    }
    if (value instanceof Long millis) {
      return Instant.ofEpochMilli(millis);
    }
    return null;
  }

  private static List<ConsumerRecord<byte[], byte[]>> readAll(
      KafkaConsumer<byte[], byte[]> consumer, List<TopicPartition> partitions) {
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(10));
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    long deadline = System.nanoTime() + BOUND.toNanos();
    while (!reached(consumer, end)) {
      if (System.nanoTime() > deadline) {
        throw CliException.failed("reading " + partitions + " took longer than " + BOUND);
      }
      consumer.poll(Duration.ofMillis(200)).forEach(records::add);
    }
    return records;
  }

  private static boolean reached(KafkaConsumer<?, ?> consumer, Map<TopicPartition, Long> end) {
    return end.entrySet().stream()
        .allMatch(e -> consumer.position(e.getKey(), Duration.ofSeconds(10)) >= e.getValue());
  }

  private static KafkaConsumer<byte[], byte[]> consumer(String bootstrap) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
    return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }
}
