package io.lapse.service.kafka;

import io.lapse.service.domain.WebhookLog;
import io.lapse.state.v1.WebhookSnapshot;
import io.lapse.topics.Topic;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Webhook snapshots to their compacted topic, completing with the offset (which orders local writes
 * against the follower) once durable; a write that cannot be made durable, also for a registry that
 * cannot answer, fails with a {@link PublishFailedException} ({@link EventProducer#sendDurably}).
 */
public final class KafkaWebhookLog implements WebhookLog {
  private final EventProducer producer;
  private final Topic<String, WebhookSnapshot> topic;

  public KafkaWebhookLog(EventProducer producer, Topic<String, WebhookSnapshot> topic) {
    this.producer = producer;
    this.topic = topic;
  }

  @Override
  public CompletableFuture<Long> writeWebhook(String sid, WebhookSnapshot snapshot) {
    return producer.sendDurably(topic, sid, snapshot).thenApply(RecordMetadata::offset);
  }
}
