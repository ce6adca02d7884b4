package io.lapse.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigRenderingTest {
  static final Setting<String> URL =
      Setting.string("T_URL").defaultsTo("http://127.0.0.1:8081/apis").doc("registry `url`");
  static final Setting<Integer> PORT =
      Setting.port("T_PORT").defaultsTo(8080).doc("port; 0 | any picks one");
  static final Setting<Duration> WAIT =
      Setting.millis("T_WAIT_MS").defaultsTo(Duration.ofSeconds(5)).doc("wait");
  static final Setting<String> TOKEN =
      Setting.password("T_TOKEN").whenUnset("generated and printed").doc("token");
  static final Setting<byte[]> KEY =
      Setting.of("T_KEY", ConfigType.secret("bytes", String::getBytes)).required().doc("key");
  static final Setting<String> BASE = Setting.string("T_BASE").doc("base");
  static final PropertyPrefix CLIENT = PropertyPrefix.of("T_PROP_", "any client property");

  static final ConfigDef DEF = ConfigDef.of("Test", URL, PORT, WAIT, TOKEN, KEY, BASE, CLIENT);

  @Test
  void shouldRenderTheEffectiveConfigurationWithSecretsMasked() {
    Config c =
        DEF.parse(
            Map.of(
                "T_URL", "https://alice:pa55@registry.example.com/apis",
                "T_TOKEN", "tok-123",
                "T_KEY", "key-456",
                "T_PROP_SASL_JAAS_CONFIG", "PlainLoginModule password=\"jaas-789\";",
                "T_PROP_BASIC_AUTH_USER_INFO", "bob:ui-000",
                "T_PROP_SSL_KEY_PASSWORD", "kp-111",
                "T_PROP_MAX_POLL_RECORDS", "500"));
    assertThat(c.toString())
        .isEqualTo(
            "T_URL=https://****@registry.example.com/apis, T_PORT=8080, T_WAIT_MS=5000,"
                + " T_TOKEN=****, T_KEY=****, T_BASE=(unset),"
                + " T_PROP_BASIC_AUTH_USER_INFO=****, T_PROP_MAX_POLL_RECORDS=500,"
                + " T_PROP_SASL_JAAS_CONFIG=****, T_PROP_SSL_KEY_PASSWORD=****")
        .doesNotContain("pa55", "alice", "tok-123", "key-456", "jaas-789", "ui-000", "kp-111");
  }

  @Test
  void shouldMaskTheUserInfoOfEveryUrlInAList() {
    Config c = DEF.parse(Map.of("T_KEY", "k", "T_URL", "http://a:1@h1:80,http://b:2@h2:80/x"));
    assertThat(c.toString()).startsWith("T_URL=http://****@h1:80,http://****@h2:80/x,");
  }

  @Test
  void shouldRenderTheDocumentationAsAMarkdownTable() {
    assertThat(DEF.markdownTable())
        .isEqualTo(
            """
            | variable | default | meaning |
            |---|---|---|
            | `T_URL` | `http://127.0.0.1:8081/apis` | registry `url` |
            | `T_PORT` | `8080` | port; 0 \\| any picks one |
            | `T_WAIT_MS` | `5000` | wait |
            | `T_TOKEN` | generated and printed | token |
            | `T_KEY` | **required** | key |
            | `T_BASE` | none | base |
            | `T_PROP_<NAME>` | none | any client property |
            """);
  }
}
