package io.lapse.expiry;

import io.lapse.serde.RegistryUnavailableException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replaces a stream thread that died; under exactly-once its tasks resume from the last commit on
 * the new thread, so nothing is lost or emitted twice.
 *
 * <p>A thread stopped by a schema registry outage ({@link DeadLetterHandler} answers FAIL for it)
 * is replaced only after a pause that doubles with each consecutive outage failure, from {@code
 * firstPause} up to {@code maxPause}: a long outage must not spin, since every replacement costs a
 * rebalance and the restore of the task's state. The pause runs on the dying thread, which keeps
 * its tasks (and its group membership) meanwhile, well within {@code max.poll.interval.ms}. Once no
 * outage failure has come for twice {@code maxPause}, the next one starts from {@code firstPause}
 * again. Other failures are replaced at once, as before.
 */
final class StreamThreadReplacer implements StreamsUncaughtExceptionHandler {
  private static final Logger LOG = LoggerFactory.getLogger(StreamThreadReplacer.class);

  private final ExpiryMetrics metrics;
  private final long firstPauseNanos;
  private final long maxPauseNanos;
  private final CountDownLatch stopping = new CountDownLatch(1);
  private long nextPauseNanos;
  private long lastOutageNanos;
  private boolean anyOutage;

  StreamThreadReplacer(ExpiryMetrics metrics, Duration firstPause, Duration maxPause) {
    this.metrics = metrics;
    this.firstPauseNanos = firstPause.toNanos();
    this.maxPauseNanos = maxPause.toNanos();
    this.nextPauseNanos = firstPauseNanos;
  }

  @Override
  public StreamThreadExceptionResponse handle(Throwable exception) {
    metrics.threadFailed();
    if (!RegistryUnavailableException.isCauseOf(exception)) {
      LOG.error("Stream thread failed; replacing it", exception);
      return StreamThreadExceptionResponse.REPLACE_THREAD;
    }
    long pauseNanos = nextPause().toNanos();
    metrics.registryRetried();
    LOG.warn(
        "Stream thread stopped: the schema registry is unavailable ({}). Replacing it in {} ms;"
            + " it resumes from the last commit",
        exception.toString(),
        TimeUnit.NANOSECONDS.toMillis(pauseNanos));
    try {
      stopping.await(pauseNanos, TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return StreamThreadExceptionResponse.REPLACE_THREAD;
  }

  /** Ends any pause at once: the client is closing and will not start a new thread anyway. */
  void stop() {
    stopping.countDown();
  }

  /** The pause before this replacement; several threads may fail at once. */
  synchronized Duration nextPause() {
    long now = System.nanoTime();
    if (!anyOutage || now - lastOutageNanos > 2 * maxPauseNanos) {
      nextPauseNanos = firstPauseNanos;
    }
    anyOutage = true;
    lastOutageNanos = now;
    long pause = nextPauseNanos;
    nextPauseNanos = Math.min(maxPauseNanos, nextPauseNanos * 2);
    return Duration.ofNanos(pause);
  }
}
