package io.lapse.infra;

/**
 * A running Confluent-compatible schema registry reached at {@link #url()}.
 *
 * <p>Responsibility: give tests and the local launcher the base URL that serdes use as {@code
 * schema.registry.url}, and stop whatever this handle started when closed. This module starts an
 * {@link ApicurioRegistry}; the test kit's {@code SchemaRegistries} may also hand out an external
 * registry.
 */
public interface SchemaRegistry extends AutoCloseable {

  /**
   * The Confluent-compatible base URL, with its path, e.g. {@code
   * http://127.0.0.1:41234/apis/ccompat/v7}. Append REST paths ({@code /subjects}) to it; never
   * build URLs from host and port.
   */
  String url();

  /**
   * Stops what this handle started (an external registry is left running). Idempotent; never throws
   * a checked exception.
   */
  @Override
  void close();
}
