package io.lapse.service.support;

import io.lapse.events.v1.ChallengeCreated;
import io.lapse.events.v1.NotificationRequested;
import io.lapse.service.domain.WebhookLog;
import io.lapse.service.kafka.PublishFailedException;
import io.lapse.state.v1.EntitySnapshot;
import io.lapse.state.v1.FactorSnapshot;
import io.lapse.state.v1.ServiceSnapshot;
import io.lapse.state.v1.WebhookSnapshot;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Test-only stand-in for the Kafka topics the service writes (and, for entities, factors and
 * challenge events, the topics its entity task writes): keeps every record in order, so unit tests
 * can assert what was published.
 */
public final class InMemoryLogs implements WebhookLog {
  /** One written record: topic, key, value (null for a tombstone). */
  public record Written(String topic, String key, Object value) {}

  private final AtomicLong offsets = new AtomicLong();
  private final List<Written> written = new CopyOnWriteArrayList<>();
  private volatile boolean failing;

  /** From now on, every write fails as the Kafka adapter's does when the broker is unreachable. */
  public void failWrites() {
    failing = true;
  }

  /** A service snapshot as the service's task publishes it ({@link InMemoryCommandBus}). */
  public long writeService(String sid, ServiceSnapshot snapshot) {
    return write("services", sid, snapshot);
  }

  /** Acknowledged at once, or failed as the Kafka adapter's future when writes fail. */
  @Override
  public CompletableFuture<Long> writeWebhook(String sid, WebhookSnapshot snapshot) {
    try {
      return CompletableFuture.completedFuture(write("webhooks", sid, snapshot));
    } catch (PublishFailedException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** An entity snapshot as the entity task publishes it ({@link InMemoryCommandBus}). */
  public long writeEntity(String sid, EntitySnapshot snapshot) {
    return write("entities", sid, snapshot);
  }

  /** A factor snapshot as the entity task publishes it ({@link InMemoryCommandBus}). */
  public long writeFactor(String sid, FactorSnapshot snapshot) {
    return write("factors", sid, snapshot);
  }

  /** Whether writes fail now ({@link #failWrites}). */
  public boolean failing() {
    return failing;
  }

  /** A challenge as the entity task publishes it ({@link InMemoryCommandBus}). */
  public void publishCreated(ChallengeCreated event) {
    write("challenge-created", event.getSid(), event);
  }

  /** A notification as the entity task publishes it ({@link InMemoryCommandBus}). */
  public void publishNotification(NotificationRequested event) {
    write("challenge-notifications", event.getSid(), event);
  }

  private long write(String topic, String key, Object value) {
    if (failing) {
      throw new PublishFailedException(topic, new IllegalStateException("broker unreachable"));
    }
    written.add(new Written(topic, key, value));
    return offsets.incrementAndGet();
  }

  public List<Written> written(String topic) {
    return written.stream().filter(w -> w.topic().equals(topic)).toList();
  }
}
