package io.lapse.service.support;

import com.twilio.http.TwilioRestClient;
import io.lapse.examples.LocalTwilioHttpClient;
import io.lapse.service.ChallengeServiceApp;
import io.lapse.service.ServiceConfig;
import io.lapse.testkit.KafkaBroker;
import io.lapse.testkit.KafkaHelpers;
import io.lapse.testkit.SchemaRegistry;
import io.lapse.topics.KafkaConnection;
import io.lapse.topics.TopicNames;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Duration;
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
    String prefix = KafkaHelpers.uniqueName("e2e") + ".";
    kafka =
        KafkaConnection.local(broker.bootstrapServers(), registry.url())
            .withPartitions(3)
            .withTopicNames(TopicNames.fromEnv(Map.of("LAPSE_TOPIC_PREFIX", prefix)));
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    service =
        ChallengeServiceApp.start(
            ServiceConfig.local(kafka, ACCOUNT, TOKEN, key)
                .withVerifyTimeout(Duration.ofSeconds(5)));
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
