package io.lapse.infra;

/**
 * A running Kafka broker (or cluster) that clients reach at {@link #bootstrapServers()}.
 *
 * <p>Responsibility: give tests and the local launcher one address to connect to, whatever runs
 * behind it (an in-process KRaft broker, a Testcontainers container, or an external broker), and
 * stop whatever this handle started when closed. This module starts an {@link
 * InProcessKafkaBroker}; the test kit's {@code KafkaBrokers} chooses among all three for tests.
 */
public interface KafkaBroker extends AutoCloseable {

  /** The {@code bootstrap.servers} value, e.g. {@code 127.0.0.1:40123}. */
  String bootstrapServers();

  /**
   * Stops what this handle started and releases its resources (an external broker is left running).
   * Idempotent; never throws a checked exception.
   */
  @Override
  void close();
}
