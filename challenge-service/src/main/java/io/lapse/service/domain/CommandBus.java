package io.lapse.service.domain;

import io.lapse.commands.v1.CommandReply;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.apache.avro.specific.SpecificRecord;

/**
 * Sends a command to the single writer of its entity key and hands back its reply: request–reply
 * over Kafka in production ({@code lapse-commands} out, {@code lapse-replies} in, matched by
 * request id; docs/decisions/0008-single-writers-on-the-log.md).
 */
public interface CommandBus {
  /**
   * Publishes {@code command} under {@code entityKey} and returns the reply carrying {@code
   * requestId}. The future completes exceptionally with a {@link
   * java.util.concurrent.TimeoutException} when no reply arrives within {@code timeout}, or with
   * the publish failure.
   */
  CompletableFuture<CommandReply> send(
      String entityKey, String requestId, SpecificRecord command, Duration timeout);
}
