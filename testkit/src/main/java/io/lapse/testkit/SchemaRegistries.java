package io.lapse.testkit;

import io.lapse.infra.ApicurioRegistry;
import io.lapse.infra.RegistryOptions;
import io.lapse.infra.SchemaRegistry;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the schema registry that fits this machine, for tests.
 *
 * <p>Responsibility: the one place that chooses where a test's registry comes from: an external one
 * if system property {@value #URL_PROPERTY} or environment variable {@value #URL_ENV} gives its
 * Confluent-compatible base URL; otherwise Apicurio Registry as a child process ({@link
 * ApicurioRegistry}).
 */
public final class SchemaRegistries {

  /** System property naming an external registry's base URL. */
  public static final String URL_PROPERTY = "lapse.registry.url";

  /** Environment variable naming an external registry's base URL. */
  public static final String URL_ENV = "LAPSE_TEST_REGISTRY_URL";

  private static final Logger LOG = LoggerFactory.getLogger(SchemaRegistries.class);

  private SchemaRegistries() {}

  /** A registry with {@link RegistryOptions#defaults()}. */
  public static SchemaRegistry start() {
    return start(RegistryOptions.defaults());
  }

  /** A registry chosen as described on this class. */
  public static SchemaRegistry start(RegistryOptions options) {
    Optional<String> external = externalUrl();
    if (external.isPresent()) {
      ExternalSchemaRegistry registry = new ExternalSchemaRegistry(external.get());
      LOG.info("Using the external schema registry at {}", registry.maskedUrl());
      return registry;
    }
    return apicurio(options);
  }

  /** Always an Apicurio child process (for tests that stop and restart it). */
  public static ApicurioRegistry apicurio(RegistryOptions options) {
    return ApicurioRegistry.start(options);
  }

  /** The external registry URL from the system property or environment, if set. */
  public static Optional<String> externalUrl() {
    String fromProperty = System.getProperty(URL_PROPERTY);
    if (fromProperty != null && !fromProperty.isBlank()) {
      return Optional.of(fromProperty.trim());
    }
    String fromEnv = System.getenv(URL_ENV);
    return fromEnv == null || fromEnv.isBlank() ? Optional.empty() : Optional.of(fromEnv.trim());
  }
}
