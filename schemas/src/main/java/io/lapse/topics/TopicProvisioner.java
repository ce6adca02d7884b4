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
import java.util.function.Function;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the topics a process writes, idempotently, at start, with the configured replication
 * factor and {@code min.insync.replicas}: an existing topic is left as it is (a partition-count
 * mismatch on a co-partitioned topic is reported, because it would break co-partitioning silently),
 * except for the one setting trust rests on: {@code challenge-responses} is dated by the broker
 * ({@link #ensureResponsesDatedByBroker}).
 */
public final class TopicProvisioner {
  /** The timestamp type of {@code challenge-responses}: the broker's append time. */
  public static final String BROKER_TIME = "LogAppendTime";

  private static final Logger LOG = LoggerFactory.getLogger(TopicProvisioner.class);
  private final KafkaConnection connection;

  public TopicProvisioner(KafkaConnection connection) {
    this.connection = connection;
  }

  /**
   * Co-partitioned challenge topics (delete policy) with the configured partition count; a new
   * {@code challenge-responses} is created with {@code message.timestamp.type=LogAppendTime}.
   */
  public void ensureChallengeTopics(Admin admin, Collection<String> names) {
    String responses = connection.topicNames().challengeResponses();
    ensure(
        admin,
        names,
        connection.partitions(),
        name ->
            name.equals(responses)
                ? Map.of(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, BROKER_TIME)
                : Map.of());
  }

  /**
   * Makes the broker, not the writer, date every record of {@code challenge-responses}: the expiry
   * processor bounds an attempt's claimed time by that date. A topic created before (or by someone
   * else) with another timestamp type is altered here, once, and the change is logged.
   *
   * @return true when the topic is dated by the broker (it was, or now is); false, with the reason
   *     logged, when that could not be read or set (e.g. no DescribeConfigs or AlterConfigs ACL)
   */
  public boolean ensureResponsesDatedByBroker(Admin admin) {
    return ensureDatedByBroker(admin, connection.topicNames().challengeResponses());
  }

  /**
   * Makes the broker date every record of {@code topic}: reads its timestamp type and alters it,
   * logged, only when it differs.
   *
   * @return false, with the reason logged, when that could not be read or set
   */
  private boolean ensureDatedByBroker(Admin admin, String topic) {
    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
    try {
      ConfigEntry current =
          admin
              .describeConfigs(List.of(resource))
              .all()
              .get(30, TimeUnit.SECONDS)
              .get(resource)
              .get(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG);
      if (current != null && BROKER_TIME.equals(current.value())) {
        return true;
      }
      admin
          .incrementalAlterConfigs(
              Map.of(
                  resource,
                  List.of(
                      new AlterConfigOp(
                          new ConfigEntry(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, BROKER_TIME),
                          AlterConfigOp.OpType.SET))))
          .all()
          .get(30, TimeUnit.SECONDS);
      LOG.warn(
          "Altered {}: {} was {}, is now {} (the broker dates its records)",
          topic,
          TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG,
          current == null ? "unset" : current.value(),
          BROKER_TIME);
      return true;
    } catch (ExecutionException | TimeoutException e) {
      LOG.warn(
          "Could not make sure that {} has {}={} ({}); set it on the topic",
          topic,
          TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG,
          BROKER_TIME,
          e instanceof ExecutionException ? e.getCause() : e);
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while configuring " + topic, e);
    }
  }

  /** Compacted snapshot topics: compaction keeps the last full snapshot per key. */
  public void ensureStateTopics(Admin admin, Collection<String> names) {
    ensure(
        admin,
        names,
        connection.partitions(),
        name -> Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
  }

  /**
   * The challenge service's command topics, with the challenge topics' partition count: {@code
   * lapse-commands} dated by the broker ({@code message.timestamp.type=LogAppendTime}, also set on
   * a topic that exists without it), because its decisions take their time from the record; {@code
   * lapse-replies} kept one hour, since a reply is awaited for seconds only.
   */
  public void ensureCommandTopics(Admin admin, String commands, String replies) {
    ensure(
        admin,
        List.of(commands),
        connection.partitions(),
        name -> Map.of(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, BROKER_TIME));
    ensure(
        admin,
        List.of(replies),
        connection.partitions(),
        name ->
            Map.of(TopicConfig.RETENTION_MS_CONFIG, String.valueOf(TimeUnit.HOURS.toMillis(1))));
    // The entity tasks take every decision's time from the record: without broker time they must
    // not run at all.
    if (!ensureDatedByBroker(admin, commands)) {
      throw new IllegalStateException(
          "Could not make sure that " + commands + " has LogAppendTime (see the log)");
    }
  }

  /**
   * Event topics outside the co-partitioned challenge topics (e.g. {@code lapse-factor-events}):
   * delete policy, the challenge topics' partition count.
   */
  public void ensureEventTopics(Admin admin, Collection<String> names) {
    ensure(admin, names, connection.partitions(), name -> Map.of());
  }

  /** Dead-letter topics: kept 14 days for operators to inspect. */
  public void ensureDeadLetterTopics(Admin admin, Collection<String> inputTopics) {
    ensureDeadLetterTopicsNamed(admin, inputTopics.stream().map(TopicNames::deadLetter).toList());
  }

  /** Dead-letter topics by their own names, as {@link #ensureDeadLetterTopics}. */
  public void ensureDeadLetterTopicsNamed(Admin admin, Collection<String> names) {
    ensure(
        admin,
        names,
        1,
        name ->
            Map.of(TopicConfig.RETENTION_MS_CONFIG, String.valueOf(TimeUnit.DAYS.toMillis(14))));
  }

  private void ensure(
      Admin admin,
      Collection<String> names,
      int partitions,
      Function<String, Map<String, String>> configs) {
    List<NewTopic> topics = new ArrayList<>();
    for (String name : names) {
      Map<String, String> withMinIsr = new HashMap<>(configs.apply(name));
      withMinIsr.put(
          TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, String.valueOf(connection.minInsyncReplicas()));
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
