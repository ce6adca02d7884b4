package io.lapse.topics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lapse.infra.KafkaBroker;
import io.lapse.testkit.KafkaHelpers;
import io.lapse.testkit.LapseIntegration;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;

/** The broker dates every record of {@code challenge-responses}, on new and existing topics. */
@LapseIntegration
class TopicProvisionerIT {

  private static KafkaConnection connection(KafkaBroker broker, String prefix) {
    return KafkaConnection.fromEnv(
        Map.of(
            "KAFKA_BOOTSTRAP_SERVERS",
            broker.bootstrapServers(),
            "LAPSE_PARTITIONS",
            "2",
            "LAPSE_TOPIC_PREFIX",
            prefix));
  }

  private static String timestampType(Admin admin, String topic) throws Exception {
    ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
    return admin
        .describeConfigs(List.of(r))
        .all()
        .get()
        .get(r)
        .get(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG)
        .value();
  }

  @Test
  void shouldCreateTheResponsesTopicDatedByTheBrokerAndTheOthersAsBefore(KafkaBroker broker)
      throws Exception {
    KafkaConnection c = connection(broker, KafkaHelpers.uniqueName("new") + ".");
    TopicNames names = c.topicNames();
    try (Admin admin = KafkaHelpers.admin(broker)) {
      new TopicProvisioner(c).ensureChallengeTopics(admin, names.challengeTopics());

      assertThat(timestampType(admin, names.challengeResponses())).isEqualTo("LogAppendTime");
      assertThat(timestampType(admin, names.challengeCreated())).isEqualTo("CreateTime");
      assertThat(new TopicProvisioner(c).ensureResponsesDatedByBroker(admin)).isTrue();
    }
  }

  @Test
  void shouldAlterAnExistingResponsesTopicDatedByItsWriters(KafkaBroker broker) throws Exception {
    KafkaConnection c = connection(broker, KafkaHelpers.uniqueName("old") + ".");
    TopicNames names = c.topicNames();
    try (Admin admin = KafkaHelpers.admin(broker)) {
      admin
          .createTopics(
              List.of(
                  new NewTopic(names.challengeResponses(), 2, (short) 1)
                      .configs(Map.of(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "CreateTime"))))
          .all()
          .get();
      TopicProvisioner provisioner = new TopicProvisioner(c);
      provisioner.ensureChallengeTopics(admin, names.challengeTopics());
      assertThat(timestampType(admin, names.challengeResponses()))
          .as("an existing topic is not recreated")
          .isEqualTo("CreateTime");

      assertThat(provisioner.ensureResponsesDatedByBroker(admin)).isTrue();

      // A KRaft broker applies an altered config through its metadata log: a describe right after
      // the alter can still show the old value, so wait (bounded) for it.
      await()
          .atMost(Duration.ofSeconds(15))
          .untilAsserted(
              () ->
                  assertThat(timestampType(admin, names.challengeResponses()))
                      .isEqualTo("LogAppendTime"));
    }
  }
}
