package io.lapse.service.domain;

import io.lapse.contract.TwilioError;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * "Sync on miss": a read that does not find its resource here is not answered 404 yet. This
 * instance first catches up with the log ({@link CatchUp}, bounded), then reads once more, and only
 * a second miss is a 404. A resource created on another instance and acknowledged there is on the
 * log before this read began, so it is found; a resource that does not exist costs one catch-up.
 * The wait holds no request thread; the second read runs on {@code executor}. At most {@link
 * WaitingLimit#max()} reads catch up at once; beyond that a miss is answered 503 with {@code
 * Retry-After} rather than a 404 that might be wrong.
 */
public final class MissedReads {
  private final CatchUp catchUp;
  private final WaitingLimit limit;
  private final Executor executor;
  private final AtomicLong synced = new AtomicLong();
  private final AtomicLong foundAfterSync = new AtomicLong();

  public MissedReads(CatchUp catchUp, WaitingLimit limit, Executor executor) {
    this.catchUp = catchUp;
    this.limit = limit;
    this.executor = executor;
  }

  /** Whether {@code e} is a read that found nothing here (and may find it after a catch-up). */
  public static boolean isMiss(Throwable e) {
    return e instanceof ApiError a && a.error() == TwilioError.NOT_FOUND;
  }

  /**
   * Runs {@code read}; if it misses (throws a 404) before it did anything, catches up and runs it
   * again. {@code read} must throw its 404 before any side effect.
   */
  public <T> CompletableFuture<T> read(Supplier<CompletableFuture<T>> read) {
    try {
      return read.get();
    } catch (ApiError e) {
      if (!isMiss(e)) {
        throw e;
      }
      return this.<CompletableFuture<T>>afterCatchUp(read::get).thenCompose(f -> f);
    }
  }

  /** Catches up, then runs {@code again} on the executor; its failure fails the future. */
  public <T> CompletableFuture<T> afterCatchUp(Callable<T> again) {
    return limit.admit(
        () -> {
          synced.incrementAndGet();
          return catchUp
              .catchUp()
              .thenApplyAsync(
                  v -> {
                    try {
                      T result = again.call();
                      foundAfterSync.incrementAndGet();
                      return result;
                    } catch (RuntimeException e) {
                      throw e;
                    } catch (Exception e) {
                      throw new CompletionException(e);
                    }
                  },
                  executor);
        });
  }

  /** The executor that second reads, and answers after a wait, run on. */
  public Executor executor() {
    return executor;
  }

  /** Reads that missed and caught up since start. */
  public long synced() {
    return synced.get();
  }

  /** Of those, the ones the second read found. */
  public long foundAfterSync() {
    return foundAfterSync.get();
  }

  /** Reads catching up now. */
  public int waiting() {
    return limit.waiting();
  }

  /** Misses answered 503 because too many reads were catching up. */
  public long refused() {
    return limit.refused();
  }
}
