package io.lapse.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.spi.FilterReply;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.junit.jupiter.api.Test;

class ConsoleNoiseFilterTest {
  private final LoggerContext context = new LoggerContext();
  private final ConsoleNoiseFilter filter = new ConsoleNoiseFilter();

  private LoggingEvent event(String logger, Level level, String message, Throwable error) {
    return new LoggingEvent(
        "fqcn", context.getLogger(logger), level, message, error, new Object[0]);
  }

  @Test
  void shouldKeepRetriedTransientSendsOffTheConsole() {
    assertThat(
            filter.decide(
                event(
                    "org.apache.kafka.clients.producer.internals.Sender",
                    Level.WARN,
                    "Got error produce response … retrying (2147483646 attempts left). Error:"
                        + " CONCURRENT_TRANSACTIONS",
                    null)))
        .isEqualTo(FilterReply.DENY);
    assertThat(
            filter.decide(
                event(
                    "kafka.server.ReplicaManager",
                    Level.ERROR,
                    "Error processing append operation on partition p-0",
                    new OutOfOrderSequenceException("Invalid sequence number"))))
        .isEqualTo(FilterReply.DENY);
  }

  @Test
  void shouldKeepTheRacedTransactionLogCreationOffTheConsole() {
    assertThat(
            filter.decide(
                event(
                    "org.apache.kafka.server.DefaultAutoTopicCreationManager",
                    Level.WARN,
                    "Auto topic creation failed for __transaction_state with error"
                        + " 'TOPIC_ALREADY_EXISTS': Topic '__transaction_state' already exists..",
                    null)))
        .isEqualTo(FilterReply.DENY);
    assertThat(
            filter.decide(
                event(
                    "org.apache.kafka.server.DefaultAutoTopicCreationManager",
                    Level.WARN,
                    "Auto topic creation failed for __transaction_state with error"
                        + " 'CLUSTER_AUTHORIZATION_FAILED'",
                    null)))
        .isEqualTo(FilterReply.NEUTRAL);
  }

  @Test
  void shouldLetEveryOtherWarningAndErrorThrough() {
    assertThat(
            filter.decide(
                event(
                    "org.apache.kafka.clients.producer.internals.Sender",
                    Level.ERROR,
                    "Uncaught error in kafka producer I/O thread",
                    null)))
        .isEqualTo(FilterReply.NEUTRAL);
    assertThat(
            filter.decide(
                event(
                    "kafka.server.ReplicaManager",
                    Level.ERROR,
                    "Error processing append operation on partition p-0",
                    new IllegalStateException("disk full"))))
        .isEqualTo(FilterReply.NEUTRAL);
    assertThat(filter.decide(event("io.lapse.expiry.ExpiryWarmUp", Level.WARN, "failed", null)))
        .isEqualTo(FilterReply.NEUTRAL);
  }
}
