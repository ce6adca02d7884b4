package io.lapse.testkit;

import io.lapse.infra.BrokerOptions;
import io.lapse.infra.KafkaCluster;
import java.util.concurrent.CountDownLatch;

/**
 * A JVM that starts a one-node {@link KafkaCluster}, prints its broker's pid and data directory,
 * and waits forever: {@link KafkaClusterLifecycleIT} kills it with SIGKILL to check that the broker
 * does not outlive it.
 */
public final class ClusterParent {
  static final String PID_LINE = "broker-pid=";
  static final String DATA_LINE = "data-dir=";

  private ClusterParent() {}

  public static void main(String[] args) throws InterruptedException {
    KafkaCluster cluster = KafkaCluster.start(1, BrokerOptions.defaults());
    System.out.println(DATA_LINE + cluster.dataDir());
    System.out.println(PID_LINE + cluster.pid(1));
    System.out.flush();
    new CountDownLatch(1).await();
  }
}
