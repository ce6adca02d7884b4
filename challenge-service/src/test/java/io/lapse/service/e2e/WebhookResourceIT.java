package io.lapse.service.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.twilio.base.ResourceSet;
import com.twilio.exception.ApiException;
import com.twilio.http.TwilioRestClient;
import com.twilio.rest.verify.v2.Service;
import com.twilio.rest.verify.v2.service.Webhook;
import io.lapse.examples.LocalTwilioHttpClient;
import io.lapse.infra.KafkaBroker;
import io.lapse.infra.SchemaRegistry;
import io.lapse.service.ChallengeServiceApp;
import io.lapse.service.ServiceConfig;
import io.lapse.service.support.LapseSystem;
import io.lapse.service.support.SystemEnv;
import io.lapse.testkit.LapseIntegration;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Webhook resource through Twilio's own Java SDK against the running system, and its storage on
 * Kafka: a webhook written by one instance is read back by a freshly started one; the two
 * instances' webhook dispatchers share the event partitions.
 */
@LapseIntegration
class WebhookResourceIT {
  private LapseSystem system;

  @BeforeEach
  void start(KafkaBroker broker, SchemaRegistry registry) {
    system = new LapseSystem(broker, registry);
  }

  @AfterEach
  void stop() {
    system.close();
  }

  @Test
  void shouldCreateFetchListUpdateAndDeleteWithTheSdkAndKeepWebhooksOnKafka() {
    TwilioRestClient client = system.sdk();
    String service = Service.creator("hooks").create(client).getSid();

    Webhook created =
        Webhook.creator(
                service,
                "backend",
                List.of("challenge.approved", "challenge.expired"),
                "https://example.com/verify")
            .create(client);
    assertThat(created.getSid()).startsWith("YW");
    assertThat(created.getStatus()).isEqualTo(Webhook.Status.ENABLED);
    assertThat(created.getVersion()).isEqualTo(Webhook.Version.V2);
    assertThat(created.getWebhookMethod()).isEqualTo(Webhook.Methods.POST);
    assertThat(created.getEventTypes()).containsExactly("challenge.approved", "challenge.expired");
    assertThat(created.getWebhookUrl()).isEqualTo(URI.create("https://example.com/verify"));
    assertThat(created.getDateCreated()).isNotNull();

    Webhook updated =
        Webhook.updater(service, created.getSid())
            .setStatus(Webhook.Status.DISABLED)
            .update(client);
    assertThat(updated.getStatus()).isEqualTo(Webhook.Status.DISABLED);
    assertThat(Webhook.fetcher(service, created.getSid()).fetch(client).getFriendlyName())
        .isEqualTo("backend");
    Webhook second =
        Webhook.creator(service, "all", List.of("*"), "https://example.com/all").create(client);

    // Another instance, started afresh, reads both from lapse-webhooks.
    Map<String, String> env = new HashMap<>(system.env);
    env.put("LAPSE_SERVICE_STATE_DIR", system.env.get("LAPSE_SERVICE_STATE_DIR") + "-2");
    try (ChallengeServiceApp other = ChallengeServiceApp.start(ServiceConfig.fromEnv(env))) {
      TwilioRestClient otherClient =
          new TwilioRestClient.Builder(SystemEnv.ACCOUNT, SystemEnv.TOKEN)
              .httpClient(new LocalTwilioHttpClient(URI.create(other.baseUrl())))
              .build();
      ResourceSet<Webhook> listed = Webhook.reader(service).read(otherClient);
      List<String> sids = new ArrayList<>();
      listed.forEach(w -> sids.add(w.getSid()));
      assertThat(sids).containsExactly(created.getSid(), second.getSid());
      assertThat(Webhook.fetcher(service, created.getSid()).fetch(otherClient).getStatus())
          .isEqualTo(Webhook.Status.DISABLED);

      assertThat(Webhook.deleter(service, created.getSid()).delete(otherClient)).isTrue();

      // The two instances' webhook dispatchers share the event topics' partitions in their group.
      await()
          .atMost(Duration.ofSeconds(60))
          .untilAsserted(
              () -> {
                Set<TopicPartition> mine = system.service.webhooks().partitions();
                Set<TopicPartition> theirs = other.webhooks().partitions();
                assertThat(mine).isNotEmpty();
                assertThat(theirs).isNotEmpty();
                assertThat(Collections.disjoint(mine, theirs))
                    .as("%s and %s", mine, theirs)
                    .isTrue();
                assertThat(mine.size() + theirs.size()).isEqualTo(9); // 3 topics × 3 partitions
              });
    }
    // The deletion, written by the other instance, reaches this one through its follower.
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              ApiException gone =
                  catchThrowableOfType(
                      ApiException.class,
                      () -> Webhook.fetcher(service, created.getSid()).fetch(client));
              assertThat(gone).isNotNull();
              assertThat(gone.getStatusCode()).isEqualTo(404);
              assertThat(gone.getCode()).isEqualTo(20404);
            });
  }
}
