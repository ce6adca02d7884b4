package io.lapse.expiry;

import io.lapse.serde.RegistryUnavailableException;
import io.lapse.topics.TopicNames;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends an undecodable input record to its topic's dead-letter topic ({@code <input>-dlq}) and lets
 * the stream thread go on, using KIP-1034's handler response: the handler returns the dead-letter
 * record and Streams sends it with the task's producer, inside the task's transaction, so under
 * exactly-once the record is dead-lettered exactly once and its offset committed with it.
 *
 * <p>The same handler serves processing exceptions (KIP-1033): a record whose handling threw is
 * dead-lettered with its source bytes; an exception in a punctuation (no source record) is logged
 * and the next tick retries.
 *
 * <p>Streams' built-in {@code errors.dead.letter.queue.topic.name} takes one topic for the whole
 * application; Lapse keeps one dead-letter topic per input topic ({@code docs/architecture.md},
 * "Topics"), hence this handler. The headers carry the reason with Streams' own KIP-1034 names
 * ({@code __streams.errors.*}), plus the original headers.
 *
 * <p>Only records that can never be handled are dead-lettered. A schema registry that cannot answer
 * now ({@link RegistryUnavailableException}, from a source's deserializer, a sink's serializer or a
 * punctuation) says nothing about the record: the handler answers FAIL, so the stream thread stops
 * without committing, its transaction is aborted, and the thread that replaces it (see {@link
 * ExpiryProcessorApp}) reads the same record again from the last committed offset, until the
 * registry answers. Under exactly-once the record is then processed once; nothing is lost.
 */
public final class DeadLetterHandler
    implements DeserializationExceptionHandler, ProcessingExceptionHandler {
  /** Streams config key under which the app passes its {@link ExpiryMetrics} instance. */
  public static final String METRICS_CONFIG = "lapse.expiry.metrics";

  static final String HEADER_EXCEPTION = "__streams.errors.exception";
  static final String HEADER_MESSAGE = "__streams.errors.message";
  static final String HEADER_TOPIC = "__streams.errors.topic";
  static final String HEADER_PARTITION = "__streams.errors.partition";
  static final String HEADER_OFFSET = "__streams.errors.offset";

  /**
   * Lapse's own header: a stable code for why a decodable record was refused (e.g. {@code
   * mac-invalid}); see {@link #refusalHeaders}.
   */
  public static final String HEADER_REASON = "lapse.dlq.reason";

  private static final Logger LOG = LoggerFactory.getLogger(DeadLetterHandler.class);
  private ExpiryMetrics metrics;

  @Override
  public void configure(Map<String, ?> configs) {
    Object m = configs.get(METRICS_CONFIG);
    this.metrics = m instanceof ExpiryMetrics em ? em : null;
  }

  @Override
  public DeserializationExceptionHandler.Response handleError(
      ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception exception) {
    if (RegistryUnavailableException.isCauseOf(exception)) {
      retryLater(record.topic(), record.partition(), record.offset(), exception);
      return DeserializationExceptionHandler.Response.fail();
    }
    return DeserializationExceptionHandler.Response.resume(
        List.of(
            deadLetter(
                record.topic(),
                record.partition(),
                record.offset(),
                record.headers(),
                record.key(),
                record.value(),
                exception)));
  }

  @Override
  public ProcessingExceptionHandler.Response handleError(
      ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
    if (RegistryUnavailableException.isCauseOf(exception)) {
      retryLater(context.topic(), context.partition(), context.offset(), exception);
      return ProcessingExceptionHandler.Response.fail();
    }
    if (context.topic() == null) {
      LOG.error(
          "Exception in a punctuation of {}; the next tick retries", context.taskId(), exception);
      return ProcessingExceptionHandler.Response.resume();
    }
    LOG.error(
        "Exception while processing {}-{}@{}",
        context.topic(),
        context.partition(),
        context.offset(),
        exception);
    return ProcessingExceptionHandler.Response.resume(
        List.of(
            deadLetter(
                context.topic(),
                context.partition(),
                context.offset(),
                context.headers(),
                context.sourceRawKey(),
                context.sourceRawValue(),
                exception)));
  }

  /** A registry outage: not dead-lettered; the record (or tick) is retried on a new thread. */
  private void retryLater(String topic, int partition, long offset, Exception exception) {
    LOG.warn(
        "Schema registry unavailable while handling {}: the stream thread stops without"
            + " committing and its replacement retries from the last commit ({})",
        topic == null ? "a punctuation" : topic + "-" + partition + "@" + offset,
        exception.toString());
    if (metrics != null) {
      metrics.registryUnavailable(topic == null ? "punctuation" : topic);
    }
  }

  private ProducerRecord<byte[], byte[]> deadLetter(
      String topic,
      int partition,
      long offset,
      Iterable<Header> original,
      byte[] key,
      byte[] value,
      Exception exception) {
    String dlq = TopicNames.deadLetter(topic);
    LOG.warn(
        "Dead-lettering record {}-{}@{} to {}: {}",
        topic,
        partition,
        offset,
        dlq,
        exception.toString());
    RecordHeaders headers = new RecordHeaders();
    if (original != null) {
      for (Header h : original) {
        headers.add(h.key(), h.value());
      }
    }
    headers.add(HEADER_EXCEPTION, utf8(exception.getClass().getName()));
    headers.add(HEADER_MESSAGE, utf8(reason(exception)));
    headers.add(HEADER_TOPIC, utf8(topic));
    headers.add(HEADER_PARTITION, utf8(String.valueOf(partition)));
    headers.add(HEADER_OFFSET, utf8(String.valueOf(offset)));
    if (metrics != null) {
      metrics.deadLettered(topic);
    }
    return new ProducerRecord<>(dlq, null, key, value, headers);
  }

  /**
   * The headers of a record that decoded fine but is refused by a rule rather than by an exception
   * (an attempt the arbiter does not trust): the original headers, the KIP-1034 headers of any
   * dead-lettered record (the refusing component in place of an exception class, {@code offset} -1
   * when the record is not the one being processed), and {@link #HEADER_REASON}.
   */
  static RecordHeaders refusalHeaders(
      Iterable<Header> original,
      String refusedBy,
      String reason,
      String message,
      String topic,
      int partition,
      long offset) {
    RecordHeaders headers = new RecordHeaders();
    if (original != null) {
      for (Header h : original) {
        headers.add(h.key(), h.value());
      }
    }
    headers.add(HEADER_EXCEPTION, utf8(refusedBy));
    headers.add(HEADER_MESSAGE, utf8(message));
    headers.add(HEADER_TOPIC, utf8(topic));
    headers.add(HEADER_PARTITION, utf8(String.valueOf(partition)));
    headers.add(HEADER_OFFSET, utf8(String.valueOf(offset)));
    headers.add(HEADER_REASON, utf8(reason));
    return headers;
  }

  /** The whole causal chain, so "could not decode" comes with the underlying Avro error. */
  private static String reason(Throwable e) {
    StringBuilder sb = new StringBuilder(String.valueOf(e.getMessage()));
    for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
      sb.append(" <- ").append(c.getClass().getSimpleName()).append(": ").append(c.getMessage());
    }
    return sb.toString();
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
