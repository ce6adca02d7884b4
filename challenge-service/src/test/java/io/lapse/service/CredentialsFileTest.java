package io.lapse.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CredentialsFileTest {
  private static final String ACCOUNT = "AC" + "a".repeat(32);
  private static final String TOKEN = "0123456789abcdef0123456789abcdef";

  @TempDir Path dir;

  @Test
  void shouldWriteOneCurlUserLineReadableByItsOwnerOnly() throws IOException {
    assumeThat(FileSystems.getDefault().supportedFileAttributeViews()).contains("posix");
    Path file = dir.resolve("nested").resolve("credentials");

    CredentialsFile.write(file, ACCOUNT, TOKEN);

    assertThat(Files.readString(file)).isEqualTo(ACCOUNT + ":" + TOKEN + "\n");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    try (var leftovers = Files.list(file.getParent())) {
      assertThat(leftovers).containsExactly(file);
    }
  }

  @Test
  void shouldTightenAFileThatWasReadableByOthersWhenReplacingIt() throws IOException {
    assumeThat(FileSystems.getDefault().supportedFileAttributeViews()).contains("posix");
    Path file = dir.resolve("credentials");
    Files.writeString(file, "old");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

    CredentialsFile.write(file, ACCOUNT, TOKEN);

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    assertThat(CredentialsFile.read(file))
        .contains(new CredentialsFile.Credentials(ACCOUNT, TOKEN));
  }

  @Test
  void shouldReadNothingFromAMissingOrMalformedFile() throws IOException {
    assertThat(CredentialsFile.read(dir.resolve("missing"))).isEmpty();
    Path file = dir.resolve("credentials");
    Files.writeString(file, "no colon here\n");
    assertThat(CredentialsFile.read(file)).isEmpty();
  }

  @Test
  void shouldKeepTheTokenOutOfTheTextForm() {
    assertThat(new CredentialsFile.Credentials(ACCOUNT, TOKEN).toString())
        .contains(ACCOUNT)
        .doesNotContain(TOKEN);
  }

  @Test
  void shouldNameTheStandaloneFileByPortUnderTheUsersLapseDirectory() {
    assertThat(CredentialsFile.standalone(8080))
        .isEqualTo(
            Path.of(
                System.getProperty("user.home"), ".lapse", "challenge-service-8080.credentials"));
  }
}
