package io.lapse.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lapse.infra.FileTrees;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The child processes of the local infrastructure (brokers of a cluster, the schema registry) end
 * by themselves when the JVM that started them is killed with SIGKILL, which runs no shutdown hook.
 */
class OrphanedChildrenIT {
  private static final Duration BOUND = Duration.ofSeconds(60);

  @Test
  void shouldStopTheBrokersAndTheRegistryWhenTheJvmThatStartedThemIsKilled() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process parent =
        new ProcessBuilder(
                List.of(
                    java,
                    "-cp",
                    System.getProperty("java.class.path"),
                    InfraParent.class.getName()))
            .redirectErrorStream(true)
            .start();
    Path dataDir = null;
    try (BufferedReader out =
        new BufferedReader(
            new InputStreamReader(parent.getInputStream(), StandardCharsets.UTF_8))) {
      List<ProcessHandle> children = List.of();
      while (children.isEmpty()) {
        String line = out.readLine();
        if (line == null) {
          break; // the parent exited without starting its children
        }
        if (line.startsWith(InfraParent.DATA_LINE)) {
          dataDir = Path.of(line.substring(InfraParent.DATA_LINE.length()));
        } else if (line.startsWith(InfraParent.PIDS_LINE)) {
          children =
              Arrays.stream(line.substring(InfraParent.PIDS_LINE.length()).split(","))
                  .map(pid -> ProcessHandle.of(Long.parseLong(pid)))
                  .flatMap(Optional::stream)
                  .toList();
        }
      }
      // The broker, the registry's guard and the registry itself.
      assertThat(children).as("the parent's children").hasSize(3).allMatch(ProcessHandle::isAlive);

      parent.destroyForcibly().waitFor();

      List<ProcessHandle> watched = children;
      await().atMost(BOUND).until(() -> watched.stream().noneMatch(ProcessHandle::isAlive));
    } finally {
      parent.destroyForcibly();
      if (dataDir != null) {
        FileTrees.deleteQuietly(dataDir); // the killed parent could not delete it
      }
    }
  }
}
