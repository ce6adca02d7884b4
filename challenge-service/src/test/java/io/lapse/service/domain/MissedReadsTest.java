package io.lapse.service.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class MissedReadsTest {
  private final CompletableFuture<Void> caughtUp = new CompletableFuture<>();
  private final AtomicInteger catchUps = new AtomicInteger();
  private final MissedReads misses =
      new MissedReads(
          () -> {
            catchUps.incrementAndGet();
            return caughtUp;
          },
          new WaitingLimit("reads catching up", 1),
          Runnable::run);

  @Test
  void shouldReadAgainOnlyAfterCatchingUpAndFindWhatArrivedMeanwhile() {
    AtomicBoolean arrived = new AtomicBoolean();
    AtomicInteger reads = new AtomicInteger();

    CompletableFuture<String> answer =
        misses.read(
            () -> {
              reads.incrementAndGet();
              if (!arrived.get()) {
                throw ApiError.notFound("/Factors/YF1");
              }
              return CompletableFuture.completedFuture("YF1");
            });
    assertThat(answer).isNotDone();
    assertThat(reads).hasValue(1);

    arrived.set(true);
    caughtUp.complete(null);

    assertThat(answer).isCompletedWithValue("YF1");
    assertThat(reads).hasValue(2);
    assertThat(misses.synced()).isEqualTo(1);
    assertThat(misses.foundAfterSync()).isEqualTo(1);
    assertThat(misses.waiting()).isZero();
  }

  @Test
  void shouldAnswer404WhenTheSecondReadMissesToo() {
    CompletableFuture<String> answer =
        misses.read(
            () -> {
              throw ApiError.notFound("/Factors/YF2");
            });
    caughtUp.complete(null);

    assertThatThrownBy(answer::join)
        .isInstanceOf(CompletionException.class)
        .cause()
        .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.code()).isEqualTo(20404));
    assertThat(misses.foundAfterSync()).isZero();
  }

  @Test
  void shouldNeitherCatchUpForAHitNorForAnotherRefusal() {
    assertThat(misses.read(() -> CompletableFuture.completedFuture("hit")))
        .isCompletedWithValue("hit");
    assertThatThrownBy(
            () ->
                misses.read(
                    () -> {
                      throw ApiError.challengeExpired();
                    }))
        .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.code()).isEqualTo(60323));
    assertThat(catchUps).hasValue(0);
  }

  @Test
  void shouldShedMissesBeyondTheCapRatherThanAnswerAWrong404() {
    misses.read(
        () -> {
          throw ApiError.notFound("/Factors/YF3");
        });

    assertThatThrownBy(
            () ->
                misses.read(
                    () -> {
                      throw ApiError.notFound("/Factors/YF4");
                    }))
        .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.code()).isEqualTo(20503));
    assertThat(misses.refused()).isEqualTo(1);
  }
}
