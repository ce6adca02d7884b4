package io.lapse.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lapse.infra.ApicurioRegistry;
import io.lapse.infra.FreePorts;
import io.lapse.infra.RegistryOptions;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Starts registries of its own (not the shared one) to check stopping and persistence. */
class RegistryLifecycleIT {

  private static final String SCHEMA =
      "{\"type\":\"record\",\"name\":\"Kept\",\"fields\":[{\"name\":\"a\",\"type\":\"string\"}]}";

  @Test
  void shouldStopTheChildProcessAndKeepSubjectsInItsDataDirectoryAcrossRestarts(
      @TempDir Path dataDir) throws Exception {
    String subject = KafkaHelpers.uniqueName("kept") + "-value";
    RegistryOptions options = RegistryOptions.defaults().withDataDir(dataDir);

    long pid;
    int port;
    try (ApicurioRegistry first = SchemaRegistries.apicurio(options)) {
      assertThat(SchemaRegistryIT.register(first, subject, SCHEMA).statusCode()).isEqualTo(200);
      pid = first.pid();
      port = URI.create(first.url()).getPort();
    }

    assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty();
    assertThat(FreePorts.isFree(port)).isTrue();

    try (ApicurioRegistry second = SchemaRegistries.apicurio(options)) {
      assertThat(SchemaRegistryIT.get(second, "/subjects").body()).contains(subject);
    }
  }

  @Test
  void shouldStopTheChildAndPointToItsLogWhenItDoesNotAnswerInTime(@TempDir Path dir) {
    int port = FreePorts.pick();
    RegistryOptions options =
        RegistryOptions.defaults()
            .withPort(port)
            .withLogFile(dir.resolve("registry.log"))
            .withStartTimeout(Duration.ofMillis(1));

    assertThatThrownBy(() -> SchemaRegistries.apicurio(options))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("did not answer")
        .hasMessageContaining(dir.resolve("registry.log").toString());

    assertThat(
            ProcessHandle.current()
                .descendants()
                .filter(ProcessHandle::isAlive)
                .filter(p -> startedOnPort(p, port)))
        .isEmpty();
  }

  private static boolean startedOnPort(ProcessHandle process, int port) {
    return process
        .info()
        .arguments()
        .map(args -> Arrays.asList(args).contains("-Dquarkus.http.port=" + port))
        .orElse(false);
  }
}
