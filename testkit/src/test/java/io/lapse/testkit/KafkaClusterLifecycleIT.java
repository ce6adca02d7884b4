package io.lapse.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.lapse.infra.KafkaCluster;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** A cluster's broker processes end with it. */
class KafkaClusterLifecycleIT {
  @Test
  void shouldStopItsBrokerProcessesAndDeleteTemporaryDataWhenClosed() {
    KafkaCluster cluster = KafkaBrokers.cluster(1);
    ProcessHandle broker = ProcessHandle.of(cluster.pid(1)).orElseThrow();
    Path dataDir = cluster.dataDir();
    assertThat(dataDir).exists();

    cluster.close();

    assertThat(broker.isAlive()).isFalse();
    assertThat(dataDir).doesNotExist();
  }
}
