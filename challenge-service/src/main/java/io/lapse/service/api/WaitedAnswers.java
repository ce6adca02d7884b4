package io.lapse.service.api;

import io.javalin.http.Context;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Answers that wait for a decision without holding the request thread (Javalin's {@code
 * ctx.future}; docs/decisions/0009-partitioned-reads.md): the handler starts the work and returns;
 * the answer is written on the answers pool, never on the thread that completed the wait (a Kafka
 * follower's, or the JDK's timer); a refusal, at once or later, goes to the one error mapper.
 */
final class WaitedAnswers {
  private final Executor answers;

  WaitedAnswers(Executor answers) {
    this.answers = answers;
  }

  /** Starts {@code work} for the request and answers with {@code render} once it completes. */
  <T> void answer(Context ctx, Supplier<CompletableFuture<T>> work, Consumer<T> render) {
    ctx.future(
        () ->
            work.get()
                .whenCompleteAsync(
                    (result, error) -> {
                      if (error == null) {
                        render.accept(result);
                      }
                    },
                    answers));
  }
}
