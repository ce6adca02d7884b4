package io.lapse.topics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lapse.config.InvalidConfigException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KafkaConnectionTest {
  @Test
  void shouldReachALocalBrokerAndRegistryByDefault() {
    KafkaConnection c = KafkaConnection.fromEnv(Map.of());
    assertThat(c.bootstrapServers()).isEqualTo("127.0.0.1:9092");
    assertThat(c.schemaRegistryUrl()).isEqualTo("http://127.0.0.1:8081/apis/ccompat/v7");
    assertThat(c.partitions()).isEqualTo(6);
    assertThat(c.replicationFactor()).isEqualTo((short) 1);
    assertThat(c.minInsyncReplicas()).isEqualTo(1);
    assertThat(c.clientProps()).containsExactly(Map.entry("bootstrap.servers", "127.0.0.1:9092"));
    assertThat(c.topicNames()).isEqualTo(TopicNames.defaults());
  }

  @Test
  void shouldPassPrefixedVariablesThroughAsClientAndSerdeProperties() {
    KafkaConnection c =
        KafkaConnection.fromEnv(
            Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", "broker:9093",
                "KAFKA_PROPERTY_SECURITY_PROTOCOL", "SASL_SSL",
                "SCHEMA_REGISTRY_PROPERTY_BASIC_AUTH_CREDENTIALS_SOURCE", "USER_INFO"));
    assertThat(c.clientProps())
        .containsOnly(
            Map.entry("bootstrap.servers", "broker:9093"),
            Map.entry("security.protocol", "SASL_SSL"));
    assertThat(c.serdeProps())
        .containsEntry("basic.auth.credentials.source", "USER_INFO")
        .containsEntry("schema.registry.url", "http://127.0.0.1:8081/apis/ccompat/v7");
  }

  @Test
  void shouldReadTheTopicPrefixAndLogIt() {
    KafkaConnection c =
        KafkaConnection.fromEnv(
            Map.of("LAPSE_TOPIC_PREFIX", "t-", "LAPSE_TOPIC_CHALLENGE_EXPIRED", "gone"));
    assertThat(c.topicNames().challengeCreated()).isEqualTo("t-challenge-created");
    assertThat(c.topicNames().challengeExpired()).isEqualTo("gone");
    assertThat(c.toString())
        .contains("LAPSE_TOPIC_PREFIX=t-", "LAPSE_TOPIC_CHALLENGE_EXPIRED=gone")
        .containsOnlyOnce("LAPSE_TOPIC_PREFIX");
  }

  @Test
  void shouldRefuseCountsBelowOneNamingTheVariable() {
    assertThatThrownBy(() -> KafkaConnection.fromEnv(Map.of("LAPSE_PARTITIONS", "0")))
        .hasMessage("LAPSE_PARTITIONS must be at least 1, got 0");
    assertThatThrownBy(() -> KafkaConnection.fromEnv(Map.of("LAPSE_REPLICATION_FACTOR", "0")))
        .hasMessage("LAPSE_REPLICATION_FACTOR must be between 1 and 32767, got 0");
    assertThatThrownBy(() -> KafkaConnection.fromEnv(Map.of("LAPSE_PARTITIONS", "six")))
        .hasMessage("LAPSE_PARTITIONS must be an integer, got \"six\"");
  }

  @Test
  void shouldRequireAllButOneReplicaInSyncUnlessToldOtherwise() {
    assertThat(KafkaConnection.fromEnv(Map.of("LAPSE_REPLICATION_FACTOR", "3")).minInsyncReplicas())
        .isEqualTo(2);
    assertThat(KafkaConnection.fromEnv(Map.of("LAPSE_REPLICATION_FACTOR", "2")).minInsyncReplicas())
        .isEqualTo(1);
    assertThat(
            KafkaConnection.fromEnv(
                    Map.of("LAPSE_REPLICATION_FACTOR", "3", "LAPSE_MIN_INSYNC_REPLICAS", "3"))
                .minInsyncReplicas())
        .isEqualTo(3);
  }

  @Test
  void shouldRefuseMoreInSyncReplicasThanReplicas() {
    // Kafka would create the topics and then refuse every acks=all write to them.
    assertThatThrownBy(
            () ->
                KafkaConnection.fromEnv(
                    Map.of("LAPSE_REPLICATION_FACTOR", "2", "LAPSE_MIN_INSYNC_REPLICAS", "3")))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessage(
            "LAPSE_MIN_INSYNC_REPLICAS must be at most LAPSE_REPLICATION_FACTOR (2), got 3");
  }
}
