package io.lapse.service.kafka;

import io.lapse.events.v1.ChallengeCreated;
import io.lapse.events.v1.NotificationRequested;
import io.lapse.service.domain.ChallengeLog;
import io.lapse.service.domain.SnapshotLog;
import io.lapse.state.v1.ServiceSnapshot;
import io.lapse.topics.LapseTopics;

/**
 * The domain's write ports on Kafka: service snapshots to their compacted topic (returning the
 * offset, which orders local writes against the follower), challenge events to their topics. Entity
 * and factor snapshots are written by the entity task alone ({@link EntityTopology}).
 */
public final class KafkaLogs implements SnapshotLog, ChallengeLog {
  private final EventProducer producer;
  private final LapseTopics topics;

  public KafkaLogs(EventProducer producer, LapseTopics topics) {
    this.producer = producer;
    this.topics = topics;
  }

  @Override
  public long writeService(String sid, ServiceSnapshot snapshot) {
    return producer.sendAndWait(topics.services(), sid, snapshot).offset();
  }

  @Override
  public void publishCreated(ChallengeCreated event) {
    producer.sendAndWait(topics.challengeCreated(), event.getSid(), event);
  }

  @Override
  public void publishNotification(NotificationRequested event) {
    producer.sendAndWait(topics.challengeNotifications(), event.getSid(), event);
  }
}
