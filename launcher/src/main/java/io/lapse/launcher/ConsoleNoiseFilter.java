package io.lapse.launcher;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;

/**
 * Keeps three kinds of transient Kafka messages off {@code ./lapse}'s console (they still reach
 * {@code .lapse/lapse.log}): a transactional producer's first sends to brand-new partitions meet
 * {@code CONCURRENT_TRANSACTIONS} while the previous transaction completes, which the producer logs
 * as a warning and retries; a fresh broker's auto-creation of {@code __transaction_state} answered
 * "already exists" to the producers that asked at the same moment; and a retried batch overtaking
 * its predecessor, which the in-process broker logs as an {@code OutOfOrderSequenceException} error
 * and the producer also retries. All happen on (fresh) starts (the processor's warm-up creates
 * fresh topics) and say nothing a user can act on; a send that finally fails is reported by the
 * component that made it.
 */
public final class ConsoleNoiseFilter extends Filter<ILoggingEvent> {
  @Override
  public FilterReply decide(ILoggingEvent event) {
    String logger = event.getLoggerName();
    String message = event.getFormattedMessage();
    if (message == null) {
      return FilterReply.NEUTRAL;
    }
    if (logger.equals("org.apache.kafka.clients.producer.internals.Sender")
        && message.contains("retrying")) {
      return FilterReply.DENY;
    }
    if (logger.equals("kafka.server.ReplicaManager")
        && event.getThrowableProxy() != null
        && event.getThrowableProxy().getClassName().endsWith("OutOfOrderSequenceException")) {
      return FilterReply.DENY;
    }
    // A fresh broker creates __transaction_state on the first transactional producer's request;
    // every other producer starting in the same moment asks too and is told it exists already,
    // which the broker logs once per request (34 lines on one fresh start). They all proceed.
    if (logger.endsWith(".DefaultAutoTopicCreationManager")
        && message.contains("TOPIC_ALREADY_EXISTS")) {
      return FilterReply.DENY;
    }
    return FilterReply.NEUTRAL;
  }
}
