package io.lapse.service.domain;

import java.util.concurrent.CompletionException;

/** Failures inside futures' stages, with the cause seen and thrown as it was raised. */
final class Futures {
  private Futures() {}

  /** The failure behind a stage's {@link CompletionException}, or the failure itself. */
  static Throwable cause(Throwable error) {
    return error instanceof CompletionException && error.getCause() != null
        ? error.getCause()
        : error;
  }

  /** Rethrows {@code error} from inside a stage: unchecked as itself, else wrapped. */
  static RuntimeException rethrow(Throwable error) {
    return error instanceof RuntimeException r ? r : new CompletionException(error);
  }
}
