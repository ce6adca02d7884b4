package io.lapse.expiry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lapse.expiry.harness.ChallengeFeed;
import io.lapse.expiry.harness.ProcessorFixture;
import io.lapse.expiry.harness.TerminalWatcher;
import io.lapse.infra.KafkaCluster;
import io.lapse.infra.SchemaRegistry;
import io.lapse.testkit.KafkaHelpers;
import io.lapse.testkit.LapseIntegration;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * With {@code LAPSE_REPLICATION_FACTOR=3} on the three-broker cluster, every topic the processor
 * creates, its own and Kafka Streams' internal ones, has three replicas and requires two in sync
 * (the default {@code LAPSE_MIN_INSYNC_REPLICAS}), and challenges expire as on one broker.
 */
@LapseIntegration
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterDurabilityIT {
  private ProcessorFixture fixture;
  private Map<String, TopicDescription> topics;
  private Map<String, ConfigEntry> minInsyncReplicas;
  private Set<String> expired;

  @BeforeAll
  void startTheProcessorOnTheClusterAndLetOneChallengeExpire(
      KafkaCluster cluster, SchemaRegistry registry) throws Exception {
    fixture =
        new ProcessorFixture(cluster.bootstrapServers(), registry.url(), 3)
            .with("LAPSE_REPLICATION_FACTOR", "3");
    try (ExpiryProcessorApp app = fixture.start("cluster");
        ChallengeFeed feed = new ChallengeFeed(fixture.bootstrap(), fixture.topics());
        TerminalWatcher watcher = new TerminalWatcher(fixture.bootstrap(), fixture.topics())) {
      await().atMost(Duration.ofSeconds(90)).until(() -> app.state() == KafkaStreams.State.RUNNING);
      feed.create(ChallengeFeed.sid("cluster", 1), Instant.now().plusSeconds(1));
      feed.flush();
      await().atMost(Duration.ofSeconds(60)).until(() -> watcher.expiredCount() == 1);
      expired = Set.copyOf(watcher.expired().keySet());
    }
    try (Admin admin = KafkaHelpers.admin(cluster)) {
      Set<String> names =
          admin.listTopics().names().get(30, TimeUnit.SECONDS).stream()
              .filter(
                  n -> n.startsWith(fixture.topicPrefix()) || n.startsWith(fixture.applicationId()))
              .collect(Collectors.toSet());
      topics = admin.describeTopics(names).allTopicNames().get(30, TimeUnit.SECONDS);
      List<ConfigResource> resources =
          names.stream().map(n -> new ConfigResource(ConfigResource.Type.TOPIC, n)).toList();
      Map<ConfigResource, Config> configs =
          admin.describeConfigs(resources).all().get(30, TimeUnit.SECONDS);
      minInsyncReplicas =
          configs.entrySet().stream()
              .collect(
                  Collectors.toMap(
                      e -> e.getKey().name(),
                      e -> e.getValue().get(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG)));
    }
  }

  @Test
  void shouldReplicateEveryTopicOfTheProcessorThreeTimes() {
    assertThat(topics.keySet())
        .contains(fixture.topics().names().challengeCreated())
        .anyMatch(name -> name.startsWith(fixture.applicationId()) && name.endsWith("-changelog"));
    topics.forEach(
        (name, d) ->
            assertThat(d.partitions())
                .as(name)
                .allSatisfy(p -> assertThat(p.replicas()).hasSize(3)));
  }

  @Test
  void shouldRequireTwoInSyncReplicasOnEveryTopicOfTheProcessorInTheTopicsOwnConfiguration() {
    // Set on each topic, not inherited from this cluster's broker default (also 2), so it holds
    // on a cluster whose brokers default to 1.
    assertThat(minInsyncReplicas)
        .isNotEmpty()
        .allSatisfy(
            (name, entry) -> {
              assertThat(entry.value()).as(name).isEqualTo("2");
              assertThat(entry.source())
                  .as(name)
                  .isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);
            });
  }

  @Test
  void shouldExpireAChallengeOnTheCluster() {
    assertThat(expired).containsExactly(ChallengeFeed.sid("cluster", 1));
  }
}
