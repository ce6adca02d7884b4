package io.lapse.service.support;

import io.lapse.events.v1.VerificationAttempted;
import io.lapse.service.domain.ChallengeView;
import io.lapse.topics.KafkaConnection;
import io.lapse.topics.LapseTopics;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;

/**
 * TEST ONLY: the {@link FakeDecider} behind real topics (challenge-responses in, challenge-outcomes
 * out), to test the service's Kafka request–reply wiring before the real expiry processor is
 * available. The end-to-end tests use the real processor.
 */
public final class KafkaFakeDecider implements AutoCloseable {
  private final KafkaConsumer<String, VerificationAttempted> consumer;
  private final KafkaProducer<String, SpecificRecord> producer;
  private final FakeDecider decider;
  private final LapseTopics topics;
  private final Thread thread;

  public KafkaFakeDecider(KafkaConnection kafka, ChallengeView view) {
    this.topics = kafka.topics();
    this.decider = new FakeDecider(view, Clock.systemUTC());
    Map<String, Object> c = kafka.clientProps();
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 20);
    consumer =
        new KafkaConsumer<>(
            c,
            topics.challengeResponses().keyDeserializer(),
            topics.challengeResponses().valueDeserializer());
    List<TopicPartition> parts =
        consumer.partitionsFor(topics.challengeResponses().name()).stream()
            .map(p -> new TopicPartition(p.topic(), p.partition()))
            .toList();
    consumer.assign(parts);
    consumer.seekToEnd(parts);
    parts.forEach(consumer::position); // pin the start before any attempt is sent
    producer =
        new KafkaProducer<>(
            kafka.clientProps(),
            topics.challengeOutcomes().keySerializer(),
            topics.challengeOutcomes().valueSerializer());
    thread = new Thread(this::run, "kafka-fake-decider");
    thread.setDaemon(true);
    thread.start();
  }

  private void run() {
    try {
      while (true) {
        for (ConsumerRecord<String, VerificationAttempted> r :
            consumer.poll(Duration.ofMillis(100))) {
          SpecificRecord outcome = decider.submit(r.value(), Duration.ofSeconds(1)).join();
          producer.send(new ProducerRecord<>(topics.challengeOutcomes().name(), r.key(), outcome));
        }
      }
    } catch (WakeupException e) {
      // closing
    } finally {
      consumer.close();
    }
  }

  @Override
  public void close() {
    consumer.wakeup();
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    producer.close();
  }
}
