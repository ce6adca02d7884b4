package io.lapse.service.kafka;

import io.lapse.commands.v1.CommandReply;
import io.lapse.service.domain.CommandBus;
import io.lapse.topics.Topic;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.apache.avro.specific.SpecificRecord;

/**
 * Request–reply with the entity tasks: the command goes to {@code lapse-commands} under its entity
 * key, and the reply with the same request id, read from {@code lapse-replies} by this instance's
 * reply follower, completes the waiting request ({@link ReplyWaiters}).
 */
public final class KafkaCommandBus implements CommandBus {
  private final EventProducer producer;
  private final Topic<String, SpecificRecord> commands;
  private final ReplyWaiters<CommandReply> waiters = new ReplyWaiters<>();

  public KafkaCommandBus(EventProducer producer, Topic<String, SpecificRecord> commands) {
    this.producer = producer;
    this.commands = commands;
  }

  @Override
  public CompletableFuture<CommandReply> send(
      String entityKey, String requestId, SpecificRecord command, Duration timeout) {
    CompletableFuture<CommandReply> reply = waiters.await(requestId, timeout);
    producer
        .send(commands, entityKey, command)
        .whenComplete(
            (metadata, error) -> {
              if (error != null) {
                waiters.fail(requestId, new PublishFailedException(commands.name(), error));
              }
            });
    return reply;
  }

  /**
   * Waits for a reply to a command this instance did not send (a settlement the outcome relay wrote
   * for an attempt this instance submitted): the reply with {@code requestId}, or a {@link
   * java.util.concurrent.TimeoutException} after {@code timeout}. Register before the reply can be
   * written.
   */
  public CompletableFuture<CommandReply> awaitReply(String requestId, Duration timeout) {
    return waiters.await(requestId, timeout);
  }

  /** Called by the reply follower for every reply; completes the matching waiter, if any. */
  public void onReply(CommandReply reply) {
    if (reply != null) {
      waiters.complete(reply.getRequestId(), reply);
    }
  }

  /** Requests waiting for a decision now (a gauge). */
  public int waiting() {
    return waiters.size();
  }
}
