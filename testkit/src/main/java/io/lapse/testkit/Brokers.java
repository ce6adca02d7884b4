package io.lapse.testkit;

import io.lapse.infra.KafkaCluster;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The number of nodes of the {@link KafkaCluster} injected into the annotated parameter (without
 * it: 3), e.g. {@code @BeforeAll void start(@Brokers(3) KafkaCluster cluster)}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.PARAMETER)
public @interface Brokers {
  /** Nodes of the cluster, each a broker and a controller-quorum voter in a child JVM. */
  int value();
}
