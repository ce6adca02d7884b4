package io.lapse.service;

import io.lapse.service.domain.Sids;
import io.lapse.topics.KafkaConnection;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;

/**
 * The challenge service's configuration, parsed once at start from environment variables.
 *
 * <table>
 *   <caption>Environment variables</caption>
 *   <tr><th>Variable</th><th>Default</th><th>Meaning</th></tr>
 *   <tr><td>{@code KAFKA_BOOTSTRAP_SERVERS}</td><td>{@code 127.0.0.1:9092}</td><td>Kafka bootstrap servers</td></tr>
 *   <tr><td>{@code SCHEMA_REGISTRY_URL}</td><td>{@code http://127.0.0.1:8081/apis/ccompat/v7}</td><td>Confluent-compatible schema registry</td></tr>
 *   <tr><td>{@code LAPSE_PARTITIONS}</td><td>{@code 6}</td><td>partitions of the co-partitioned challenge topics (and the state topics) it creates</td></tr>
 *   <tr><td>{@code LAPSE_REPLICATION_FACTOR}</td><td>{@code 1}</td><td>replication factor of the topics it creates</td></tr>
 *   <tr><td>{@code LAPSE_TOPIC_PREFIX}, {@code LAPSE_TOPIC_<NAME>}</td><td>none</td><td>topic name prefix / per-topic override (see {@code TopicNames})</td></tr>
 *   <tr><td>{@code KAFKA_PROPERTY_<NAME>}, {@code SCHEMA_REGISTRY_PROPERTY_<NAME>}</td><td>none</td><td>pass-through client / serde properties (e.g. SASL, TLS)</td></tr>
 *   <tr><td>{@code HTTP_PORT}</td><td>{@code 8080}</td><td>API port (0 picks a free one); {@code /health} and {@code /metrics} are served on it too</td></tr>
 *   <tr><td>{@code LAPSE_HTTP_HOST}</td><td>{@code 127.0.0.1}</td><td>address the API binds</td></tr>
 *   <tr><td>{@code LAPSE_PUBLIC_BASE_URL}</td><td>{@code http://<host>:<port>}</td><td>base of the absolute URLs in answers ({@code url}, {@code links}, paging)</td></tr>
 *   <tr><td>{@code LAPSE_ACCOUNT_SID}</td><td>generated, printed</td><td>the account SID of Basic auth ({@code AC} + 32 hex)</td></tr>
 *   <tr><td>{@code LAPSE_AUTH_TOKEN}</td><td>generated, printed</td><td>the auth token of Basic auth</td></tr>
 *   <tr><td>{@code LAPSE_SECRET_KEY}</td><td><b>required</b></td><td>Base64 of 32 random bytes: the AES-256-GCM key of TOTP seeds on Kafka ({@code openssl rand -base64 32})</td></tr>
 *   <tr><td>{@code LAPSE_VERIFY_TIMEOUT_MS}</td><td>{@code 5000}</td><td>how long a verification waits for the expiry processor's decision before a 503</td></tr>
 *   <tr><td>{@code LAPSE_CHALLENGE_RETENTION_SECONDS}</td><td>{@code 86400}</td><td>how long after its expiration date a challenge stays readable and listable</td></tr>
 *   <tr><td>{@code LAPSE_STARTUP_TIMEOUT_SECONDS}</td><td>{@code 120}</td><td>how long start may take to provision topics and read the state back</td></tr>
 * </table>
 *
 * @param credentialsGenerated whether the account SID and token were generated (then printed)
 */
public record ServiceConfig(
    KafkaConnection kafka,
    String httpHost,
    int httpPort,
    Optional<String> publicBaseUrl,
    String accountSid,
    String authToken,
    boolean credentialsGenerated,
    byte[] secretKey,
    Duration verifyTimeout,
    Duration challengeRetention,
    Duration startupTimeout) {

  public ServiceConfig {
    if (httpPort < 0 || httpPort > 65535) {
      throw new IllegalArgumentException("HTTP_PORT must be 0..65535, got " + httpPort);
    }
    if (!Sids.isValid(Sids.ACCOUNT, accountSid)) {
      throw new IllegalArgumentException(
          "LAPSE_ACCOUNT_SID must be AC followed by 32 hex digits, got \"" + accountSid + "\"");
    }
    if (authToken.isBlank()) {
      throw new IllegalArgumentException("LAPSE_AUTH_TOKEN must not be blank");
    }
    if (secretKey.length != 32) {
      throw new IllegalArgumentException(
          "LAPSE_SECRET_KEY must be Base64 of exactly 32 bytes, got " + secretKey.length);
    }
    secretKey = secretKey.clone();
  }

  /**
   * Parses the environment.
   *
   * @throws IllegalArgumentException with a message naming the variable, for a missing secret key
   *     or any malformed value
   */
  public static ServiceConfig fromEnv(Map<String, String> env) {
    String account = env.get("LAPSE_ACCOUNT_SID");
    String token = env.get("LAPSE_AUTH_TOKEN");
    boolean generated = isBlank(account) || isBlank(token);
    if (isBlank(account)) {
      account = Sids.random(Sids.ACCOUNT);
    }
    if (isBlank(token)) {
      byte[] b = new byte[16];
      new SecureRandom().nextBytes(b);
      token = HexFormat.of().formatHex(b);
    }
    return new ServiceConfig(
        KafkaConnection.fromEnv(env),
        env.getOrDefault("LAPSE_HTTP_HOST", "127.0.0.1"),
        intValue(env, "HTTP_PORT", 8080),
        Optional.ofNullable(env.get("LAPSE_PUBLIC_BASE_URL")).filter(s -> !s.isBlank()),
        account,
        token,
        generated,
        secretKey(env.get("LAPSE_SECRET_KEY")),
        Duration.ofMillis(intValue(env, "LAPSE_VERIFY_TIMEOUT_MS", 5000)),
        Duration.ofSeconds(intValue(env, "LAPSE_CHALLENGE_RETENTION_SECONDS", 86_400)),
        Duration.ofSeconds(intValue(env, "LAPSE_STARTUP_TIMEOUT_SECONDS", 120)));
  }

  /**
   * For tests and the local launcher: the given Kafka connection, an ephemeral port on 127.0.0.1,
   * the given credentials and key, defaults for the rest.
   */
  public static ServiceConfig local(
      KafkaConnection kafka, String accountSid, String authToken, byte[] secretKey) {
    return new ServiceConfig(
        kafka,
        "127.0.0.1",
        0,
        Optional.empty(),
        accountSid,
        authToken,
        false,
        secretKey,
        Duration.ofSeconds(5),
        Duration.ofDays(1),
        Duration.ofSeconds(120));
  }

  /** A copy with another decision wait. */
  public ServiceConfig withVerifyTimeout(Duration timeout) {
    return new ServiceConfig(
        kafka,
        httpHost,
        httpPort,
        publicBaseUrl,
        accountSid,
        authToken,
        credentialsGenerated,
        secretKey,
        timeout,
        challengeRetention,
        startupTimeout);
  }

  /** A copy listening on another port (tests use 0). */
  public ServiceConfig withHttpPort(int port) {
    return new ServiceConfig(
        kafka,
        httpHost,
        port,
        publicBaseUrl,
        accountSid,
        authToken,
        credentialsGenerated,
        secretKey,
        verifyTimeout,
        challengeRetention,
        startupTimeout);
  }

  @Override
  public byte[] secretKey() {
    return secretKey.clone();
  }

  private static byte[] secretKey(String base64) {
    if (isBlank(base64)) {
      throw new IllegalArgumentException(
          "LAPSE_SECRET_KEY is not set. It encrypts TOTP seeds on Kafka and must be the same on"
              + " every instance and across restarts. Generate one with: openssl rand -base64 32");
    }
    try {
      return Base64.getDecoder().decode(base64.trim());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("LAPSE_SECRET_KEY is not valid Base64", e);
    }
  }

  private static boolean isBlank(String s) {
    return s == null || s.isBlank();
  }

  private static int intValue(Map<String, String> env, String key, int dflt) {
    String v = env.get(key);
    if (isBlank(v)) {
      return dflt;
    }
    try {
      return Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " must be an integer, got \"" + v + "\"", e);
    }
  }

  @Override
  public String toString() {
    // Never print the token or the key.
    return "ServiceConfig[kafka="
        + kafka.bootstrapServers()
        + ", registry="
        + kafka.schemaRegistryUrl()
        + ", http="
        + httpHost
        + ":"
        + httpPort
        + ", accountSid="
        + accountSid
        + ", verifyTimeout="
        + verifyTimeout
        + ", challengeRetention="
        + challengeRetention
        + "]";
  }
}
