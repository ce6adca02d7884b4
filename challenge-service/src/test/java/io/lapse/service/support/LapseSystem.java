package io.lapse.service.support;

import com.twilio.http.TwilioRestClient;
import io.lapse.examples.LocalTwilioHttpClient;
import io.lapse.service.ChallengeServiceApp;
import io.lapse.service.ServiceConfig;
import io.lapse.testkit.KafkaBroker;
import io.lapse.testkit.KafkaHelpers;
import io.lapse.testkit.SchemaRegistry;
import io.lapse.topics.KafkaConnection;
import java.net.URI;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * The running system for end-to-end tests: the challenge service and the decider on the real broker
 * and registry, with topics of their own (a unique prefix), and clients for it: Twilio's Java SDK
 * pointed at the service, and a plain HTTP client.
 */
public final class LapseSystem implements AutoCloseable {
  public static final String ACCOUNT = "AC" + "b".repeat(32);
  public static final String TOKEN = "sdk-test-token";

  public final KafkaConnection kafka;
  public final ChallengeServiceApp service;
  private final AutoCloseable decider;

  public LapseSystem(KafkaBroker broker, SchemaRegistry registry) {
    String id = KafkaHelpers.uniqueName("e2e");
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    // One environment for both applications, as ./lapse up and docker-compose give them.
    Map<String, String> env = new HashMap<>();
    env.put("KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers());
    env.put("SCHEMA_REGISTRY_URL", registry.url());
    env.put("LAPSE_PARTITIONS", "3");
    env.put("LAPSE_TOPIC_PREFIX", id + ".");
    env.put("HTTP_PORT", "0");
    env.put("LAPSE_ACCOUNT_SID", ACCOUNT);
    env.put("LAPSE_AUTH_TOKEN", TOKEN);
    env.put("LAPSE_SECRET_KEY", Base64.getEncoder().encodeToString(key));
    env.put("LAPSE_EXPIRY_APPLICATION_ID", id + "-expiry");
    env.put("LAPSE_EXPIRY_HTTP_PORT", "0");
    env.put("LAPSE_STATE_DIR", Path.of("target", "it-state", id).toAbsolutePath().toString());
    ServiceConfig config = ServiceConfig.fromEnv(env);
    kafka = config.kafka();
    service = ChallengeServiceApp.start(config);
    decider = new KafkaFakeDecider(kafka, service.domain().view());
  }

  /** Twilio's SDK, changed only in its HTTP client's base URL. */
  public TwilioRestClient sdk() {
    return new TwilioRestClient.Builder(ACCOUNT, TOKEN)
        .httpClient(new LocalTwilioHttpClient(URI.create(service.baseUrl())))
        .build();
  }

  public HttpTestClient http() {
    return new HttpTestClient(service.baseUrl(), ACCOUNT, TOKEN);
  }

  @Override
  public void close() throws Exception {
    decider.close();
    service.close();
  }
}
