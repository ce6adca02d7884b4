package io.lapse.launcher;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;

/**
 * Keeps two kinds of transient Kafka messages off {@code ./lapse}'s console (they still reach
 * {@code .lapse/lapse.log}): a transactional producer's first sends to brand-new partitions meet
 * {@code CONCURRENT_TRANSACTIONS} while the previous transaction completes, which the producer logs
 * as a warning and retries; and a retried batch overtaking its predecessor, which the in-process
 * broker logs as an {@code OutOfOrderSequenceException} error and the producer also retries. Both
 * happen on every start (the processor's warm-up creates fresh topics) and say nothing a user can
 * act on; a send that finally fails is reported by the component that made it.
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
    return FilterReply.NEUTRAL;
  }
}
