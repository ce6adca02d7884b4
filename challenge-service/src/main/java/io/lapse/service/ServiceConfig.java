package io.lapse.service;

import io.lapse.config.Config;
import io.lapse.config.ConfigDef;
import io.lapse.config.ConfigType;
import io.lapse.config.Rule;
import io.lapse.config.Setting;
import io.lapse.contract.AttemptMacKeys;
import io.lapse.service.crypto.ApiKeys;
import io.lapse.service.domain.AttemptSigner;
import io.lapse.service.domain.Sids;
import io.lapse.service.webhook.WebhookDispatcher;
import io.lapse.topics.KafkaConnection;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The challenge service's configuration, parsed once at start from environment variables: the
 * shared {@link KafkaConnection} and the service's own settings declared in {@link #DEFINITION}
 * (the README's configuration tables are generated from both).
 *
 * @param kafka how the service reaches Kafka and the registry
 * @param values the service's own settings, with any generated credential filled in; {@link
 *     #toString()} shows them with the token and the key masked
 * @param credentialsGenerated whether the account SID or token was generated (then {@link Main}
 *     writes both to a {@link CredentialsFile}; they are never logged)
 */
public record ServiceConfig(KafkaConnection kafka, Config values, boolean credentialsGenerated) {
  private static final int KEY_BYTES = 32;

  /** A Twilio auth token is 32 hex digits; anything shorter is too easy to guess. */
  public static final int MIN_AUTH_TOKEN_LENGTH = 32;

  public static final Setting<Integer> HTTP_PORT =
      Setting.port("HTTP_PORT")
          .defaultsTo(8080)
          .doc("API port (0 picks a free one); `/health` and `/metrics` are served on it too");

  public static final Setting<String> HTTP_HOST =
      Setting.string("LAPSE_HTTP_HOST").defaultsTo("127.0.0.1").doc("address the API binds");

  public static final Setting<String> PUBLIC_BASE_URL =
      Setting.string("LAPSE_PUBLIC_BASE_URL")
          .whenUnset("`http://<host>:<port>`")
          .doc("base of the absolute URLs in answers (`url`, `links`, paging)");

  public static final Setting<String> ACCOUNT_SID =
      Setting.string("LAPSE_ACCOUNT_SID")
          .whenUnset("generated, with the token")
          .validate(
              Rule.of(
                  "must be AC followed by 32 hex digits",
                  (String s) -> Sids.isValid(Sids.ACCOUNT, s)))
          .doc("account SID of HTTP Basic auth (`AC` + 32 hex digits)");

  public static final Setting<String> AUTH_TOKEN =
      Setting.password("LAPSE_AUTH_TOKEN")
          .whenUnset(
              "generated and written to `~/.lapse/challenge-service-<port>.credentials` (owner"
                  + " only), never logged")
          .validate(Rule.notBlank())
          .validate(
              Rule.of(
                  "must be at least " + MIN_AUTH_TOKEN_LENGTH + " characters long",
                  (String s) -> s.length() >= MIN_AUTH_TOKEN_LENGTH))
          .doc(
              "auth token of HTTP Basic auth, at least 32 characters (Twilio's are 32 hex digits:"
                  + " `openssl rand -hex 16`)");

  public static final Setting<ApiKeys> API_KEYS =
      Setting.of(
              "LAPSE_API_KEYS",
              ConfigType.secret(
                  "comma-separated `SK<32 hex>:sha256:<64 hex>` entries", ApiKeys::parse))
          .defaultsTo(ApiKeys.none())
          .whenUnset("none")
          .doc(
              "API keys that log in like the auth token (Basic `SK…:secret`), each as its SID and"
                  + " the SHA-256 of its secret, comma-separated; `./lapse api-key` makes one (see"
                  + " [API keys](#api-keys))");

  public static final Setting<byte[]> SECRET_KEY =
      Setting.of(
              "LAPSE_SECRET_KEY",
              ConfigType.secret("Base64 of exactly " + KEY_BYTES + " bytes", ServiceConfig::key))
          .required()
          .doc(
              "Base64 of 32 random bytes (`openssl rand -base64 32`): the AES-256-GCM key of TOTP"
                  + " seeds on Kafka and (through HKDF) the keys of attempt ids and access"
                  + " tokens, the same on every instance and across restarts; the service refuses to start without it"
                  + " (`./lapse up` makes one)");

  public static final Setting<List<byte[]>> SECRET_KEYS_PREVIOUS =
      Setting.of(
              "LAPSE_SECRET_KEYS_PREVIOUS",
              ConfigType.secret(
                  "comma-separated Base64 keys of exactly " + KEY_BYTES + " bytes each",
                  ServiceConfig::keys))
          .defaultsTo(List.of())
          .whenUnset("none")
          .doc(
              "former `LAPSE_SECRET_KEY`s, comma-separated: they still open TOTP seeds sealed"
                  + " under them, never seal new ones (see [Rotating"
                  + " LAPSE_SECRET_KEY](#rotating-lapse_secret_key))");

  public static final Setting<Duration> VERIFY_TIMEOUT =
      Setting.millis("LAPSE_VERIFY_TIMEOUT_MS")
          .defaultsTo(Duration.ofSeconds(5))
          .validate(Rule.positive())
          .doc("wait for the processor's decision before a 503");

  public static final Setting<Integer> MAX_WAITING_REQUESTS =
      Setting.integer("LAPSE_MAX_WAITING_REQUESTS")
          .defaultsTo(1000)
          .validate(Rule.between(1, 1_000_000))
          .doc(
              "requests that may wait for a decision at once on this instance: verifications"
                  + " (the processor's) and writes, i.e. creates, updates, deletes and"
                  + " notifications (their entity task's), one cap for all (and, apart, reads"
                  + " catching up before a 404); beyond it such a request is answered at once 503"
                  + " / 20503 with `Retry-After: 1`, before it publishes anything");

  public static final Setting<Duration> READ_SYNC_TIMEOUT =
      Setting.millis("LAPSE_READ_SYNC_TIMEOUT_MS")
          .defaultsTo(Duration.ofSeconds(2))
          .validate(Rule.positive())
          .doc(
              "how long a read that finds nothing on this instance waits for it to catch up with"
                  + " the log before answering 404 (read-your-writes across instances)");

  public static final Setting<String> INTERNAL_HOST =
      Setting.string("LAPSE_INTERNAL_HOST")
          .defaultsTo("127.0.0.1")
          .doc(
              "address of the internal listener, where instances forward requests to the owner"
                  + " of their entity; a private interface in a cluster, never public");

  public static final Setting<Integer> INTERNAL_PORT =
      Setting.port("LAPSE_INTERNAL_PORT")
          .defaultsTo(8082)
          .doc(
              "port of the internal listener (0 picks a free one, which is then advertised to the"
                  + " other instances)");

  public static final Setting<String> INTERNAL_ADVERTISED =
      Setting.string("LAPSE_INTERNAL_ADVERTISED")
          .whenUnset("`<LAPSE_INTERNAL_HOST>:<bound port>`")
          .validate(Rule.of("must be host:port", (String s) -> s.matches("[^:\\s]+:[0-9]{1,5}")))
          .doc(
              "`host:port` at which the other instances reach this one's internal listener"
                  + " (Streams `application.server`)");

  public static final Setting<byte[]> CLUSTER_KEY =
      Setting.of(
              "LAPSE_CLUSTER_KEY",
              ConfigType.secret(
                  "Base64 of at least " + KEY_BYTES + " bytes", ServiceConfig::clusterKey))
          .required()
          .doc(
              "Base64 of at least 32 random bytes (`openssl rand -base64 32`), the same on every"
                  + " instance: the HMAC key that authenticates requests forwarded between"
                  + " instances; the service refuses to start without it (`./lapse up` makes one)");

  public static final Setting<Duration> ROUTE_WAIT =
      Setting.millis("LAPSE_ROUTE_WAIT_MS")
          .defaultsTo(Duration.ofSeconds(2))
          .validate(Rule.positive())
          .doc(
              "how long a request waits for its entity's partition to have a running owner"
                  + " (during a rebalance) before a 503 with `Retry-After`");

  public static final Setting<Integer> MAX_INFLIGHT_FORWARDS =
      Setting.integer("LAPSE_MAX_INFLIGHT_FORWARDS")
          .defaultsTo(2000)
          .validate(Rule.between(1, 1_000_000))
          .doc(
              "requests this instance may have forwarded to owners at once; beyond it a request"
                  + " that would be forwarded is answered 503 / 20503 with `Retry-After: 1`");

  public static final Setting<Duration> CHALLENGE_RETENTION =
      Setting.seconds("LAPSE_CHALLENGE_RETENTION_SECONDS")
          .defaultsTo(Duration.ofDays(1))
          .validate(Rule.notNegative())
          .doc("how long after its deadline a challenge stays readable");

  public static final Setting<Duration> STARTUP_TIMEOUT =
      Setting.seconds("LAPSE_STARTUP_TIMEOUT_SECONDS")
          .defaultsTo(Duration.ofSeconds(120))
          .validate(Rule.positive())
          .doc("how long start may take to create topics and read the state back");

  public static final Setting<Duration> COMMAND_TIMEOUT =
      Setting.millis("LAPSE_COMMAND_TIMEOUT_MS")
          .defaultsTo(Duration.ofSeconds(5))
          .validate(Rule.positive())
          .doc(
              "wait for the entity task's decision on a write (and then for this instance to show"
                  + " it) before a 503; no thread waits meanwhile");

  public static final Setting<String> SERVICE_APPLICATION_ID =
      Setting.string("LAPSE_SERVICE_APPLICATION_ID")
          .defaultsTo("lapse-challenge-service")
          .doc(
              "Streams `application.id` of the service's entity tasks (consumer group,"
                  + " transactional ids, changelog prefix); every instance of one deployment uses"
                  + " the same, never changed once used");

  public static final Setting<Path> SERVICE_STATE_DIR =
      Setting.path("LAPSE_SERVICE_STATE_DIR")
          .defaultsTo(Path.of(System.getProperty("user.home"), ".lapse", "service-state"))
          .whenUnset("`~/.lapse/service-state`")
          .doc("Streams `state.dir` of the entity tasks (one per instance on a host)");

  public static final Setting<Duration> SERVICE_COMMIT_INTERVAL =
      Setting.millis("LAPSE_SERVICE_COMMIT_INTERVAL_MS")
          .defaultsTo(Duration.ofMillis(20))
          .validate(Rule.positive())
          .doc(
              "Streams `commit.interval.ms` of the entity tasks: how long a command that came in a"
                  + " burst may wait for the transaction that answers it (see decision 0025)");

  public static final Setting<Duration> SERVICE_COMMIT_REQUEST_QUIET_GAP =
      Setting.millis("LAPSE_SERVICE_COMMIT_REQUEST_QUIET_GAP_MS")
          .defaultsTo(Duration.ofMillis(5))
          .validate(Rule.notNegative())
          .doc(
              "a decided command requests its commit at once when its record was written this"
                  + " long after every earlier command of its stream thread; 0 commits every"
                  + " command in a transaction of its own");

  public static final Setting<Duration> FETCH_MAX_WAIT =
      Setting.millis("LAPSE_SERVICE_FETCH_MAX_WAIT_MS")
          .defaultsTo(Duration.ofMillis(500))
          .validate(Rule.positive())
          .doc(
              "consumer `fetch.max.wait.ms` of the entity tasks and of the followers that wait for"
                  + " replies and outcomes: how long the broker holds a fetch that finds nothing"
                  + " new (a record that arrives meanwhile answers it at once)");

  public static final Setting<Boolean> WEBHOOKS_ENABLED =
      Setting.bool("LAPSE_WEBHOOKS_ENABLED")
          .defaultsTo(true)
          .doc(
              "deliver the services' [webhooks](#webhooks) from this instance (its dispatcher"
                  + " shares the event topics' partitions with the other instances' in"
                  + " `LAPSE_WEBHOOK_GROUP_ID`)");

  public static final Setting<String> WEBHOOK_GROUP_ID =
      Setting.string("LAPSE_WEBHOOK_GROUP_ID")
          .defaultsTo("lapse-webhook-dispatcher")
          .doc(
              "consumer group of the webhook dispatchers; its committed offsets say which events"
                  + " were delivered (or dead-lettered), never changed once used");

  public static final Setting<Integer> WEBHOOK_MAX_ATTEMPTS =
      Setting.integer("LAPSE_WEBHOOK_MAX_ATTEMPTS")
          .defaultsTo(5)
          .validate(Rule.between(1, 100))
          .doc(
              "attempts of one event to one webhook when it fails transiently (5xx, 408, 429, no"
                  + " connection, timeout) before it goes to `lapse-webhook-deliveries-dlq`");

  public static final Setting<Duration> WEBHOOK_RETRY_BACKOFF =
      Setting.millis("LAPSE_WEBHOOK_RETRY_BACKOFF_MS")
          .defaultsTo(Duration.ofSeconds(1))
          .validate(Rule.positive())
          .doc("pause after a webhook's first failed attempt, doubled after each further one");

  public static final Setting<Duration> WEBHOOK_MAX_BACKOFF =
      Setting.millis("LAPSE_WEBHOOK_MAX_BACKOFF_MS")
          .defaultsTo(Duration.ofSeconds(30))
          .validate(Rule.positive())
          .doc("longest pause between two attempts of a webhook");

  public static final Setting<Duration> WEBHOOK_TIMEOUT =
      Setting.millis("LAPSE_WEBHOOK_TIMEOUT_MS")
          .defaultsTo(Duration.ofSeconds(10))
          .validate(Rule.positive())
          .doc("bound of one webhook attempt, connection and answer included");

  public static final Setting<Duration> WEBHOOK_SESSION_TIMEOUT =
      Setting.millis("LAPSE_WEBHOOK_SESSION_TIMEOUT_MS")
          .defaultsTo(Duration.ofSeconds(10))
          .validate(Rule.positive())
          .doc(
              "`session.timeout.ms` of the webhook dispatchers: how soon a crashed instance's"
                  + " deliveries move to another (within the broker's group session bounds)");

  public static final ConfigDef DEFINITION =
      ConfigDef.of(
          "Challenge service",
          HTTP_PORT,
          HTTP_HOST,
          PUBLIC_BASE_URL,
          ACCOUNT_SID,
          AUTH_TOKEN,
          API_KEYS,
          SECRET_KEY,
          SECRET_KEYS_PREVIOUS,
          AttemptMacKeys.SETTING,
          AttemptMacKeys.CHALLENGE_SETTING,
          VERIFY_TIMEOUT,
          MAX_WAITING_REQUESTS,
          READ_SYNC_TIMEOUT,
          INTERNAL_HOST,
          INTERNAL_PORT,
          INTERNAL_ADVERTISED,
          CLUSTER_KEY,
          ROUTE_WAIT,
          MAX_INFLIGHT_FORWARDS,
          CHALLENGE_RETENTION,
          STARTUP_TIMEOUT,
          COMMAND_TIMEOUT,
          SERVICE_APPLICATION_ID,
          SERVICE_STATE_DIR,
          SERVICE_COMMIT_INTERVAL,
          SERVICE_COMMIT_REQUEST_QUIET_GAP,
          FETCH_MAX_WAIT,
          WEBHOOKS_ENABLED,
          WEBHOOK_GROUP_ID,
          WEBHOOK_MAX_ATTEMPTS,
          WEBHOOK_RETRY_BACKOFF,
          WEBHOOK_MAX_BACKOFF,
          WEBHOOK_TIMEOUT,
          WEBHOOK_SESSION_TIMEOUT);

  public ServiceConfig {
    if (values.definition() != DEFINITION) {
      throw new IllegalArgumentException("not the challenge service's settings: " + values);
    }
    // Fails here rather than on the first request if a credential is missing.
    values.get(ACCOUNT_SID);
    values.get(AUTH_TOKEN);
    values.get(AttemptMacKeys.SETTING);
    values.get(CLUSTER_KEY);
  }

  /**
   * Parses the environment; an unset account SID or token is generated.
   *
   * @throws io.lapse.config.InvalidConfigException naming each missing or malformed variable
   */
  public static ServiceConfig fromEnv(Map<String, String> env) {
    KafkaConnection kafka = KafkaConnection.fromEnv(env);
    Config values = DEFINITION.parse(env);
    boolean generated = values.find(ACCOUNT_SID).isEmpty() || values.find(AUTH_TOKEN).isEmpty();
    if (values.find(ACCOUNT_SID).isEmpty()) {
      values = values.with(ACCOUNT_SID, Sids.random(Sids.ACCOUNT));
    }
    if (values.find(AUTH_TOKEN).isEmpty()) {
      byte[] b = new byte[MIN_AUTH_TOKEN_LENGTH / 2];
      new SecureRandom().nextBytes(b);
      values = values.with(AUTH_TOKEN, HexFormat.of().formatHex(b));
    }
    return new ServiceConfig(kafka, values, generated);
  }

  public String httpHost() {
    return values.get(HTTP_HOST);
  }

  public int httpPort() {
    return values.get(HTTP_PORT);
  }

  public Optional<String> publicBaseUrl() {
    return values.find(PUBLIC_BASE_URL);
  }

  public String accountSid() {
    return values.get(ACCOUNT_SID);
  }

  public String authToken() {
    return values.get(AUTH_TOKEN);
  }

  /** The API keys that log in like the auth token. */
  public ApiKeys apiKeys() {
    return values.get(API_KEYS);
  }

  /** A copy of the seed-encryption key. */
  public byte[] secretKey() {
    return values.get(SECRET_KEY).clone();
  }

  /** Copies of the former seed keys, which only open seeds sealed under them. */
  public List<byte[]> previousSecretKeys() {
    return values.get(SECRET_KEYS_PREVIOUS).stream().map(byte[]::clone).toList();
  }

  /** The keys of the MACs on {@code challenge-responses}; the first signs. */
  public AttemptMacKeys responseMacKeys() {
    return values.get(AttemptMacKeys.SETTING);
  }

  /**
   * The keys of the MACs on {@code challenge-created}; the first signs: {@code
   * LAPSE_CHALLENGE_MAC_KEYS}, else the response keys (docs/decisions/0020).
   */
  public AttemptMacKeys challengeMacKeys() {
    return values.find(AttemptMacKeys.CHALLENGE_SETTING).orElseGet(this::responseMacKeys);
  }

  /** Names and signs attempts: attempt ids keyed from the secret key, MACs with the MAC keys. */
  public AttemptSigner attemptSigner() {
    return new AttemptSigner(
        AttemptSigner.attemptIdKeyFrom(values.get(SECRET_KEY)), responseMacKeys());
  }

  public Duration verifyTimeout() {
    return values.get(VERIFY_TIMEOUT);
  }

  public int maxWaitingRequests() {
    return values.get(MAX_WAITING_REQUESTS);
  }

  public Duration readSyncTimeout() {
    return values.get(READ_SYNC_TIMEOUT);
  }

  public String internalHost() {
    return values.get(INTERNAL_HOST);
  }

  public int internalPort() {
    return values.get(INTERNAL_PORT);
  }

  /** Where peers reach this instance's internal listener, when configured. */
  public Optional<String> internalAdvertised() {
    return values.find(INTERNAL_ADVERTISED);
  }

  /** A copy of the key of the internal requests' HMAC. */
  public byte[] clusterKey() {
    return values.get(CLUSTER_KEY).clone();
  }

  public Duration routeWait() {
    return values.get(ROUTE_WAIT);
  }

  public int maxInflightForwards() {
    return values.get(MAX_INFLIGHT_FORWARDS);
  }

  public Duration challengeRetention() {
    return values.get(CHALLENGE_RETENTION);
  }

  public Duration startupTimeout() {
    return values.get(STARTUP_TIMEOUT);
  }

  public Duration commandTimeout() {
    return values.get(COMMAND_TIMEOUT);
  }

  public String serviceApplicationId() {
    return values.get(SERVICE_APPLICATION_ID);
  }

  /** Streams {@code commit.interval.ms} of the entity tasks. */
  public Duration serviceCommitInterval() {
    return values.get(SERVICE_COMMIT_INTERVAL);
  }

  /** The quiet gap after which a decided command requests its commit at once. */
  public Duration serviceCommitRequestQuietGap() {
    return values.get(SERVICE_COMMIT_REQUEST_QUIET_GAP);
  }

  /** Consumer {@code fetch.max.wait.ms} where the service waits for new records. */
  public Duration fetchMaxWait() {
    return values.get(FETCH_MAX_WAIT);
  }

  public Path serviceStateDir() {
    return values.get(SERVICE_STATE_DIR);
  }

  public boolean webhooksEnabled() {
    return values.get(WEBHOOKS_ENABLED);
  }

  /** How the webhook dispatcher consumes, retries and waits for the view. */
  public WebhookDispatcher.Settings webhookSettings() {
    return new WebhookDispatcher.Settings(
        values.get(WEBHOOK_GROUP_ID),
        values.get(WEBHOOK_MAX_ATTEMPTS),
        values.get(WEBHOOK_RETRY_BACKOFF),
        values.get(WEBHOOK_MAX_BACKOFF),
        values.get(WEBHOOK_SESSION_TIMEOUT),
        readSyncTimeout());
  }

  public Duration webhookTimeout() {
    return values.get(WEBHOOK_TIMEOUT);
  }

  /** The effective configuration for the start-up log; never shows the token or the key. */
  @Override
  public String toString() {
    return kafka + ", " + values;
  }

  private static List<byte[]> keys(String list) {
    List<byte[]> keys = new ArrayList<>();
    for (String part : list.split(",", -1)) {
      if (!part.isBlank()) {
        keys.add(key(part));
      }
    }
    return List.copyOf(keys);
  }

  private static byte[] clusterKey(String base64) {
    byte[] key = Base64.getDecoder().decode(base64.strip());
    if (key.length < KEY_BYTES) {
      throw new IllegalArgumentException(key.length + " bytes");
    }
    return key;
  }

  private static byte[] key(String base64) {
    byte[] key = Base64.getDecoder().decode(base64.strip());
    if (key.length != KEY_BYTES) {
      throw new IllegalArgumentException(key.length + " bytes");
    }
    return key;
  }
}
