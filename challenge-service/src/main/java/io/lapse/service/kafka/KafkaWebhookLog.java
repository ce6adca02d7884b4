package io.lapse.service.kafka;

import io.lapse.serde.RegistryUnavailableException;
import io.lapse.service.domain.WebhookLog;
import io.lapse.state.v1.WebhookSnapshot;
import io.lapse.topics.Topic;

/**
 * Webhook snapshots to their compacted topic, returning the offset (which orders local writes
 * against the follower). A registry that cannot answer fails the write as a broker would.
 */
public final class KafkaWebhookLog implements WebhookLog {
  private final EventProducer producer;
  private final Topic<String, WebhookSnapshot> topic;

  public KafkaWebhookLog(EventProducer producer, Topic<String, WebhookSnapshot> topic) {
    this.producer = producer;
    this.topic = topic;
  }

  @Override
  public long writeWebhook(String sid, WebhookSnapshot snapshot) {
    try {
      return producer.sendAndWait(topic, sid, snapshot).offset();
    } catch (RegistryUnavailableException e) {
      throw new PublishFailedException(topic.name(), e);
    }
  }
}
