package io.lapse.service.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lapse.service.kafka.PublishFailedException;
import io.lapse.state.v1.ServiceSnapshot;
import io.lapse.state.v1.WebhookSnapshot;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Webhook writes without a waiting thread: each is answered once the log acknowledged it, under the
 * instance's cap, and a read-modify-write starts only after the write before it is applied.
 */
class WebhooksTest {
  private static final String ACCOUNT = "AC" + "1".repeat(32);
  private static final String SERVICE = "VA" + "2".repeat(32);

  /** A write produced to the log, acknowledged when the test says so. */
  private record Produced(String sid, WebhookSnapshot value, CompletableFuture<Long> ack) {}

  private final List<Produced> produced = new CopyOnWriteArrayList<>();
  private final WaitingLimit cap = new WaitingLimit("verifications", 2);
  private final Catalog catalog = new Catalog();
  private final Webhooks webhooks =
      new Webhooks(
          catalog,
          Webhooks.newTable(),
          (sid, value) -> {
            Produced p = new Produced(sid, value, new CompletableFuture<>());
            produced.add(p);
            return p.ack();
          },
          ACCOUNT,
          Clock.fixed(Instant.parse("2026-05-01T12:00:00Z"), ZoneOffset.UTC),
          cap.share("requests"),
          Runnable::run);

  WebhooksTest() {
    catalog
        .services()
        .apply(
            SERVICE,
            1,
            ServiceSnapshot.newBuilder()
                .setSid(SERVICE)
                .setAccountSid(ACCOUNT)
                .setFriendlyName("bank")
                .setCreatedAt(Instant.EPOCH)
                .setUpdatedAt(Instant.EPOCH)
                .build());
  }

  private static WebhookChanges named(String name) {
    return new WebhookChanges(
        Optional.of(name),
        List.of("*"),
        Optional.of("https://example.com/hooks"),
        Optional.empty(),
        Optional.empty());
  }

  private void ack(int i) {
    produced.get(i).ack().complete((long) i + 1);
  }

  private WebhookSnapshot created() {
    CompletableFuture<WebhookSnapshot> create = webhooks.create(SERVICE, named("backend"));
    ack(produced.size() - 1);
    return create.join();
  }

  @Test
  void shouldAnswerAWriteOnlyOnceTheLogAcknowledgedItAndThenShowIt() {
    CompletableFuture<WebhookSnapshot> create = webhooks.create(SERVICE, named("backend"));

    assertThat(produced).hasSize(1);
    assertThat(create).isNotDone();
    assertThat(webhooks.table().size()).isZero();
    assertThat(webhooks.waiting().waiting()).isOne();

    ack(0);

    assertThat(create).isCompleted();
    assertThat(webhooks.get(SERVICE, create.join().getSid())).isEqualTo(create.join());
    assertThat(webhooks.waiting().waiting()).isZero();
  }

  @Test
  void shouldProduceAnUpdateOrDeletionOnlyAfterTheOneBeforeItIsApplied() {
    String sid = created().getSid();

    CompletableFuture<WebhookSnapshot> update = webhooks.update(SERVICE, sid, named("renamed"));
    CompletableFuture<Void> delete = webhooks.delete(SERVICE, sid);

    assertThat(produced).hasSize(2);
    assertThat(delete).isNotDone();
    ack(1);
    assertThat(update.join().getFriendlyName()).isEqualTo("renamed");
    assertThat(webhooks.get(SERVICE, sid).getFriendlyName()).isEqualTo("renamed");
    assertThat(produced).hasSize(3);
    assertThat(produced.get(2).value()).isNull();
    ack(2);
    assertThat(delete).isCompleted();
    assertThat(webhooks.table().get(sid)).isEmpty();
    assertThat(webhooks.waiting().waiting()).isZero();
  }

  @Test
  void shouldRefuseADeletionWhoseWebhookWasDeletedWhileItWaitedItsTurnWithoutProducing() {
    String sid = created().getSid();
    CompletableFuture<Void> first = webhooks.delete(SERVICE, sid);
    CompletableFuture<Void> second = webhooks.delete(SERVICE, sid);

    ack(1);

    assertThat(first).isCompleted();
    assertThat(second)
        .failsWithin(java.time.Duration.ZERO)
        .withThrowableThat()
        .havingRootCause()
        .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.status()).isEqualTo(404));
    assertThat(produced).hasSize(2);
  }

  @Test
  void shouldRefuseAtTheSharedCapBeforeProducingAndAdmitAgainOnceAPlaceIsFree() {
    CompletableFuture<WebhookSnapshot> first = webhooks.create(SERVICE, named("a"));
    CompletableFuture<Object> verification = cap.admit(CompletableFuture::new);

    assertThatThrownBy(() -> webhooks.create(SERVICE, named("b")))
        .isInstanceOfSatisfying(
            ApiError.class,
            e -> {
              assertThat(e.code()).isEqualTo(20503);
              assertThat(e.retryAfterSeconds()).isOne();
            });
    assertThat(produced).hasSize(1);
    assertThat(webhooks.waiting().refused()).isOne();
    assertThat(cap.refused()).isZero();

    ack(0);
    assertThat(first).isCompleted();
    webhooks.create(SERVICE, named("b"));
    assertThat(produced).hasSize(2);
    assertThat(verification).isNotDone();
  }

  @Test
  void shouldFailAWriteTheLogRefusedAndStillRunTheNextInTurn() {
    String sid = created().getSid();
    CompletableFuture<WebhookSnapshot> update = webhooks.update(SERVICE, sid, named("lost"));
    CompletableFuture<Void> delete = webhooks.delete(SERVICE, sid);

    produced.get(1).ack().completeExceptionally(new PublishFailedException("webhooks", null));

    assertThat(update)
        .failsWithin(java.time.Duration.ZERO)
        .withThrowableThat()
        .havingRootCause()
        .isInstanceOf(PublishFailedException.class);
    assertThat(webhooks.get(SERVICE, sid).getFriendlyName()).isEqualTo("backend");
    assertThat(produced).hasSize(3);
    ack(2);
    assertThat(delete).isCompleted();
    assertThat(webhooks.waiting().waiting()).isZero();
  }

  @Test
  void shouldPurgeAServicesWebhooksInTurn() {
    String a = created().getSid();
    String b = created().getSid();

    CompletableFuture<Void> purge = webhooks.purge(SERVICE);

    assertThat(produced.subList(2, 4)).extracting(Produced::sid).containsExactlyInAnyOrder(a, b);
    assertThat(purge).isNotDone();
    ack(2);
    ack(3);
    assertThat(purge).isCompleted();
    assertThat(webhooks.table().size()).isZero();
  }
}
