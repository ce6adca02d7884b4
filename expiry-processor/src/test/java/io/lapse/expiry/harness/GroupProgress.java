package io.lapse.expiry.harness;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * What a consumer group (a Streams application id) has committed on its input topics, read with the
 * Admin client: lets a test wait until the processor has read <em>and committed</em> everything
 * produced so far, so that what it holds in its state is known before a crash.
 */
public final class GroupProgress implements AutoCloseable {
  private final Admin admin;
  private final String groupId;

  public GroupProgress(String bootstrap, String groupId) {
    this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
    this.groupId = groupId;
  }

  /**
   * Whether the group's committed offset has reached the end of every partition of the topics
   * (records not consumed and committed yet).
   */
  public boolean caughtUp(Collection<String> topics) {
    try {
      List<TopicPartition> partitions =
          admin.describeTopics(topics).allTopicNames().get().values().stream()
              .flatMap(
                  d ->
                      d.partitions().stream().map(p -> new TopicPartition(d.name(), p.partition())))
              .toList();
      Map<TopicPartition, OffsetAndMetadata> committed =
          admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata().get();
      var ends =
          admin
              .listOffsets(
                  partitions.stream()
                      .collect(java.util.stream.Collectors.toMap(p -> p, p -> OffsetSpec.latest())))
              .all()
              .get();
      for (TopicPartition p : partitions) {
        long end = ends.get(p).offset();
        OffsetAndMetadata c = committed.get(p);
        if (end > 0 && (c == null || c.offset() < end)) {
          return false;
        }
      }
      return true;
    } catch (ExecutionException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Override
  public void close() {
    admin.close();
  }
}
