package io.lapse.service.kafka;

import io.lapse.serde.RegistryUnavailableException;
import io.lapse.service.domain.SnapshotLog;
import io.lapse.state.v1.ServiceSnapshot;
import io.lapse.topics.LapseTopics;
import io.lapse.topics.Topic;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * The domain's write port on Kafka: service snapshots to their compacted topic (returning the
 * offset, which orders local writes against the follower). Entity and factor snapshots, and the
 * challenge events, are written by the entity task alone (EntityTopology). A schema registry that
 * cannot answer while a record is serialized fails the write as a broker would ({@link
 * PublishFailedException}: nothing was written, the client may retry).
 */
public final class KafkaLogs implements SnapshotLog {
  private final EventProducer producer;
  private final LapseTopics topics;

  public KafkaLogs(EventProducer producer, LapseTopics topics) {
    this.producer = producer;
    this.topics = topics;
  }

  private <V> RecordMetadata write(Topic<String, V> topic, String key, V value) {
    try {
      return producer.sendAndWait(topic, key, value);
    } catch (RegistryUnavailableException e) {
      throw new PublishFailedException(topic.name(), e);
    }
  }

  @Override
  public long writeService(String sid, ServiceSnapshot snapshot) {
    return write(topics.services(), sid, snapshot).offset();
  }
}
