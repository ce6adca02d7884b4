package io.lapse.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JavaRuntimesTest {

  @TempDir Path home;

  @Test
  void shouldReadTheFeatureVersionFromTheReleaseFile() throws Exception {
    Files.writeString(home.resolve("release"), "IMPLEMENTOR=\"x\"\nJAVA_VERSION=\"25.0.1\"\n");

    assertThat(JavaRuntimes.describe(home))
        .hasValueSatisfying(r -> assertThat(r.feature()).isEqualTo(25));
  }

  @Test
  void shouldReadJava8StyleVersionsAsEight() throws Exception {
    Files.writeString(home.resolve("release"), "JAVA_VERSION=\"1.8.0_402\"\n");

    assertThat(JavaRuntimes.describe(home))
        .hasValueSatisfying(r -> assertThat(r.feature()).isEqualTo(8));
  }

  @Test
  void shouldIgnoreAFolderWithoutReleaseFile() {
    assertThat(JavaRuntimes.describe(home)).isEmpty();
  }

  @Test
  void shouldOfferTheRunningJavaOrNewerButNothingOlderThanAsked() {
    int running = Runtime.version().feature();

    assertThat(JavaRuntimes.find(running))
        .hasValueSatisfying(r -> assertThat(r.feature()).isGreaterThanOrEqualTo(running));
    assertThat(JavaRuntimes.find(1000)).isEmpty();
  }
}
