package io.lapse.expiry;

import org.apache.kafka.streams.KafkaStreams;

/**
 * Runs the expiry processor from environment variables (see {@link ExpiryConfig}) until SIGTERM.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    ExpiryConfig config = ExpiryConfig.fromEnv(System.getenv());
    ExpiryProcessorApp app = ExpiryProcessorApp.start(config);
    Runtime.getRuntime().addShutdownHook(new Thread(app::close, "lapse-expiry-shutdown"));
    KafkaStreams.State end = app.terminated().join();
    if (end == KafkaStreams.State.ERROR) {
      System.exit(1);
    }
  }
}
