package io.lapse.service.kafka;

import io.lapse.topics.KafkaConnection;
import io.lapse.topics.TopicNames;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Writes a record a {@link Follower} cannot apply to its topic's dead-letter topic ({@code
 * <topic>-dlq}): the original key, value and headers, plus the reason in the headers the expiry
 * processor's dead-letter handler writes (Kafka Streams' {@code __streams.errors.*} names), so one
 * tool reads every dead-letter topic, and {@link #HEADER_DEAD_LETTERED_BY}, since the processor and
 * every service instance may dead-letter the same record. The producer is created on first use: a
 * healthy log never needs it.
 */
final class DeadLetterWriter implements AutoCloseable {
  static final String HEADER_EXCEPTION = "__streams.errors.exception";
  static final String HEADER_MESSAGE = "__streams.errors.message";
  static final String HEADER_TOPIC = "__streams.errors.topic";
  static final String HEADER_PARTITION = "__streams.errors.partition";
  static final String HEADER_OFFSET = "__streams.errors.offset";

  /** Who dead-lettered the record, e.g. {@code challenge-service challenges}. */
  static final String HEADER_DEAD_LETTERED_BY = "lapse.dead-lettered-by";

  private static final Duration SEND_TIMEOUT = Duration.ofSeconds(15);

  private final KafkaConnection connection;
  private final String follower;
  private KafkaProducer<byte[], byte[]> producer;

  /** A writer for the named follower. */
  DeadLetterWriter(KafkaConnection connection, String follower) {
    this.connection = connection;
    this.follower = follower;
  }

  /**
   * Writes the record with its reason and waits until it is durable.
   *
   * @return the dead-letter topic written
   * @throws KafkaException if it could not be written; the caller keeps the record and retries
   */
  String write(ConsumerRecord<byte[], byte[]> record, Exception reason) {
    String dlq = TopicNames.deadLetter(record.topic());
    RecordHeaders headers = new RecordHeaders();
    for (Header h : record.headers()) {
      headers.add(h.key(), h.value());
    }
    headers.add(HEADER_EXCEPTION, utf8(reason.getClass().getName()));
    headers.add(HEADER_MESSAGE, utf8(causalChain(reason)));
    headers.add(HEADER_TOPIC, utf8(record.topic()));
    headers.add(HEADER_PARTITION, utf8(String.valueOf(record.partition())));
    headers.add(HEADER_OFFSET, utf8(String.valueOf(record.offset())));
    headers.add(HEADER_DEAD_LETTERED_BY, utf8("challenge-service " + follower));
    try {
      producer()
          .send(new ProducerRecord<>(dlq, null, record.key(), record.value(), headers))
          .get(SEND_TIMEOUT.toMillis() + 1_000, TimeUnit.MILLISECONDS);
      return dlq;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KafkaException("Interrupted while writing to " + dlq, e);
    } catch (ExecutionException e) {
      throw new KafkaException("Could not write to " + dlq, e.getCause());
    } catch (TimeoutException e) {
      throw new KafkaException("Timed out writing to " + dlq, e);
    }
  }

  private KafkaProducer<byte[], byte[]> producer() {
    if (producer == null) {
      Map<String, Object> props = connection.clientProps();
      props.put(ProducerConfig.ACKS_CONFIG, "all");
      props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
      props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
      props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
      props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) SEND_TIMEOUT.toMillis());
      props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
      props.put(ProducerConfig.CLIENT_ID_CONFIG, "lapse-challenge-service-" + follower + "-dlq");
      producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }
    return producer;
  }

  /** The whole causal chain, so "could not decode" comes with the underlying Avro error. */
  static String causalChain(Throwable e) {
    StringBuilder sb = new StringBuilder(String.valueOf(e.getMessage()));
    for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
      sb.append(" <- ").append(c.getClass().getSimpleName()).append(": ").append(c.getMessage());
    }
    return sb.toString();
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    if (producer != null) {
      producer.close(Duration.ofSeconds(5));
    }
  }
}
