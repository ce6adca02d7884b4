package io.lapse.testkit;

import io.lapse.infra.SchemaRegistry;
import java.util.Objects;

/** A registry run by someone else; {@link #close()} leaves it running. */
record ExternalSchemaRegistry(String url) implements SchemaRegistry {

  ExternalSchemaRegistry {
    Objects.requireNonNull(url, "url");
  }

  @Override
  public void close() {
    // Not ours to stop.
  }
}
