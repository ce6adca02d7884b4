package io.lapse.service.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class WaitingLimitTest {
  private final WaitingLimit limit = new WaitingLimit("verifications", 2);

  @Test
  void shouldRefuseBeyondTheCapWith20503AndRetryAfterWithoutStartingTheWait() {
    limit.admit(CompletableFuture::new);
    limit.admit(CompletableFuture::new);
    AtomicInteger started = new AtomicInteger();

    assertThatThrownBy(
            () ->
                limit.admit(
                    () -> {
                      started.incrementAndGet();
                      return new CompletableFuture<>();
                    }))
        .isInstanceOfSatisfying(
            ApiError.class,
            e -> {
              assertThat(e.code()).isEqualTo(20503);
              assertThat(e.status()).isEqualTo(503);
              assertThat(e.retryAfterSeconds()).isEqualTo(1);
              assertThat(e.getMessage()).contains("too many verifications waiting");
            });
    assertThat(started).hasValue(0);
    assertThat(limit.waiting()).isEqualTo(2);
    assertThat(limit.refused()).isEqualTo(1);
  }

  @Test
  void shouldFreeThePlaceWhenTheWaitEndsEitherWay() {
    CompletableFuture<String> first = new CompletableFuture<>();
    CompletableFuture<String> second = new CompletableFuture<>();
    CompletableFuture<String> admitted = limit.admit(() -> first);
    limit.admit(() -> second);

    first.complete("approved");
    second.completeExceptionally(ApiError.decisionUnavailable());

    assertThat(admitted).isCompletedWithValue("approved");
    assertThat(limit.waiting()).isZero();
    limit.admit(CompletableFuture::new);
    limit.admit(CompletableFuture::new);
    assertThat(limit.waiting()).isEqualTo(2);
  }

  @Test
  void shouldFreeThePlaceWhenStartingTheWaitThrows() {
    assertThatThrownBy(
            () ->
                limit.admit(
                    () -> {
                      throw ApiError.challengeExpired();
                    }))
        .isInstanceOf(ApiError.class);

    assertThat(limit.waiting()).isZero();
    assertThat(limit.refused()).isZero();
  }

  @Test
  void shouldShareOneCapBetweenKindsAndCountEachApart() {
    WaitingLimit writes = limit.share("requests");
    CompletableFuture<String> verification = new CompletableFuture<>();
    limit.admit(() -> verification);
    writes.admit(CompletableFuture::new);

    assertThatThrownBy(() -> writes.admit(CompletableFuture::new))
        .isInstanceOfSatisfying(
            ApiError.class, e -> assertThat(e.getMessage()).contains("too many requests waiting"));
    assertThatThrownBy(() -> limit.admit(CompletableFuture::new)).isInstanceOf(ApiError.class);
    assertThat(limit.waiting()).isEqualTo(1);
    assertThat(writes.waiting()).isEqualTo(1);
    assertThat(limit.refused()).isEqualTo(1);
    assertThat(writes.refused()).isEqualTo(1);

    verification.complete("approved");
    writes.admit(CompletableFuture::new);
    assertThat(writes.waiting()).isEqualTo(2);
    assertThat(limit.waiting()).isZero();
  }
}
