package io.lapse.testkit;

import io.lapse.infra.KafkaBroker;
import java.util.Objects;

/**
 * A broker started by someone else, reached at a given address.
 *
 * <p>Responsibility: hand out the address; {@link #close()} leaves the broker running.
 */
record ExternalKafkaBroker(String bootstrapServers) implements KafkaBroker {

  ExternalKafkaBroker {
    Objects.requireNonNull(bootstrapServers, "bootstrapServers");
  }

  @Override
  public void close() {
    // Not ours to stop.
  }
}
