package io.lapse.service.domain;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/** Waiting on futures where a caller still blocks, with the cause thrown as it was raised. */
final class Futures {
  private Futures() {}

  /** The failure behind a stage's {@link CompletionException}, or the failure itself. */
  static Throwable cause(Throwable error) {
    return error instanceof CompletionException && error.getCause() != null
        ? error.getCause()
        : error;
  }

  /** Joins; an unchecked cause (an {@link ApiError}) is thrown as itself. */
  static <T> T join(CompletableFuture<T> future) {
    try {
      return future.join();
    } catch (CompletionException e) {
      if (cause(e) instanceof RuntimeException r) {
        throw r;
      }
      throw e;
    }
  }

  /** Rethrows {@code error} from inside a stage: unchecked as itself, else wrapped. */
  static RuntimeException rethrow(Throwable error) {
    return error instanceof RuntimeException r ? r : new CompletionException(error);
  }
}
