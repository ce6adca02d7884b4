package io.lapse.infra;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.TimeUnit;

/**
 * Ends a child process of Lapse's when the JVM that started it is gone, even after a SIGKILL that
 * ran no shutdown hook: that JVM holds the write end of the child's standard input, so end-of-file
 * there means it has exited.
 *
 * <p>Responsibility: only that watch. On end-of-file the child exits through {@link System#exit}
 * (its shutdown hooks stop what it runs) and halts if that takes longer than the grace given (a
 * clean stop can wait on peers that are stopping too).
 */
final class ParentWatch {
  private ParentWatch() {}

  /** Starts the watch on {@code parent} (this process's standard input) in a daemon thread. */
  static void exitWhenGone(InputStream parent, String name, long graceSeconds) {
    Thread watcher =
        new Thread(
            () -> {
              byte[] buffer = new byte[64];
              try {
                while (parent.read(buffer) >= 0) {
                  // Nothing is ever sent; reading only detects the end of the stream.
                }
              } catch (IOException e) {
                // The pipe broke: the parent is gone as well.
              }
              System.err.println(name + ": parent process gone, stopping");
              Thread halt =
                  new Thread(
                      () -> {
                        try {
                          TimeUnit.SECONDS.sleep(graceSeconds);
                        } catch (InterruptedException e) {
                          Thread.currentThread().interrupt();
                        }
                        Runtime.getRuntime().halt(3);
                      },
                      name + "-halt");
              halt.setDaemon(true);
              halt.start();
              System.exit(0);
            },
            name + "-parent-watch");
    watcher.setDaemon(true);
    watcher.start();
  }
}
