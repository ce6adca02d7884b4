package io.lapse.topics;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Creates the topics a process writes, idempotently, at start: an existing topic is left as it is
 * (a partition-count mismatch on a co-partitioned topic is reported, because it would break
 * co-partitioning silently).
 */
public final class TopicProvisioner {
  private final KafkaConnection connection;

  public TopicProvisioner(KafkaConnection connection) {
    this.connection = connection;
  }

  /** Co-partitioned challenge topics (delete policy) with the configured partition count. */
  public void ensureChallengeTopics(Admin admin, Collection<String> names) {
    ensure(admin, names, connection.partitions(), Map.of());
  }

  /** Compacted snapshot topics: compaction keeps the last full snapshot per key. */
  public void ensureStateTopics(Admin admin, Collection<String> names) {
    ensure(
        admin,
        names,
        connection.partitions(),
        Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
  }

  /**
   * The challenge service's command topics, with the challenge topics' partition count: {@code
   * lapse-commands} dated by the broker ({@code message.timestamp.type=LogAppendTime}, also set on
   * a topic that exists without it), because its decisions take their time from the record; {@code
   * lapse-replies} kept one hour, since a reply is awaited for seconds only.
   */
  public void ensureCommandTopics(Admin admin, String commands, String replies) {
    Map<String, String> logAppendTime =
        Map.of(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "LogAppendTime");
    ensure(admin, List.of(commands), connection.partitions(), logAppendTime);
    ensure(
        admin,
        List.of(replies),
        connection.partitions(),
        Map.of(TopicConfig.RETENTION_MS_CONFIG, String.valueOf(TimeUnit.HOURS.toMillis(1))));
    ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, commands);
    AlterConfigOp set =
        new AlterConfigOp(
            new ConfigEntry(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "LogAppendTime"),
            AlterConfigOp.OpType.SET);
    try {
      admin.incrementalAlterConfigs(Map.of(topic, List.of(set))).all().get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while configuring " + commands, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException(
          "Could not set LogAppendTime on " + commands + ": " + e.getMessage(), e);
    }
  }

  /** Dead-letter topics: kept 14 days for operators to inspect. */
  public void ensureDeadLetterTopics(Admin admin, Collection<String> inputTopics) {
    List<String> names = inputTopics.stream().map(TopicNames::deadLetter).toList();
    ensure(
        admin,
        names,
        1,
        Map.of(TopicConfig.RETENTION_MS_CONFIG, String.valueOf(TimeUnit.DAYS.toMillis(14))));
  }

  private void ensure(
      Admin admin, Collection<String> names, int partitions, Map<String, String> configs) {
    List<NewTopic> topics = new ArrayList<>();
    for (String name : names) {
      topics.add(new NewTopic(name, partitions, connection.replicationFactor()).configs(configs));
    }
    try {
      var result = admin.createTopics(topics);
      for (var entry : result.values().entrySet()) {
        try {
          entry.getValue().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw new IllegalStateException(
                "Could not create topic " + entry.getKey() + ": " + e.getCause(), e.getCause());
          }
        }
      }
      checkPartitions(admin, Set.copyOf(names), partitions);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while creating topics " + names, e);
    } catch (TimeoutException e) {
      throw new IllegalStateException(
          "Timed out creating topics " + names + " on " + connection.bootstrapServers(), e);
    }
  }

  private static void checkPartitions(Admin admin, Set<String> names, int expected)
      throws InterruptedException, TimeoutException {
    var descriptions = describeWhenVisible(admin, names);
    descriptions.forEach(
        (name, d) -> {
          if (d.partitions().size() != expected) {
            throw new IllegalStateException(
                "Topic "
                    + name
                    + " has "
                    + d.partitions().size()
                    + " partitions, expected "
                    + expected
                    + ": co-partitioned challenge topics must share one partition count"
                    + " (LAPSE_PARTITIONS)");
          }
        });
  }

  /**
   * Describes the topics, waiting (bounded) until a topic created a moment ago is visible: the
   * controller acknowledges a creation before every broker's metadata has it.
   */
  private static Map<String, org.apache.kafka.clients.admin.TopicDescription> describeWhenVisible(
      Admin admin, Set<String> names) throws InterruptedException, TimeoutException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      try {
        return admin.describeTopics(names).allTopicNames().get(30, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof UnknownTopicOrPartitionException)
            || System.nanoTime() > deadline) {
          throw new IllegalStateException("Could not describe topics " + names, e.getCause());
        }
        TimeUnit.MILLISECONDS.sleep(100); // metadata propagation has no event to wait on
      }
    }
  }
}
