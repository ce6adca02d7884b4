package io.lapse.service.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.lapse.examples.DeviceSigner;
import io.lapse.examples.TotpCodes;
import io.lapse.expiry.ExpiryProcessorApp;
import io.lapse.infra.KafkaBroker;
import io.lapse.infra.SchemaRegistry;
import io.lapse.service.ChallengeServiceApp;
import io.lapse.service.CredentialsFile;
import io.lapse.service.Main;
import io.lapse.service.ServiceConfig;
import io.lapse.service.crypto.ApiKeys;
import io.lapse.service.crypto.Base32;
import io.lapse.service.support.HttpTestClient;
import io.lapse.service.support.HttpTestClient.Reply;
import io.lapse.service.support.LogCapture;
import io.lapse.service.support.Processor;
import io.lapse.service.support.Scenario;
import io.lapse.service.support.SystemEnv;
import io.lapse.testkit.LapseIntegration;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the challenge service and the expiry processor on the real broker and registry through flows
 * that carry every kind of secret — the auth token, a registry password in its URL, a SASL
 * password, the seed key, a TOTP seed and the codes made from it, a push factor's signatures,
 * notification token and device token (a JWT), refused passwords, and credentials the service
 * generates for itself — while everything the JVM logs or prints is captured; then none of those
 * secrets may appear in the capture, in any encoding the code handles them in.
 */
@LapseIntegration
class SecretsNotLoggedIT {
  private static final SecureRandom RANDOM = new SecureRandom();

  /** Secret values by what they are, to name the one that leaked. */
  private final Map<String, String> secrets = new LinkedHashMap<>();

  private final ApiKeys.NewKey apiKey = ApiKeys.generate();

  @TempDir Path dir;

  @Test
  void shouldLogNoSecretOfAnEndToEndRun(KafkaBroker broker, SchemaRegistry registry)
      throws Exception {
    String consoleCanary = "console-canary-" + UUID.randomUUID();
    String logged;
    int events;
    Set<String> loggers;
    try (LogCapture capture = LogCapture.start()) {
      Map<String, String> env = secretEnv(broker, registry);
      ServiceConfig config = ServiceConfig.fromEnv(env);
      try (ChallengeServiceApp service = ChallengeServiceApp.start(config);
          ExpiryProcessorApp processor = Processor.start(env)) {
        HttpTestClient api =
            new HttpTestClient(service.baseUrl(), config.accountSid(), config.authToken());
        String serviceSid = api.post("/v2/Services", "FriendlyName", "Secrets").text("sid");
        totpFlows(api, serviceSid);
        pushFlows(api, serviceSid, config.accountSid());
        refusedCredentials(service.baseUrl(), config.accountSid());
        apiKeyAndAccessTokenFlows(service.baseUrl(), serviceSid);
        unreadableBody(api, serviceSid, config);
        generatedCredentials(env);
        assertThat(processor.state()).isEqualTo(KafkaStreams.State.RUNNING);
      }
      System.out.println(consoleCanary);
      logged = capture.text();
      events = capture.eventCount();
      loggers = capture.loggerNames();
    }

    // The capture saw the run: the console, both services' loggers, and the lines that name the
    // secret settings.
    assertThat(logged).contains(consoleCanary);
    assertThat(events).isPositive();
    assertThat(loggers)
        .anyMatch(name -> name.startsWith("io.lapse.service."))
        .anyMatch(name -> name.startsWith("io.lapse.expiry."));
    assertThat(logged)
        .contains(
            "Starting challenge service",
            "Starting expiry processor",
            "LAPSE_AUTH_TOKEN=****",
            "LAPSE_SECRET_KEY=****",
            "LAPSE_CLUSTER_KEY=****",
            "LAPSE_API_KEYS=****",
            "KAFKA_PROPERTY_SASL_JAAS_CONFIG=****",
            "SCHEMA_REGISTRY_URL=http://****@",
            dir.resolve("generated.credentials").toString());
    Map<String, List<String>> leaks = new LinkedHashMap<>();
    secrets.forEach(
        (what, value) -> {
          List<String> lines = logged.lines().filter(line -> line.contains(value)).toList();
          if (!lines.isEmpty()) {
            leaks.put(what, lines);
          }
        });
    assertThat(leaks).as("secrets in the log, with the lines that carry them").isEmpty();
  }

  /** The system's environment with credentials everywhere one can be given. */
  private Map<String, String> secretEnv(KafkaBroker broker, SchemaRegistry registry) {
    Map<String, String> env = new HashMap<>(SystemEnv.create(broker, registry));
    String token = hex(20);
    env.put("LAPSE_AUTH_TOKEN", token);
    secret("auth token", token);
    secret(
        "Authorization header of the account", base64(env.get("LAPSE_ACCOUNT_SID") + ":" + token));
    byte[] key = Base64.getDecoder().decode(env.get("LAPSE_SECRET_KEY"));
    secret("seed key, Base64", env.get("LAPSE_SECRET_KEY"));
    secret("seed key, hex", HexFormat.of().formatHex(key));
    secret("cluster key, Base64", env.get("LAPSE_CLUSTER_KEY"));
    // Apicurio without authentication ignores the Basic header the client derives from this.
    String registryPassword = "registry-pw-" + hex(12);
    env.put(
        "SCHEMA_REGISTRY_URL",
        registry.url().replace("://", "://lapse-registry:" + registryPassword + "@"));
    secret("registry password", registryPassword);
    secret("registry Authorization header", base64("lapse-registry:" + registryPassword));
    // Unused on a PLAINTEXT listener, but configured and therefore logged with the configuration.
    String saslPassword = "sasl-pw-" + hex(12);
    env.put(
        "KAFKA_PROPERTY_SASL_JAAS_CONFIG",
        "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"lapse\""
            + " password=\""
            + saslPassword
            + "\";");
    secret("SASL password", saslPassword);
    env.put("LAPSE_API_KEYS", apiKey.entry());
    secret("API key secret", apiKey.secret());
    secret("API key Authorization header", base64(apiKey.sid() + ":" + apiKey.secret()));
    return env;
  }

  /**
   * An API key's calls, and a phone's enrolment with an access token: a good one, then the same
   * token refused on another route and a second time.
   */
  private void apiKeyAndAccessTokenFlows(String baseUrl, String serviceSid) {
    HttpTestClient backend = new HttpTestClient(baseUrl, apiKey.sid(), apiKey.secret());
    String identity = Scenario.identity();
    Reply issued =
        backend.post(
            "/v2/Services/" + serviceSid + "/AccessTokens",
            "Identity",
            identity,
            "FactorType",
            "push");
    assertThat(issued.status()).as(String.valueOf(issued.json())).isEqualTo(201);
    String token = issued.text("token");
    secret("access token", token);
    secret("access token Authorization header", base64("token:" + token));
    secret("access token signature", token.substring(token.lastIndexOf('.') + 1));
    HttpTestClient phone = new HttpTestClient(baseUrl, "token", token);
    String[] enrolment = {
      "FriendlyName", "Pixel 8",
      "FactorType", "push",
      "Binding.PublicKey",
          Base64.getEncoder().encodeToString(DeviceSigner.newKeyPair().getPublic().getEncoded()),
      "Binding.Alg", "ES256",
      "Config.SdkVersion", "0.9.0",
      "Config.AppId", "com.example.lapse",
      "Config.NotificationPlatform", "none"
    };
    String factors = Scenario.entityPath(serviceSid, identity) + "/Factors";
    assertThat(phone.post(factors, enrolment).status()).isEqualTo(201);
    assertThat(phone.get("/v2/Services/" + serviceSid).status()).isEqualTo(401);
    assertThat(phone.post(factors, enrolment).status()).isEqualTo(403);
  }

  /** A TOTP factor with a seed given by the client, verified; challenges answered with codes. */
  private void totpFlows(HttpTestClient api, String serviceSid) {
    String entity = Scenario.entityPath(serviceSid, Scenario.identity());
    byte[] seed = new byte[20];
    RANDOM.nextBytes(seed);
    String base32 = Base32.encode(seed);
    secret("TOTP seed, Base32", base32);
    secret("TOTP seed, hex", HexFormat.of().formatHex(seed));
    secret("TOTP seed, Base64", Base64.getEncoder().encodeToString(seed));

    Reply factor =
        api.post(
            entity + "/Factors",
            "FriendlyName",
            "phone",
            "FactorType",
            "totp",
            "Binding.Secret",
            base32,
            "Config.CodeLength",
            "8");
    assertThat(factor.status()).as(factor.json().toString()).isEqualTo(201);
    String factorSid = factor.text("sid");
    Reply verified = api.post(entity + "/Factors/" + factorSid, "AuthPayload", code(base32));
    assertThat(verified.status()).isEqualTo(200);

    Reply createdWithCode =
        api.post(entity + "/Challenges", "FactorSid", factorSid, "AuthPayload", code(base32));
    assertThat(createdWithCode.status()).isEqualTo(201);

    String challenge = api.post(entity + "/Challenges", "FactorSid", factorSid).text("sid");
    String wrongCode = "%08d".formatted(RANDOM.nextInt(100_000_000));
    secret("a wrong TOTP code", wrongCode);
    assertThat(api.post(entity + "/Challenges/" + challenge, "AuthPayload", wrongCode).status())
        .isEqualTo(200);
    assertThat(api.post(entity + "/Challenges/" + challenge, "AuthPayload", code(base32)).status())
        .isEqualTo(200);
  }

  /** A push factor verified by signature, a challenge read and approved with a device token. */
  private void pushFlows(HttpTestClient api, String serviceSid, String accountSid)
      throws Exception {
    String entity = Scenario.entityPath(serviceSid, Scenario.identity());
    KeyPair keys = DeviceSigner.newKeyPair();
    String notificationToken = "fcm-" + hex(40);
    secret("notification token", notificationToken);
    Reply factor =
        api.post(
            entity + "/Factors",
            "FriendlyName",
            "device",
            "FactorType",
            "push",
            "Binding.Alg",
            "ES256",
            "Binding.PublicKey",
            Base64.getEncoder().encodeToString(keys.getPublic().getEncoded()),
            "Config.AppId",
            "com.example.app",
            "Config.SdkVersion",
            "1.0.0",
            "Config.NotificationPlatform",
            "fcm",
            "Config.NotificationToken",
            notificationToken);
    assertThat(factor.status()).as(factor.json().toString()).isEqualTo(201);
    String factorSid = factor.text("sid");
    String credentialSid = factor.json().path("config").path("credential_sid").asText();
    String signature = DeviceSigner.derSignature(keys, factorSid);
    secret("factor verification signature", signature);
    assertThat(api.post(entity + "/Factors/" + factorSid, "AuthPayload", signature).status())
        .isEqualTo(200);

    String challengePath =
        entity
            + "/Challenges/"
            + api.post(
                    entity + "/Challenges", "FactorSid", factorSid, "Details.Message", "Sign in?")
                .text("sid");
    assertThat(api.post(challengePath + "/Notifications", "Ttl", "120").status()).isEqualTo(201);

    String jwt = DeviceSigner.sdkToken(keys, credentialSid, accountSid, Instant.now());
    secret("device token", jwt);
    secret("device token signature", jwt.substring(jwt.lastIndexOf('.') + 1));
    secret("device Authorization header", base64("token:" + jwt));
    HttpTestClient device = new HttpTestClient(api.baseUrl(), "token", jwt);
    Reply read = device.get(challengePath);
    assertThat(read.status()).isEqualTo(200);
    String approval = Scenario.approvalJws(keys, read, "approved");
    secret("approval JWS", approval);
    assertThat(device.post(challengePath, "AuthPayload", approval).status()).isEqualTo(200);
    assertThat(device.get("/v2/Services").status()).isEqualTo(401);
  }

  /** Refused credentials are secrets too: a mistyped token is often a real one. */
  private void refusedCredentials(String baseUrl, String accountSid) {
    String wrongToken = "wrong-token-" + hex(16);
    secret("refused auth token", wrongToken);
    secret("refused Authorization header", base64(accountSid + ":" + wrongToken));
    assertThat(new HttpTestClient(baseUrl, accountSid, wrongToken).get("/v2/Services").status())
        .isEqualTo(401);
    String forgedJwt = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0." + hex(32);
    secret("forged device token", forgedJwt);
    assertThat(new HttpTestClient(baseUrl, "token", forgedJwt).get("/v2/Services").status())
        .isEqualTo(401);
  }

  /**
   * A body the form parser cannot read, carrying a code: whatever the answer (an unhandled error is
   * logged), the code stays out of the log.
   */
  private void unreadableBody(HttpTestClient api, String serviceSid, ServiceConfig config)
      throws Exception {
    String code = "%08d".formatted(RANDOM.nextInt(100_000_000));
    String marker = "unreadable-" + hex(8);
    secret("code in an unreadable body", code);
    secret("marker in an unreadable body", marker);
    HttpResponse<String> reply =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create(
                            api.url(
                                Scenario.entityPath(serviceSid, Scenario.identity())
                                    + "/Challenges")))
                    .header(
                        "Authorization",
                        "Basic " + base64(config.accountSid() + ":" + config.authToken()))
                    .header("Content-Type", "multipart/form-data; boundary=nowhere")
                    .POST(
                        HttpRequest.BodyPublishers.ofString(
                            "--elsewhere\r\nContent-Disposition: form-data; name=\"AuthPayload\""
                                + "\r\n\r\n"
                                + code
                                + "\r\n"
                                + marker))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(reply.body()).doesNotContain(code, marker);
  }

  /** A second instance without credentials: it generates them and says only where they are. */
  private void generatedCredentials(Map<String, String> base) throws Exception {
    Map<String, String> env = new HashMap<>(base);
    env.remove("LAPSE_ACCOUNT_SID");
    env.remove("LAPSE_AUTH_TOKEN");
    // Its own entity-task state directory: two Streams clients cannot share one.
    env.put("LAPSE_SERVICE_STATE_DIR", dir.resolve("second-service-state").toString());
    ServiceConfig config = ServiceConfig.fromEnv(env);
    assertThat(config.credentialsGenerated()).isTrue();
    secret("generated auth token", config.authToken());
    secret(
        "generated Authorization header", base64(config.accountSid() + ":" + config.authToken()));
    try (ChallengeServiceApp second = ChallengeServiceApp.start(config)) {
      Path file = dir.resolve("generated.credentials");
      Main.deliverGeneratedCredentials(config, file);
      CredentialsFile.Credentials written = CredentialsFile.read(file).orElseThrow();
      assertThat(written.authToken()).isEqualTo(config.authToken());
      HttpTestClient api =
          new HttpTestClient(second.baseUrl(), written.accountSid(), written.authToken());
      assertThat(api.get("/v2/Services").status()).isEqualTo(200);
    }
  }

  /** The current 8-digit code of the seed; every code sent is a secret. */
  private String code(String base32) {
    String code = TotpCodes.code(base32, Instant.now(), 8, 30, "HmacSHA1");
    secret("TOTP code #" + secrets.size(), code);
    return code;
  }

  private void secret(String what, String value) {
    secrets.put(what, value);
  }

  private static String hex(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  private static String base64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }
}
