package io.lapse.launcher;

/**
 * A failure a user can act on, said in one line ({@code lapse: <message>}) without a stack trace:
 * the system is not running, an argument is wrong, a topic does not exist. {@link Lapse} prints it
 * and exits with {@link #status()}.
 */
final class CliException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** 2: the command line was wrong (the usage follows); 1: the command could not be done. */
  private final int status;

  private CliException(String message, int status, Throwable cause) {
    super(message, cause);
    this.status = status;
  }

  static CliException failed(String message) {
    return new CliException(message, 1, null);
  }

  static CliException failed(String message, Throwable cause) {
    return new CliException(message, 1, cause);
  }

  static CliException usage(String message) {
    return new CliException(message, 2, null);
  }

  int status() {
    return status;
  }
}
