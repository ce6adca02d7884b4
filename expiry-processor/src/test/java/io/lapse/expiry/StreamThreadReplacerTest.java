package io.lapse.expiry;

import static org.assertj.core.api.Assertions.assertThat;

import io.lapse.serde.RegistryUnavailableException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.junit.jupiter.api.Test;

class StreamThreadReplacerTest {
  private static final StreamsException OUTAGE =
      new StreamsException(
          "Deserialization exception handler is set to fail",
          new RegistryUnavailableException("registry down", 503, 50005));

  private final ExpiryMetrics metrics = new ExpiryMetrics(new SimpleMeterRegistry());

  @Test
  void shouldReplaceAThreadThatFailedForAnotherReasonWithoutPausing() {
    StreamThreadReplacer replacer =
        new StreamThreadReplacer(metrics, Duration.ofMinutes(1), Duration.ofMinutes(1));

    long start = System.nanoTime();
    StreamThreadExceptionResponse response = replacer.handle(new IllegalStateException("bug"));

    assertThat(response).isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
    assertThat(metrics.threadFailureCount()).isEqualTo(1.0);
    assertThat(metrics.registryRetryCount()).isZero();
  }

  @Test
  void shouldPauseBeforeReplacingAThreadStoppedByARegistryOutage() {
    StreamThreadReplacer replacer =
        new StreamThreadReplacer(metrics, Duration.ofMillis(200), Duration.ofSeconds(1));

    long start = System.nanoTime();
    StreamThreadExceptionResponse response = replacer.handle(OUTAGE);

    assertThat(response).isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .isGreaterThanOrEqualTo(Duration.ofMillis(200));
    assertThat(metrics.registryRetryCount()).isEqualTo(1.0);
  }

  @Test
  void shouldDoubleThePauseForEachConsecutiveOutageFailureUpToTheMaximum() {
    StreamThreadReplacer replacer =
        new StreamThreadReplacer(metrics, Duration.ofMillis(100), Duration.ofMillis(350));

    assertThat(replacer.nextPause()).isEqualTo(Duration.ofMillis(100));
    assertThat(replacer.nextPause()).isEqualTo(Duration.ofMillis(200));
    assertThat(replacer.nextPause()).isEqualTo(Duration.ofMillis(350));
    assertThat(replacer.nextPause()).isEqualTo(Duration.ofMillis(350));
  }

  @Test
  void shouldEndAPauseAtOnceWhenTheProcessorCloses() {
    StreamThreadReplacer replacer =
        new StreamThreadReplacer(metrics, Duration.ofMinutes(5), Duration.ofMinutes(5));
    replacer.stop();

    long start = System.nanoTime();
    replacer.handle(OUTAGE);

    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMinutes(1));
  }
}
