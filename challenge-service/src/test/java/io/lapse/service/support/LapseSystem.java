package io.lapse.service.support;

import com.twilio.http.TwilioRestClient;
import io.lapse.examples.LocalTwilioHttpClient;
import io.lapse.expiry.ExpiryProcessorApp;
import io.lapse.infra.KafkaBroker;
import io.lapse.infra.SchemaRegistry;
import io.lapse.service.ChallengeServiceApp;
import io.lapse.service.ServiceConfig;
import io.lapse.topics.KafkaConnection;
import java.net.URI;
import java.util.Map;

/**
 * The running system for end-to-end tests: the challenge service and the real expiry processor on
 * the real broker and registry, with topics of their own, and clients for it: Twilio's Java SDK
 * pointed at the service, and a plain HTTP client.
 */
public final class LapseSystem implements AutoCloseable {
  /** The environment both services were started with (topics, keys). */
  public final Map<String, String> env;

  public final KafkaConnection kafka;
  public final ChallengeServiceApp service;
  public final ExpiryProcessorApp processor;

  public LapseSystem(KafkaBroker broker, SchemaRegistry registry) {
    this(broker, registry, Map.of());
  }

  /** With {@code extra} settings on top of the test environment (both services get them). */
  public LapseSystem(KafkaBroker broker, SchemaRegistry registry, Map<String, String> extra) {
    Map<String, String> all = new java.util.HashMap<>(SystemEnv.create(broker, registry));
    all.putAll(extra);
    env = Map.copyOf(all);
    ServiceConfig config = ServiceConfig.fromEnv(env);
    kafka = config.kafka();
    service = ChallengeServiceApp.start(config);
    processor = Processor.start(env);
  }

  /** Twilio's SDK, changed only in its HTTP client's base URL. */
  public TwilioRestClient sdk() {
    return sdk(service);
  }

  /** Twilio's SDK pointed at {@code instance}. */
  public static TwilioRestClient sdk(ChallengeServiceApp instance) {
    return new TwilioRestClient.Builder(SystemEnv.ACCOUNT, SystemEnv.TOKEN)
        .httpClient(new LocalTwilioHttpClient(URI.create(instance.baseUrl())))
        .build();
  }

  /**
   * Another challenge-service instance on the same topics, started afresh (its own state
   * directory), so everything it serves it read from the log. The caller closes it.
   */
  public ChallengeServiceApp startAnotherService(String name) {
    Map<String, String> other = new java.util.HashMap<>(env);
    other.put("LAPSE_SERVICE_STATE_DIR", env.get("LAPSE_SERVICE_STATE_DIR") + "-" + name);
    return ChallengeServiceApp.start(ServiceConfig.fromEnv(other));
  }

  public HttpTestClient http() {
    return new HttpTestClient(service.baseUrl(), SystemEnv.ACCOUNT, SystemEnv.TOKEN);
  }

  @Override
  public void close() {
    processor.close();
    service.close();
  }
}
