package io.lapse.expiry;

import static org.assertj.core.api.Assertions.assertThat;

import io.lapse.serde.RegistryUnavailableException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Which failures the handler dead-letters (undecodable bytes) and which it retries (outages). */
class DeadLetterHandlerTest {
  private static final String TOPIC = "challenge-created";
  private static final byte[] KEY = "YC1".getBytes(StandardCharsets.UTF_8);
  private static final byte[] VALUE = {0, 0, 0, 0, 7, 2};

  private final ExpiryMetrics metrics = new ExpiryMetrics(new SimpleMeterRegistry());
  private final DeadLetterHandler handler = new DeadLetterHandler();

  @BeforeEach
  void configure() {
    handler.configure(Map.of(DeadLetterHandler.METRICS_CONFIG, metrics));
  }

  @Test
  void shouldFailWithoutDeadLetteringARecordWhoseSchemaTheRegistryCannotServeNow() {
    RegistryUnavailableException outage =
        new RegistryUnavailableException("registry down", 503, 50005);

    DeserializationExceptionHandler.Response response =
        handler.handleError(context(TOPIC), consumed(), outage);

    assertThat(response.result()).isEqualTo(DeserializationExceptionHandler.Result.FAIL);
    assertThat(response.deadLetterQueueRecords()).isEmpty();
    assertThat(metrics.registryUnavailableCount()).isEqualTo(1.0);
    assertThat(metrics.deadLetteredCount()).isZero();
  }

  @Test
  void shouldDeadLetterBytesThatCannotBeDecodedWithTheReason() {
    SerializationException poison = new SerializationException("Unknown magic byte 0x7b");

    DeserializationExceptionHandler.Response response =
        handler.handleError(context(TOPIC), consumed(), poison);

    assertThat(response.result()).isEqualTo(DeserializationExceptionHandler.Result.RESUME);
    assertThat(response.deadLetterQueueRecords()).hasSize(1);
    ProducerRecord<byte[], byte[]> dead = response.deadLetterQueueRecords().get(0);
    assertThat(dead.topic()).isEqualTo("challenge-created-dlq");
    assertThat(dead.value()).isEqualTo(VALUE);
    assertThat(header(dead.headers(), DeadLetterHandler.HEADER_MESSAGE))
        .contains("Unknown magic byte");
    assertThat(metrics.registryUnavailableCount()).isZero();
    assertThat(metrics.deadLetteredCount()).isEqualTo(1.0);
  }

  @Test
  void shouldFailAProcessingErrorThatAnOutageCausedDeepDown() {
    // What a sink's serializer failure looks like once Streams has wrapped it.
    StreamsException wrapped =
        new StreamsException(
            "Unable to serialize record",
            new RegistryUnavailableException("registry down", new java.net.ConnectException()));

    ProcessingExceptionHandler.Response response =
        handler.handleError(context(TOPIC), new Record<>("YC1", "v", 0L), wrapped);

    assertThat(response.result()).isEqualTo(ProcessingExceptionHandler.Result.FAIL);
    assertThat(response.deadLetterQueueRecords()).isEmpty();
  }

  @Test
  void shouldFailAPunctuationThatHitAnOutageInsteadOfLettingTheNextTickSkipIt() {
    ProcessingExceptionHandler.Response response =
        handler.handleError(
            context(null),
            (Record<?, ?>) null,
            new StreamsException(new RegistryUnavailableException("registry down", 502, 50005)));

    assertThat(response.result()).isEqualTo(ProcessingExceptionHandler.Result.FAIL);
    assertThat(metrics.registryUnavailableCount()).isEqualTo(1.0);
  }

  @Test
  void shouldStillDeadLetterARecordWhoseHandlingFailedForAnyOtherReason() {
    ProcessingExceptionHandler.Response response =
        handler.handleError(
            context(TOPIC), new Record<>("YC1", "v", 0L), new IllegalStateException("bug"));

    assertThat(response.result()).isEqualTo(ProcessingExceptionHandler.Result.RESUME);
    assertThat(response.deadLetterQueueRecords()).hasSize(1);
  }

  private static ConsumerRecord<byte[], byte[]> consumed() {
    return new ConsumerRecord<>(TOPIC, 2, 41L, KEY, VALUE);
  }

  private static String header(Headers headers, String name) {
    return new String(headers.lastHeader(name).value(), StandardCharsets.UTF_8);
  }

  /** The context Streams passes: the source record's coordinates (topic null in a punctuation). */
  private static ErrorHandlerContext context(String topic) {
    return new ErrorHandlerContext() {
      @Override
      public String topic() {
        return topic;
      }

      @Override
      public int partition() {
        return topic == null ? -1 : 2;
      }

      @Override
      public long offset() {
        return topic == null ? -1 : 41L;
      }

      @Override
      public Headers headers() {
        return new RecordHeaders();
      }

      @Override
      public String processorNodeId() {
        return "challenge-arbiter";
      }

      @Override
      public TaskId taskId() {
        return new TaskId(0, 2);
      }

      @Override
      public long timestamp() {
        return 0L;
      }

      @Override
      public byte[] sourceRawKey() {
        return topic == null ? null : KEY;
      }

      @Override
      public byte[] sourceRawValue() {
        return topic == null ? null : VALUE;
      }
    };
  }
}
