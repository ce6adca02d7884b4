package io.lapse.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.lapse.contract.AttemptMacKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
}
