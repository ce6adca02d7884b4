package io.lapse.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.lapse.contract.AttemptMacKeys;
import io.lapse.service.CredentialsFile;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A local run's credentials live in owner-only files; the console only says where. */
class LocalSettingsTest {
  @TempDir Path home;

  @Test
  void shouldGenerateTheMacKeysOnceAndKeepThemForTheNextRun() throws Exception {
    LocalSettings first = LocalSettings.loadOrCreate(home, Map.of());
    LocalSettings second = LocalSettings.loadOrCreate(home, Map.of());

    assertThat(AttemptMacKeys.parse(first.responseMacKeys()).ids()).containsExactly("local1");
    assertThat(second.responseMacKeys()).isEqualTo(first.responseMacKeys());
    assertThat(second.secretKey()).isEqualTo(first.secretKey());
    assertThat(Files.readString(home.resolve(LocalSettings.FILE)))
        .contains("LAPSE_RESPONSE_MAC_KEYS");
  }

  @Test
  void shouldTakeTheMacKeysFromTheEnvironmentWhenSet() throws Exception {
    String keys = "ops2:" + Base64.getEncoder().encodeToString(new byte[32]);

    LocalSettings s = LocalSettings.loadOrCreate(home, Map.of("LAPSE_RESPONSE_MAC_KEYS", keys));

    assertThat(s.responseMacKeys()).isEqualTo(keys);
  }

  @Test
  void shouldGenerateOnceAndKeepBothFilesReadableByTheOwnerOnly() throws IOException {
    assumeThat(FileSystems.getDefault().supportedFileAttributeViews()).contains("posix");

    LocalSettings first = LocalSettings.loadOrCreate(home, Map.of());
    LocalSettings second = LocalSettings.loadOrCreate(home, Map.of());

    assertThat(second).isEqualTo(first);
    assertThat(first.authToken()).matches("[0-9a-f]{32}");
    for (String file : new String[] {LocalSettings.FILE, LocalSettings.CREDENTIALS}) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(home.resolve(file))))
          .as(file)
          .isEqualTo("rw-------");
    }
    assertThat(CredentialsFile.read(LocalSettings.credentialsFile(home)))
        .contains(new CredentialsFile.Credentials(first.accountSid(), first.authToken()));
  }

  @Test
  void shouldWriteTheTokenFromTheEnvironmentToTheCredentialsFile() throws IOException {
    String token = "e".repeat(32);
    LocalSettings settings = LocalSettings.loadOrCreate(home, Map.of("LAPSE_AUTH_TOKEN", token));

    assertThat(settings.authToken()).isEqualTo(token);
    assertThat(CredentialsFile.read(LocalSettings.credentialsFile(home)).orElseThrow().authToken())
        .isEqualTo(token);
  }

  @Test
  void shouldShowNeitherTokenNorKeyInItsTextForm() throws IOException {
    LocalSettings settings = LocalSettings.loadOrCreate(home, Map.of());

    assertThat(settings.toString())
        .contains(settings.accountSid())
        .doesNotContain(settings.authToken(), settings.secretKey(), settings.responseMacKeys());
  }

  @Test
  void shouldPrintAWalkthroughThatReadsTheTokenFromTheFileAndNeverShowsIt() throws IOException {
    LocalSettings settings = LocalSettings.loadOrCreate(home, Map.of());

    String text = Walkthrough.text("http://127.0.0.1:8080", settings, "127.0.0.1:9092", home);

    assertThat(text)
        .contains(settings.accountSid())
        .contains("AUTH=$(cat '" + LocalSettings.credentialsFile(home) + "')")
        .doesNotContain(settings.authToken(), settings.secretKey(), "lapse-factor.json");
  }

  @Test
  void shouldPointAtTheAuthenticatorPageWithALineThatMakesAnAccessToken() throws IOException {
    LocalSettings settings = LocalSettings.loadOrCreate(home, Map.of());

    String text = Walkthrough.text("http://127.0.0.1:8080", settings, "127.0.0.1:9092", home);

    assertThat(text)
        .contains("http://127.0.0.1:8080/authenticator/")
        .contains(
            "curl -s -u \"$AUTH\" \"$LAPSE/v2/Services/$SERVICE/AccessTokens\" -d Identity=$ID"
                + " -d FactorType=push -d Ttl=300 | field token");
  }
}
