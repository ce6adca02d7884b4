package io.lapse.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.lapse.infra.BrokerOptions;
import io.lapse.infra.KafkaBroker;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

@LapseIntegration
class KafkaBrokerIT {

  private static final Duration BOUND = Duration.ofSeconds(20);

  @Test
  void shouldShowCommittedTransactionsButNotAbortedOnesToReadCommittedConsumer(KafkaBroker broker) {
    String topic = KafkaHelpers.uniqueName("tx");
    KafkaHelpers.createTopics(broker, List.of(topic), 3);

    try (KafkaProducer<String, String> producer =
        KafkaHelpers.transactionalProducer(
            broker,
            KafkaHelpers.uniqueName("tx-id"),
            new StringSerializer(),
            new StringSerializer())) {
      producer.beginTransaction();
      producer.send(new ProducerRecord<>(topic, "k1", "aborted"));
      producer.flush();
      producer.abortTransaction();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>(topic, "k1", "committed-1"));
      producer.send(new ProducerRecord<>(topic, "k2", "committed-2"));
      producer.commitTransaction();
    }

    try (KafkaConsumer<String, String> consumer =
        KafkaHelpers.readCommittedConsumer(
            broker, List.of(topic), new StringDeserializer(), new StringDeserializer())) {
      // The aborted record sits before committed-1 in the same partition, so a consumer that
      // showed it would show it before both committed records are in.
      List<ConsumerRecord<String, String>> records =
          KafkaHelpers.drainUntil(
              consumer,
              seen ->
                  seen.stream()
                      .map(ConsumerRecord::value)
                      .toList()
                      .containsAll(List.of("committed-1", "committed-2")),
              BOUND);

      assertThat(records)
          .extracting(ConsumerRecord::value)
          .containsExactlyInAnyOrder("committed-1", "committed-2");
    }
  }

  @Test
  void shouldCreateTopicsWithTheConfiguredDefaultPartitionCountWhenNoneIsGiven(KafkaBroker broker)
      throws Exception {
    String topic = KafkaHelpers.uniqueName("defaults");
    try (Admin admin = KafkaHelpers.admin(broker)) {
      admin
          .createTopics(List.of(new NewTopic(topic, Optional.empty(), Optional.empty())))
          .all()
          .get();

      TopicDescription description =
          admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);

      assertThat(description.partitions()).hasSize(BrokerOptions.DEFAULT_PARTITIONS);
    }
  }
}
