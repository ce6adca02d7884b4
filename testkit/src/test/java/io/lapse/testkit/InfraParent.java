package io.lapse.testkit;

import io.lapse.infra.ApicurioRegistry;
import io.lapse.infra.BrokerOptions;
import io.lapse.infra.KafkaCluster;
import io.lapse.infra.RegistryOptions;
import java.util.concurrent.CountDownLatch;

/**
 * A JVM that starts a one-node {@link KafkaCluster} and a schema registry, prints the process ids
 * of their children and the cluster's data directory, and waits forever: {@link OrphanedChildrenIT}
 * kills it with SIGKILL to check that none of its children outlives it.
 */
public final class InfraParent {
  static final String PIDS_LINE = "child-pids=";
  static final String DATA_LINE = "data-dir=";

  private InfraParent() {}

  public static void main(String[] args) throws InterruptedException {
    KafkaCluster cluster = KafkaCluster.start(1, BrokerOptions.defaults());
    ApicurioRegistry registry = ApicurioRegistry.start(RegistryOptions.defaults());
    System.out.println(DATA_LINE + cluster.dataDir());
    StringBuilder pids =
        new StringBuilder().append(cluster.pid(1)).append(',').append(registry.pid());
    ProcessHandle.of(registry.pid())
        .ifPresent(guard -> guard.descendants().forEach(p -> pids.append(',').append(p.pid())));
    System.out.println(PIDS_LINE + pids);
    System.out.flush();
    new CountDownLatch(1).await();
  }
}
