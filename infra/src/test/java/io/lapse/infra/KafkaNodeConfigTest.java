package io.lapse.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The server properties that make a loopback node a single broker or a cluster member. */
class KafkaNodeConfigTest {
  private static final Path LOGS = Path.of("/tmp/lapse-test-logs");
  private static final KafkaNodeConfig.Node ONE = new KafkaNodeConfig.Node(1, 9092, 19092);
  private static final KafkaNodeConfig.Node TWO = new KafkaNodeConfig.Node(2, 9093, 19093);
  private static final KafkaNodeConfig.Node THREE = new KafkaNodeConfig.Node(3, 9094, 19094);

  @Test
  void shouldReplicateEverythingOnceOnASingleNode() {
    Properties p =
        KafkaNodeConfig.serverProperties(ONE, List.of(ONE), LOGS, BrokerOptions.defaults());

    assertThat(p)
        .containsEntry("default.replication.factor", "1")
        .containsEntry("offsets.topic.replication.factor", "1")
        .containsEntry("transaction.state.log.replication.factor", "1")
        .containsEntry("transaction.state.log.min.isr", "1")
        .containsEntry("controller.quorum.voters", "1@127.0.0.1:19092")
        .doesNotContainKey("min.insync.replicas");
  }

  @Test
  void shouldReplicateEveryTopicThreeTimesWithTwoInSyncOnThreeNodes() {
    Properties p =
        KafkaNodeConfig.serverProperties(
            TWO, List.of(ONE, TWO, THREE), LOGS, BrokerOptions.defaults());

    assertThat(p)
        .containsEntry("node.id", "2")
        .containsEntry(
            "controller.quorum.voters", "1@127.0.0.1:19092,2@127.0.0.1:19093,3@127.0.0.1:19094")
        .containsEntry("listeners", "PLAINTEXT://127.0.0.1:9093,CONTROLLER://127.0.0.1:19093")
        .containsEntry("advertised.listeners", "PLAINTEXT://127.0.0.1:9093")
        .containsEntry("default.replication.factor", "3")
        .containsEntry("min.insync.replicas", "2")
        .containsEntry("offsets.topic.replication.factor", "3")
        .containsEntry("transaction.state.log.replication.factor", "3")
        .containsEntry("transaction.state.log.min.isr", "2")
        .containsEntry("share.coordinator.state.topic.min.isr", "2");
  }

  @Test
  void shouldCapReplicationAtThreeAndKeepOneReplicaSpare() {
    assertThat(KafkaNodeConfig.replicationFactor(5)).isEqualTo(3);
    assertThat(KafkaNodeConfig.minInsyncReplicas(5)).isEqualTo(2);
    assertThat(KafkaNodeConfig.replicationFactor(2)).isEqualTo(2);
    assertThat(KafkaNodeConfig.minInsyncReplicas(2)).isEqualTo(1);
    assertThat(KafkaNodeConfig.minInsyncReplicas(1)).isEqualTo(1);
  }

  @Test
  void shouldLetOverridesWin() {
    Properties p =
        KafkaNodeConfig.serverProperties(
            ONE,
            List.of(ONE, TWO, THREE),
            LOGS,
            BrokerOptions.defaults().withOverride("broker.session.timeout.ms", "9000"));

    assertThat(p).containsEntry("broker.session.timeout.ms", "9000");
  }
}
