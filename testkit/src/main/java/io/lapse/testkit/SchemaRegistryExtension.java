package io.lapse.testkit;

import io.lapse.infra.SchemaRegistry;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension that injects a real schema registry as a {@link SchemaRegistry} parameter.
 *
 * <p>Responsibility: one registry per test JVM, started lazily on first use by {@link
 * SchemaRegistries#start()} and stopped when the JUnit run ends, whether tests passed or failed.
 * Subjects persist across tests in the JVM: use unique subject (topic) names.
 */
public final class SchemaRegistryExtension implements ParameterResolver {

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(SchemaRegistryExtension.class);
  private static final String SHARED = "shared-registry";

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == SchemaRegistry.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    try {
      return sharedRegistry(context);
    } catch (RuntimeException e) {
      throw new ParameterResolutionException(
          "Cannot start a schema registry: " + e.getMessage(), e);
    }
  }

  /** The registry shared by every test in this JVM, started on first call. */
  public static SchemaRegistry sharedRegistry(ExtensionContext context) {
    return context
        .getRoot()
        .getStore(NAMESPACE)
        .getOrComputeIfAbsent(SHARED, key -> SchemaRegistries.start(), SchemaRegistry.class);
  }
}
