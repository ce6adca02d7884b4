package io.lapse.service;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lapse.service.crypto.ApiKeys;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServiceConfigTest {
  private static final String KEY = Base64.getEncoder().encodeToString(new byte[32]);
  private static final String MAC_KEY = Base64.getEncoder().encodeToString(new byte[32]);
  private static final String MAC_KEYS = "k1:" + MAC_KEY;
  private static final String CLUSTER_KEY = Base64.getEncoder().encodeToString(new byte[48]);

  /** The variables given, and the MAC keys the service requires. */
  private static Map<String, String> withMacKeys(String... namesAndValues) {
    Map<String, String> env = new HashMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      env.put(namesAndValues[i], namesAndValues[i + 1]);
    }
    env.putIfAbsent("LAPSE_RESPONSE_MAC_KEYS", MAC_KEYS);
    env.putIfAbsent("LAPSE_CLUSTER_KEY", CLUSTER_KEY);
    return env;
  }

  private static final String TOKEN = "0123456789abcdef0123456789abcdef";

  @Test
  void shouldRefuseToStartWithoutASecretKeyAndSayHowToMakeOne() {
    assertThatThrownBy(() -> ServiceConfig.fromEnv(Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("LAPSE_SECRET_KEY is not set")
        .hasMessageContaining("openssl rand -base64 32");
  }

  @Test
  void shouldRequireAClusterKeyOfAtLeast32Bytes() {
    Map<String, String> env = withMacKeys("LAPSE_SECRET_KEY", KEY);
    env.remove("LAPSE_CLUSTER_KEY");
    assertThatThrownBy(() -> ServiceConfig.fromEnv(env))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("LAPSE_CLUSTER_KEY is not set");
    env.put("LAPSE_CLUSTER_KEY", Base64.getEncoder().encodeToString(new byte[31]));
    assertThatThrownBy(() -> ServiceConfig.fromEnv(env)).hasMessageContaining("LAPSE_CLUSTER_KEY");
    env.put("LAPSE_CLUSTER_KEY", CLUSTER_KEY);
    ServiceConfig c = ServiceConfig.fromEnv(env);
    assertThat(c.clusterKey()).hasSize(48);
    assertThat(c.internalPort()).isEqualTo(8082);
    assertThat(c.routeWait()).isEqualTo(java.time.Duration.ofSeconds(2));
    assertThat(c.maxInflightForwards()).isEqualTo(2000);
    assertThat(c.toString()).contains("LAPSE_CLUSTER_KEY=****").doesNotContain(CLUSTER_KEY);
  }

  @Test
  void shouldRefuseAKeyThatIsNot32Bytes() {
    String shortKey = Base64.getEncoder().encodeToString(new byte[16]);
    assertThatThrownBy(() -> ServiceConfig.fromEnv(withMacKeys("LAPSE_SECRET_KEY", shortKey)))
        .hasMessageContaining("32 bytes");
    assertThatThrownBy(() -> ServiceConfig.fromEnv(withMacKeys("LAPSE_SECRET_KEY", "***")))
        .hasMessageContaining("Base64");
  }

  @Test
  void shouldUseLocalDefaultsAndGenerateCredentials() {
    ServiceConfig c = ServiceConfig.fromEnv(withMacKeys("LAPSE_SECRET_KEY", KEY));
    assertThat(c.httpHost()).isEqualTo("127.0.0.1");
    assertThat(c.httpPort()).isEqualTo(8080);
    assertThat(c.publicBaseUrl()).isEmpty();
    assertThat(c.accountSid()).matches("AC[0-9a-f]{32}");
    assertThat(c.authToken()).hasSize(32);
    assertThat(c.credentialsGenerated()).isTrue();
    assertThat(c.verifyTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.challengeRetention()).isEqualTo(Duration.ofDays(1));
    assertThat(c.kafka().bootstrapServers()).isEqualTo("127.0.0.1:9092");
    assertThat(c.toString()).doesNotContain(c.authToken());
  }

  @Test
  void shouldReadEveryVariable() {
    Map<String, String> env = withMacKeys("LAPSE_SECRET_KEY", KEY);
    env.put("HTTP_PORT", "0");
    env.put("LAPSE_HTTP_HOST", "0.0.0.0");
    env.put("LAPSE_PUBLIC_BASE_URL", "https://verify.example.com");
    env.put("LAPSE_ACCOUNT_SID", "AC" + "c".repeat(32));
    env.put("LAPSE_AUTH_TOKEN", TOKEN);
    env.put("LAPSE_VERIFY_TIMEOUT_MS", "2500");
    env.put("LAPSE_CHALLENGE_RETENTION_SECONDS", "3600");
    env.put("LAPSE_STARTUP_TIMEOUT_SECONDS", "30");
    env.put("KAFKA_BOOTSTRAP_SERVERS", "broker:9092");
    ServiceConfig c = ServiceConfig.fromEnv(env);
    assertThat(c.httpPort()).isZero();
    assertThat(c.httpHost()).isEqualTo("0.0.0.0");
    assertThat(c.publicBaseUrl()).contains("https://verify.example.com");
    assertThat(c.accountSid()).isEqualTo("AC" + "c".repeat(32));
    assertThat(c.authToken()).isEqualTo(TOKEN);
    assertThat(c.credentialsGenerated()).isFalse();
    assertThat(c.verifyTimeout()).isEqualTo(Duration.ofMillis(2500));
    assertThat(c.challengeRetention()).isEqualTo(Duration.ofHours(1));
    assertThat(c.startupTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.kafka().bootstrapServers()).isEqualTo("broker:9092");
  }

  @Test
  void shouldRejectMalformedValuesNamingTheVariable() {
    assertThatThrownBy(
            () -> ServiceConfig.fromEnv(withMacKeys("LAPSE_SECRET_KEY", KEY, "HTTP_PORT", "x")))
        .hasMessageContaining("HTTP_PORT");
    assertThatThrownBy(
            () ->
                ServiceConfig.fromEnv(
                    withMacKeys(
                        "LAPSE_SECRET_KEY",
                        KEY,
                        "LAPSE_ACCOUNT_SID",
                        "AC1",
                        "LAPSE_AUTH_TOKEN",
                        TOKEN)))
        .hasMessageContaining("LAPSE_ACCOUNT_SID");
  }

  @Test
  void shouldGenerateOnlyTheMissingCredentialAndSaySo() {
    String account = "AC" + "d".repeat(32);
    ServiceConfig c =
        ServiceConfig.fromEnv(withMacKeys("LAPSE_SECRET_KEY", KEY, "LAPSE_ACCOUNT_SID", account));
    assertThat(c.accountSid()).isEqualTo(account);
    assertThat(c.authToken()).matches("[0-9a-f]{32}");
    assertThat(c.credentialsGenerated()).isTrue();
  }

  @Test
  void shouldLogTheEffectiveConfigurationWithSecretsMasked() {
    String key = Base64.getEncoder().encodeToString("k".repeat(32).getBytes(UTF_8));
    String macKey = Base64.getEncoder().encodeToString("m".repeat(32).getBytes(UTF_8));
    Map<String, String> env =
        withMacKeys("LAPSE_SECRET_KEY", key, "LAPSE_RESPONSE_MAC_KEYS", "k9:" + macKey);
    env.put("LAPSE_AUTH_TOKEN", "token-secret-" + "x".repeat(32));
    env.put("SCHEMA_REGISTRY_URL", "https://reg-user:reg-pass@registry.example.com");
    env.put("SCHEMA_REGISTRY_PROPERTY_BASIC_AUTH_USER_INFO", "ui-user:ui-pass");
    env.put("KAFKA_PROPERTY_SASL_JAAS_CONFIG", "PlainLoginModule password=\"jaas-pass\";");
    env.put("KAFKA_PROPERTY_SECURITY_PROTOCOL", "SASL_SSL");
    ServiceConfig c = ServiceConfig.fromEnv(env);

    assertThat(c.toString())
        .contains(
            "KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:9092",
            "SCHEMA_REGISTRY_URL=https://****@registry.example.com",
            "KAFKA_PROPERTY_SECURITY_PROTOCOL=SASL_SSL",
            "KAFKA_PROPERTY_SASL_JAAS_CONFIG=****",
            "SCHEMA_REGISTRY_PROPERTY_BASIC_AUTH_USER_INFO=****",
            "HTTP_PORT=8080",
            "LAPSE_ACCOUNT_SID=" + c.accountSid(),
            "LAPSE_AUTH_TOKEN=****",
            "LAPSE_SECRET_KEY=****",
            "LAPSE_RESPONSE_MAC_KEYS=****",
            "LAPSE_VERIFY_TIMEOUT_MS=5000")
        .doesNotContain("reg-pass", "ui-pass", "jaas-pass", "token-secret", key, macKey);
  }

  @Test
  void shouldReadPreviousSecretKeysAndMaskThemInTheLoggedConfiguration() {
    String old1 = Base64.getEncoder().encodeToString("a".repeat(32).getBytes(UTF_8));
    String old2 = Base64.getEncoder().encodeToString("b".repeat(32).getBytes(UTF_8));
    ServiceConfig c =
        ServiceConfig.fromEnv(
            withMacKeys("LAPSE_SECRET_KEY", KEY, "LAPSE_SECRET_KEYS_PREVIOUS", old1 + ", " + old2));

    assertThat(c.previousSecretKeys())
        .containsExactly("a".repeat(32).getBytes(UTF_8), "b".repeat(32).getBytes(UTF_8));
    assertThat(c.toString()).contains("LAPSE_SECRET_KEYS_PREVIOUS=****").doesNotContain(old1, old2);
  }

  @Test
  void shouldHaveNoPreviousSecretKeysByDefaultAndRefuseAShortOneWithoutEchoingIt() {
    assertThat(ServiceConfig.fromEnv(withMacKeys("LAPSE_SECRET_KEY", KEY)).previousSecretKeys())
        .isEmpty();
    String shortKey = Base64.getEncoder().encodeToString("s".repeat(16).getBytes(UTF_8));
    assertThatThrownBy(
            () ->
                ServiceConfig.fromEnv(
                    withMacKeys("LAPSE_SECRET_KEY", KEY, "LAPSE_SECRET_KEYS_PREVIOUS", shortKey)))
        .hasMessageContaining("LAPSE_SECRET_KEYS_PREVIOUS")
        .hasMessageNotContaining(shortKey);
  }

  @Test
  void shouldRefuseAnAuthTokenShorterThan32CharactersWithoutEchoingIt() {
    String shortToken = "f".repeat(31);
    assertThatThrownBy(
            () ->
                ServiceConfig.fromEnv(
                    withMacKeys("LAPSE_SECRET_KEY", KEY, "LAPSE_AUTH_TOKEN", shortToken)))
        .hasMessage("LAPSE_AUTH_TOKEN must be at least 32 characters long, got ****");
    assertThat(
            ServiceConfig.fromEnv(withMacKeys("LAPSE_SECRET_KEY", KEY, "LAPSE_AUTH_TOKEN", TOKEN))
                .authToken())
        .isEqualTo(TOKEN);
  }

  @Test
  void shouldNotEchoAnInvalidSecretKey() {
    assertThatThrownBy(() -> ServiceConfig.fromEnv(withMacKeys("LAPSE_SECRET_KEY", "not*base64")))
        .hasMessage("LAPSE_SECRET_KEY must be Base64 of exactly 32 bytes");
  }

  @Test
  void shouldKeepTheSecretKeyFromBeingChangedThroughTheAccessor() {
    ServiceConfig c = ServiceConfig.fromEnv(withMacKeys("LAPSE_SECRET_KEY", KEY));
    c.secretKey()[0] = 42;
    assertThat(c.secretKey()).containsOnly(0);
  }

  @Test
  void shouldRefuseToStartWithoutResponseMacKeys() {
    assertThatThrownBy(() -> ServiceConfig.fromEnv(Map.of("LAPSE_SECRET_KEY", KEY)))
        .hasMessageContaining("LAPSE_RESPONSE_MAC_KEYS");
    String shortKey = Base64.getEncoder().encodeToString(new byte[31]);
    assertThatThrownBy(
            () ->
                ServiceConfig.fromEnv(
                    withMacKeys(
                        "LAPSE_SECRET_KEY", KEY, "LAPSE_RESPONSE_MAC_KEYS", "k1:" + shortKey)))
        .hasMessageContaining("LAPSE_RESPONSE_MAC_KEYS must be")
        .hasMessageNotContaining(shortKey);
  }

  @Test
  void shouldSignWithTheFirstMacKeyAndKeyAttemptIdsFromTheSecretKey() {
    String other = Base64.getEncoder().encodeToString("o".repeat(32).getBytes(UTF_8));
    ServiceConfig c =
        ServiceConfig.fromEnv(
            withMacKeys(
                "LAPSE_SECRET_KEY",
                KEY,
                "LAPSE_RESPONSE_MAC_KEYS",
                "k2:" + other + ",k1:" + MAC_KEY));
    ServiceConfig sameSecret = ServiceConfig.fromEnv(withMacKeys("LAPSE_SECRET_KEY", KEY));
    String otherSecret = Base64.getEncoder().encodeToString("s".repeat(32).getBytes(UTF_8));
    ServiceConfig differentSecret =
        ServiceConfig.fromEnv(withMacKeys("LAPSE_SECRET_KEY", otherSecret));

    assertThat(c.responseMacKeys().signingKeyId()).isEqualTo("k2");
    String id = c.attemptSigner().attemptId("YC" + "0".repeat(32), "123456");
    assertThat(id).matches("AT[0-9a-f]{32}");
    assertThat(sameSecret.attemptSigner().attemptId("YC" + "0".repeat(32), "123456"))
        .as("another instance with the same secret")
        .isEqualTo(id);
    assertThat(differentSecret.attemptSigner().attemptId("YC" + "0".repeat(32), "123456"))
        .isNotEqualTo(id);
  }

  @Test
  void shouldReadApiKeysAndNeverShowThem() {
    String entry = ApiKeys.entryFor("SK" + "a".repeat(32), "s3cret");
    ServiceConfig c =
        ServiceConfig.fromEnv(withMacKeys("LAPSE_SECRET_KEY", KEY, "LAPSE_API_KEYS", entry));

    assertThat(c.apiKeys().accepts("SK" + "a".repeat(32), "s3cret")).isTrue();
    assertThat(c.toString()).doesNotContain(entry.substring(40));
    assertThat(ServiceConfig.fromEnv(withMacKeys("LAPSE_SECRET_KEY", KEY)).apiKeys().size())
        .isZero();
  }

  @Test
  void shouldRefuseAMalformedApiKeyNamingTheVariableNotTheValue() {
    assertThatThrownBy(
            () ->
                ServiceConfig.fromEnv(
                    withMacKeys(
                        "LAPSE_SECRET_KEY", KEY, "LAPSE_API_KEYS", "SK123:plain-secret-value")))
        .hasMessageContaining("LAPSE_API_KEYS")
        .hasMessageNotContaining("plain-secret-value");
  }
}
