package io.lapse.service.kafka;

import io.lapse.serde.RegistryUnavailableException;
import io.lapse.topics.KafkaConnection;
import io.lapse.topics.Topic;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service's one Kafka producer: idempotent, {@code acks=all}, no linger (each HTTP request
 * waits for its own record). Records are serialized with the typed topic's serdes, so one producer
 * serves every topic.
 */
public final class EventProducer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EventProducer.class);
  private static final Duration SEND_TIMEOUT = Duration.ofSeconds(15);

  private final KafkaProducer<byte[], byte[]> producer;

  public EventProducer(KafkaConnection connection) {
    Map<String, Object> props = connection.clientProps();
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
    props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) SEND_TIMEOUT.toMillis());
    props.put(ProducerConfig.CLIENT_ID_CONFIG, "lapse-challenge-service");
    this.producer =
        new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
  }

  /** Sends a record; the future completes when it is durable. A null value is a tombstone. */
  public <K, V> CompletableFuture<RecordMetadata> send(Topic<K, V> topic, K key, V value) {
    byte[] k = topic.keySerializer().serialize(topic.name(), key);
    byte[] v = value == null ? null : topic.valueSerializer().serialize(topic.name(), value);
    CompletableFuture<RecordMetadata> done = new CompletableFuture<>();
    producer.send(
        new ProducerRecord<>(topic.name(), k, v),
        (metadata, error) -> {
          if (error != null) {
            done.completeExceptionally(error);
          } else {
            done.complete(metadata);
          }
        });
    return done;
  }

  /**
   * Sends a record without waiting: the future completes when it is durable, or fails with a {@link
   * PublishFailedException} if it could not be written (the client may retry), also if no
   * acknowledgement came in the send timeout. It is completed on the producer's own thread, so what
   * is chained onto it must not block.
   */
  public <K, V> CompletableFuture<RecordMetadata> sendDurably(Topic<K, V> topic, K key, V value) {
    CompletableFuture<RecordMetadata> sent;
    try {
      sent = send(topic, key, value);
    } catch (RegistryUnavailableException e) {
      // A registry that cannot answer fails the write as a broker would.
      return CompletableFuture.failedFuture(unavailable(topic, e));
    }
    return sent.orTimeout(SEND_TIMEOUT.toMillis() + 1_000, TimeUnit.MILLISECONDS)
        .handle(
            (metadata, error) -> {
              if (error != null) {
                throw unavailable(topic, error);
              }
              return metadata;
            });
  }

  /**
   * Sends a record and waits until it is durable.
   *
   * @throws PublishFailedException if it could not be written (the client may retry)
   */
  public <K, V> RecordMetadata sendAndWait(Topic<K, V> topic, K key, V value) {
    try {
      return send(topic, key, value).get(SEND_TIMEOUT.toMillis() + 1_000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw unavailable(topic, e);
    } catch (ExecutionException | TimeoutException e) {
      throw unavailable(topic, e);
    }
  }

  private static PublishFailedException unavailable(Topic<?, ?> topic, Throwable cause) {
    LOG.warn("Could not write to {}", topic.name(), cause);
    return new PublishFailedException(topic.name(), cause);
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(5));
  }
}
