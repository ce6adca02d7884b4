package io.lapse.expiry;

import static org.assertj.core.api.Assertions.assertThat;

import io.lapse.expiry.harness.ProcessorFixture;
import io.lapse.infra.KafkaBroker;
import io.lapse.infra.SchemaRegistry;
import io.lapse.testkit.LapseIntegration;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.GroupListing;
import org.junit.jupiter.api.Test;

/**
 * The warm-up rehearsal runs the real topology on a real broker and registry, then leaves nothing
 * behind: no topic, no group, no registry subject, and nothing on the real topics.
 */
@LapseIntegration
class ExpiryWarmUpIT {

  @Test
  void shouldRehearseOnPrivateTopicsAndLeaveNothingBehind(
      KafkaBroker broker, SchemaRegistry registry) throws Exception {
    ProcessorFixture fixture = new ProcessorFixture(broker.bootstrapServers(), registry.url(), 6);
    ExpiryConfig config = fixture.config("warm");

    int expired = new ExpiryWarmUp(config, Duration.ofSeconds(2)).run();

    // Expiries committed by the rehearsal's own topology and read back (how many depends on the
    // machine: up to 2 s at 5 000/s, one in ten approved).
    assertThat(expired).isPositive();
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
      assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS))
          .noneMatch(t -> t.startsWith("lapse-warmup-"))
          .noneMatch(t -> t.startsWith(fixture.topicPrefix())); // the real topics untouched
      assertThat(admin.listGroups().all().get(30, TimeUnit.SECONDS))
          .extracting(GroupListing::groupId)
          .noneMatch(g -> g.startsWith("lapse-warmup-"));
    }
    HttpResponse<String> subjects =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(registry.url() + "/subjects"))
                    .timeout(Duration.ofSeconds(10))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(subjects.statusCode()).isEqualTo(200);
    assertThat(subjects.body()).doesNotContain("warmup");
  }

  @Test
  void shouldDoNothingWhenTurnedOff(KafkaBroker broker, SchemaRegistry registry) {
    ProcessorFixture fixture = new ProcessorFixture(broker.bootstrapServers(), registry.url(), 6);

    assertThat(new ExpiryWarmUp(fixture.config("off"), Duration.ZERO).run()).isZero();
  }
}
