package io.lapse.launcher.bench;

import java.nio.file.Path;

/**
 * One design under the side-by-side benchmark: started and stopped by {@link Bench}, fed challenges
 * with their deadlines, and reporting every expiry it emits to a {@link Sink} the way a downstream
 * consumer would see it (committed, read back).
 */
interface Contender extends AutoCloseable {

  /** Receives an expiry: when the contender says it emitted it, and when it was seen. */
  interface Sink {
    void expired(String sid, long expiredAtMillis, long receivedMillis);
  }

  /** Thrown by {@link #start} when the contender cannot run on this machine (one line). */
  final class Unavailable extends Exception {
    private static final long serialVersionUID = 1L;

    Unavailable(String message) {
      super(message);
    }
  }

  String name();

  /** Starts it with its state under {@code dir}; expiries go to {@code sink} from now on. */
  void start(Path dir, Sink sink) throws Exception;

  /** Creates one challenge due at {@code deadlineMillis} (may be buffered until {@link #flush}). */
  void create(String sid, long deadlineMillis) throws Exception;

  /** Returns once everything created so far is accepted and pending inside the contender. */
  void flush() throws Exception;

  /** CPU time used so far by the contender's own processes or threads, in nanoseconds. */
  long cpuNanos();

  /** What was measured, for the report (e.g. "redis-server 7.0.15"). */
  String version();

  @Override
  void close();
}
