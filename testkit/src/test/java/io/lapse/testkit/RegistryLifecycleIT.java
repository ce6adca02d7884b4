package io.lapse.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Starts registries of its own (not the shared one) to check stop and persistence. */
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
      port = URI_PORT(first.url());
    }

    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive))
        .isNotEqualTo(java.util.Optional.of(true));
    assertThat(FreePorts.isFree(port)).isTrue();

    try (ApicurioRegistry second = SchemaRegistries.apicurio(options)) {
      assertThat(SchemaRegistryIT.get(second, "/subjects").body()).contains(subject);
    }
  }

  private static int URI_PORT(String url) {
    return java.net.URI.create(url).getPort();
  }
}
