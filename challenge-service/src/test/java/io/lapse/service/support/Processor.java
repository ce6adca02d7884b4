package io.lapse.service.support;

import static org.awaitility.Awaitility.await;

import io.lapse.expiry.ExpiryConfig;
import io.lapse.expiry.ExpiryProcessorApp;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.streams.KafkaStreams;

/** Starts the real expiry processor in-process and waits until its stream threads run. */
public final class Processor {
  private Processor() {}

  /** Its source topics must exist: start the challenge service (which creates them) first. */
  public static ExpiryProcessorApp start(Map<String, String> env) {
    ExpiryProcessorApp processor = ExpiryProcessorApp.start(ExpiryConfig.fromEnv(env));
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> processor.state() == KafkaStreams.State.RUNNING);
    return processor;
  }
}
