package io.lapse.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lapse.infra.FileTrees;
import io.lapse.infra.KafkaCluster;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A cluster's broker processes never outlive it: not after close, not after its JVM is killed. */
class KafkaClusterLifecycleIT {
  private static final Duration BOUND = Duration.ofSeconds(60);

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

  @Test
  void shouldStopItsBrokersWhenTheJvmThatStartedThemIsKilled() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process parent =
        new ProcessBuilder(
                List.of(
                    java,
                    "-cp",
                    System.getProperty("java.class.path"),
                    ClusterParent.class.getName()))
            .redirectErrorStream(true)
            .start();
    Path dataDir = null;
    try (BufferedReader out =
        new BufferedReader(
            new InputStreamReader(parent.getInputStream(), StandardCharsets.UTF_8))) {
      long pid = -1;
      while (pid < 0) {
        String line = out.readLine();
        if (line == null) {
          break; // the parent exited without starting its cluster
        }
        if (line.startsWith(ClusterParent.DATA_LINE)) {
          dataDir = Path.of(line.substring(ClusterParent.DATA_LINE.length()));
        } else if (line.startsWith(ClusterParent.PID_LINE)) {
          pid = Long.parseLong(line.substring(ClusterParent.PID_LINE.length()));
        }
      }
      assertThat(pid).as("the parent printed its broker's pid").isPositive();
      ProcessHandle broker = ProcessHandle.of(pid).orElseThrow();

      parent.destroyForcibly().waitFor();

      await().atMost(BOUND).until(() -> !broker.isAlive());
    } finally {
      parent.destroyForcibly();
      if (dataDir != null) {
        FileTrees.deleteQuietly(dataDir); // the killed parent could not delete it
      }
    }
  }
}
