package io.lapse.service.kafka;

import io.lapse.serde.RegistryUnavailableException;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the entity tasks do with a command they cannot read. A schema registry that cannot answer
 * says nothing about the command: the thread fails without committing, is replaced, and reads the
 * same command again (nothing is decided twice under exactly-once). Bytes that can never decode go
 * to the dead-letter topic Kafka Streams' own {@code errors.dead.letter.queue.topic.name} names
 * ({@code lapse-commands-dlq}), with the reason in its KIP-1034 headers, and processing goes on:
 * the sender was already answered 503 when its wait ran out.
 */
public final class CommandDeadLetterHandler extends LogAndContinueExceptionHandler {
  private static final Logger LOG = LoggerFactory.getLogger(CommandDeadLetterHandler.class);

  @Override
  public Response handleError(
      ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception exception) {
    if (RegistryUnavailableException.isCauseOf(exception)) {
      LOG.warn(
          "Schema registry unavailable while reading a command from {}-{}@{}; retrying it",
          record.topic(),
          record.partition(),
          record.offset());
      return Response.fail();
    }
    return super.handleError(context, record, exception);
  }

  @Override
  public void configure(Map<String, ?> configs) {
    super.configure(configs);
  }
}
