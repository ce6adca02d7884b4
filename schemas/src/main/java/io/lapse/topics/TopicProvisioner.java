package io.lapse.topics;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Creates the topics a process writes, idempotently, at start, with the configured replication
 * factor and {@code min.insync.replicas}: an existing topic is left as it is (a partition-count
 * mismatch on a co-partitioned topic is reported, because it would break co-partitioning silently).
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
    Map<String, String> withMinIsr = new HashMap<>(configs);
    withMinIsr.put(
        TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, String.valueOf(connection.minInsyncReplicas()));
    List<NewTopic> topics = new ArrayList<>();
    for (String name : names) {
      topics.add(
          new NewTopic(name, partitions, connection.replicationFactor()).configs(withMinIsr));
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
