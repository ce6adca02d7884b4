package io.lapse.testkit;

import io.lapse.infra.SchemaRegistry;
import java.util.Objects;
import java.util.regex.Pattern;

/** A registry run by someone else; {@link #close()} leaves it running. */
record ExternalSchemaRegistry(String url) implements SchemaRegistry {
  /** {@code scheme://user:password@}, up to the authority's last {@code @}. */
  private static final Pattern USER_INFO = Pattern.compile("(?<=://)[^/\\r\\n]+@");

  ExternalSchemaRegistry {
    Objects.requireNonNull(url, "url");
  }

  /** The URL for a log line: its user info, which may carry a password, masked. */
  String maskedUrl() {
    return USER_INFO.matcher(url).replaceAll("****@");
  }

  @Override
  public String toString() {
    return "ExternalSchemaRegistry[" + maskedUrl() + "]";
  }

  @Override
  public void close() {
    // Not ours to stop.
  }
}
