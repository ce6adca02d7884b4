package io.lapse.testkit;

import io.lapse.infra.BrokerOptions;
import io.lapse.infra.InProcessKafkaBroker;
import io.lapse.infra.KafkaBroker;
import io.lapse.infra.KafkaCluster;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension that injects a real Kafka broker as a {@link KafkaBroker} parameter (test
 * method, {@code @BeforeAll}/{@code @BeforeEach} method or constructor).
 *
 * <p>Responsibility: one broker per test JVM, started lazily on first use by {@link
 * KafkaBrokers#start()} and stopped when the JUnit run ends, whether tests passed or failed (JUnit
 * closes the root store's {@link AutoCloseable} values). Tests sharing it keep apart by using their
 * own topic names ({@link KafkaHelpers#uniqueName(String)}). A parameter annotated {@link
 * DedicatedBroker}, or of type {@link InProcessKafkaBroker}, gets a fresh in-process broker of its
 * own instead, closed when its scope ends.
 *
 * <p>A parameter of type {@link KafkaCluster} gets a cluster of three brokers, each in a child JVM
 * so a test can SIGKILL one ({@link Brokers} chooses another size): one per test class and size,
 * shared by that class's methods and stopped (children killed, data deleted) after the class.
 */
public final class KafkaExtension implements ParameterResolver {

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(KafkaExtension.class);
  private static final String SHARED = "shared-broker";

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return type == KafkaBroker.class
        || type == InProcessKafkaBroker.class
        || type == KafkaCluster.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    try {
      if (parameter.getParameter().getType() == KafkaCluster.class) {
        return cluster(parameter, context);
      }
      boolean dedicated =
          parameter.isAnnotated(DedicatedBroker.class)
              || parameter.getParameter().getType() == InProcessKafkaBroker.class;
      return dedicated ? dedicatedBroker(parameter, context) : sharedBroker(context);
    } catch (RuntimeException e) {
      throw new ParameterResolutionException("Cannot start a Kafka broker: " + e.getMessage(), e);
    }
  }

  /**
   * The broker shared by every test in this JVM, started on first call. For extensions and fixtures
   * that need it outside parameter injection.
   */
  public static KafkaBroker sharedBroker(ExtensionContext context) {
    return context
        .getRoot()
        .getStore(NAMESPACE)
        .getOrComputeIfAbsent(SHARED, key -> KafkaBrokers.start(), KafkaBroker.class);
  }

  private static KafkaCluster cluster(ParameterContext parameter, ExtensionContext context) {
    int brokers = parameter.findAnnotation(Brokers.class).map(Brokers::value).orElse(3);
    ExtensionContext scope = context;
    // Injected into a test method: keep the cluster for the whole class, not one method.
    while (scope.getTestMethod().isPresent() && scope.getParent().isPresent()) {
      scope = scope.getParent().get();
    }
    return scope
        .getStore(NAMESPACE)
        .getOrComputeIfAbsent(
            "cluster-" + brokers, k -> KafkaBrokers.cluster(brokers), KafkaCluster.class);
  }

  private static InProcessKafkaBroker dedicatedBroker(
      ParameterContext parameter, ExtensionContext context) {
    String key = "dedicated-" + parameter.getDeclaringExecutable() + "-" + parameter.getIndex();
    // Stored in the current (method or class) context: JUnit closes it when that scope ends.
    return context
        .getStore(NAMESPACE)
        .getOrComputeIfAbsent(
            key, k -> KafkaBrokers.inProcess(BrokerOptions.defaults()), InProcessKafkaBroker.class);
  }
}
