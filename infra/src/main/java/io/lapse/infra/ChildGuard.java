package io.lapse.infra;

import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * Runs a command (a child process that cannot watch its parent itself, such as the schema registry)
 * and makes it end with the JVM that started this guard, even after a SIGKILL of that JVM ({@link
 * ParentWatch}).
 *
 * <p>Responsibility: start the command with this process's output, stop it (SIGTERM, then SIGKILL
 * after {@value #STOP_GRACE_SECONDS} s) when this process is asked to stop or its parent is gone,
 * and exit with the command's exit code otherwise, so that callers see the command's outcome.
 *
 * <p>Usage: {@code java -cp ... io.lapse.infra.ChildGuard COMMAND [ARGS...]}.
 */
public final class ChildGuard {
  /** Below the 10 s the registry's owner waits before it kills this guard and its child. */
  static final long STOP_GRACE_SECONDS = 8;

  private ChildGuard() {}

  public static void main(String[] args) throws InterruptedException {
    if (args.length == 0) {
      System.err.println("usage: ChildGuard COMMAND [ARGS...]");
      System.exit(2);
    }
    Process child;
    try {
      child =
          new ProcessBuilder(Arrays.asList(args))
              .redirectOutput(ProcessBuilder.Redirect.INHERIT)
              .redirectError(ProcessBuilder.Redirect.INHERIT)
              .start();
    } catch (IOException e) {
      System.err.println("lapse-guard: cannot start " + String.join(" ", args) + ": " + e);
      System.exit(127);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(child), "lapse-guard-stop"));
    ParentWatch.exitWhenGone(System.in, "lapse-guard", STOP_GRACE_SECONDS + 1);
    System.exit(child.waitFor());
  }

  private static void stop(Process child) {
    if (!child.isAlive()) {
      return;
    }
    child.destroy();
    try {
      if (!child.waitFor(STOP_GRACE_SECONDS, TimeUnit.SECONDS)) {
        child.destroyForcibly().waitFor(STOP_GRACE_SECONDS, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      child.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
