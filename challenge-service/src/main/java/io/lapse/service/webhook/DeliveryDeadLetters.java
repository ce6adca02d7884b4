package io.lapse.service.webhook;

import io.lapse.topics.KafkaConnection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Writes a delivery that was given up to {@code lapse-webhook-deliveries-dlq}: key the webhook SID,
 * value the form body that was sent (no secret: the signature is not kept), and in headers the
 * reason, the webhook, the event, the attempts and the source record, so an operator can replay it.
 */
final class DeliveryDeadLetters implements AutoCloseable {
  static final String HEADER_REASON = "lapse.dlq.reason";
  static final String HEADER_WEBHOOK = "lapse.webhook.sid";
  static final String HEADER_URL = "lapse.webhook.url";
  static final String HEADER_EVENT = "lapse.webhook.event";
  static final String HEADER_UUID = "lapse.webhook.uuid";
  static final String HEADER_TOKEN = "lapse.webhook.idempotency-token";
  static final String HEADER_ATTEMPTS = "lapse.webhook.attempts";
  static final String HEADER_SOURCE = "lapse.webhook.source";

  private static final Duration SEND_TIMEOUT = Duration.ofSeconds(15);

  private final String topic;
  private final KafkaProducer<byte[], byte[]> producer;

  DeliveryDeadLetters(KafkaConnection connection, String topic) {
    this.topic = topic;
    Map<String, Object> props = connection.clientProps();
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) SEND_TIMEOUT.toMillis());
    props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
    props.put(ProducerConfig.CLIENT_ID_CONFIG, "lapse-challenge-service-webhooks-dlq");
    this.producer =
        new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
  }

  String topic() {
    return topic;
  }

  /**
   * Writes one given-up delivery and waits until it is durable.
   *
   * @throws KafkaException if it could not be written (the caller keeps the record and retries)
   */
  void write(Delivery d, String body, String reason, int attempts, String source)
      throws InterruptedException {
    RecordHeaders headers = new RecordHeaders();
    headers.add(HEADER_REASON, utf8(reason));
    headers.add(HEADER_WEBHOOK, utf8(d.webhookSid()));
    headers.add(HEADER_URL, utf8(d.url()));
    headers.add(HEADER_EVENT, utf8(d.eventType()));
    headers.add(HEADER_UUID, utf8(d.uuid()));
    headers.add(HEADER_TOKEN, utf8(d.idempotencyToken()));
    headers.add(HEADER_ATTEMPTS, utf8(Integer.toString(attempts)));
    headers.add(HEADER_SOURCE, utf8(source));
    try {
      producer
          .send(new ProducerRecord<>(topic, null, utf8(d.webhookSid()), utf8(body), headers))
          .get(SEND_TIMEOUT.toMillis() + 1_000, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new KafkaException("Could not write to " + topic, e.getCause());
    } catch (TimeoutException e) {
      throw new KafkaException("Timed out writing to " + topic, e);
    }
  }

  /** Who and what a delivery is for. */
  record Delivery(
      String webhookSid, String url, String eventType, String uuid, String idempotencyToken) {}

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(5));
  }
}
