package io.lapse.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lapse.infra.KafkaCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The test kit's three-broker cluster: every topic, the internal ones included, is replicated three
 * times with two in-sync replicas required, and {@code acks=all} writes go on when the leader of
 * their partition is killed with SIGKILL; after its restart nothing is missing. The kill test runs
 * last, so the others see a cluster that never lost a node.
 */
@LapseIntegration
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KafkaClusterIT {
  private static final Duration BOUND = Duration.ofSeconds(60);

  private KafkaCluster cluster;

  @BeforeAll
  void start(KafkaCluster cluster) {
    this.cluster = cluster;
  }

  @Test
  @Order(1)
  void shouldReplicateEveryTopicThreeTimesAndRequireTwoInSyncReplicas() throws Exception {
    String topic = KafkaHelpers.uniqueName("replicated");
    try (Admin admin = KafkaHelpers.admin(cluster)) {
      // No replication factor given: the cluster's default applies.
      admin
          .createTopics(List.of(new NewTopic(topic, Optional.of(3), Optional.empty())))
          .all()
          .get(30, TimeUnit.SECONDS);
      // A transaction and a consumer group's commit create the internal topics.
      try (KafkaProducer<String, String> producer =
          KafkaHelpers.transactionalProducer(
              cluster,
              KafkaHelpers.uniqueName("tx"),
              new StringSerializer(),
              new StringSerializer())) {
        producer.beginTransaction();
        producer.send(new ProducerRecord<>(topic, "k", "v"));
        producer.commitTransaction();
      }
      try (KafkaConsumer<String, String> consumer =
          KafkaHelpers.readCommittedConsumer(
              cluster, List.of(topic), new StringDeserializer(), new StringDeserializer())) {
        KafkaHelpers.drain(consumer, 1, BOUND);
        consumer.commitSync();
      }

      Map<String, TopicDescription> topics =
          admin
              .describeTopics(List.of(topic, "__consumer_offsets", "__transaction_state"))
              .allTopicNames()
              .get(30, TimeUnit.SECONDS);
      topics.forEach(
          (name, d) ->
              assertThat(d.partitions())
                  .as(name)
                  .isNotEmpty()
                  .allSatisfy(p -> assertThat(p.replicas()).hasSize(3)));
      ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
      String minIsr =
          admin
              .describeConfigs(List.of(resource))
              .all()
              .get(30, TimeUnit.SECONDS)
              .get(resource)
              .get(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG)
              .value();
      assertThat(minIsr).isEqualTo("2");
    }
    assertThat(cluster.replicationFactor()).isEqualTo(3);
    assertThat(cluster.minInsyncReplicas()).isEqualTo(2);
  }

  @Test
  @Order(3)
  void shouldKeepAcceptingAcksAllWritesWhenTheLeaderIsKilledAndServeThemAllAfterItsRestart()
      throws Exception {
    String topic = KafkaHelpers.uniqueName("failover");
    TopicPartition partition = new TopicPartition(topic, 0);
    KafkaHelpers.createTopics(cluster, List.of(topic), 1);
    Map<String, Object> config = KafkaHelpers.producerConfig(cluster);
    config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) BOUND.toMillis());
    List<String> sent = new ArrayList<>();
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
      send(producer, topic, "before", 50, sent);
      int leader = cluster.leaderOf(partition).orElseThrow();

      cluster.kill(leader);
      long killedAt = System.nanoTime();
      send(producer, topic, "after", 50, sent);
      System.out.printf(
          "KafkaClusterIT: 50 acks=all writes done %d ms after killing leader %d%n",
          (System.nanoTime() - killedAt) / 1_000_000, leader);

      assertThat(cluster.isRunning(leader)).isFalse();
      OptionalInt newLeader = cluster.leaderOf(partition);
      assertThat(newLeader).isPresent();
      assertThat(newLeader.getAsInt()).isNotEqualTo(leader);

      cluster.restart(leader);
      cluster.awaitFullyReplicated(BOUND);
      assertThat(cluster.isRunning(leader)).isTrue();
    }

    try (KafkaConsumer<String, String> consumer =
        KafkaHelpers.readCommittedConsumer(
            cluster, List.of(topic), new StringDeserializer(), new StringDeserializer())) {
      List<String> read =
          KafkaHelpers.drain(consumer, sent.size(), BOUND).stream()
              .map(ConsumerRecord::value)
              .toList();
      assertThat(read).containsExactlyElementsOf(sent);
    }
  }

  @Test
  @Order(2)
  void shouldTellWhichNodeLeadsAPartition() {
    String topic = KafkaHelpers.uniqueName("leaders");
    KafkaHelpers.createTopics(cluster, List.of(topic), 6);
    await()
        .atMost(BOUND)
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              Collection<Integer> leaders = new ArrayList<>();
              for (int p = 0; p < 6; p++) {
                leaders.add(cluster.leaderOf(new TopicPartition(topic, p)).orElseThrow());
              }
              // Six partitions spread their leaders over the three nodes.
              assertThat(leaders).containsAll(cluster.nodeIds());
            });
  }

  private static void send(
      KafkaProducer<String, String> producer,
      String topic,
      String tag,
      int count,
      List<String> sent)
      throws Exception {
    for (int i = 0; i < count; i++) {
      String value = tag + "-" + i;
      producer.send(new ProducerRecord<>(topic, "key", value)).get();
      sent.add(value);
    }
  }
}
