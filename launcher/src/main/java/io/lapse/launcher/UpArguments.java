package io.lapse.launcher;

import java.util.List;

/**
 * The arguments of {@code ./lapse up}: {@code --fresh} wipes the local state first; {@code
 * --brokers N} (or {@code --brokers=N}) runs Kafka as a cluster of N brokers, each in a child JVM,
 * instead of one broker in the launcher's JVM. Anything else is refused, so a typo never starts a
 * different system than the one asked for.
 *
 * @param fresh whether to wipe {@code .lapse/} first
 * @param brokers 1 (the default: one in-process broker) to {@value #MAX_BROKERS}
 */
record UpArguments(boolean fresh, int brokers) {
  static final int MAX_BROKERS = 5;

  /** Parses the arguments after {@code up}; throws {@link IllegalArgumentException} saying why. */
  static UpArguments parse(List<String> args) {
    boolean fresh = false;
    int brokers = 1;
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (arg.equals("--fresh")) {
        fresh = true;
      } else if (arg.equals("--brokers")) {
        if (i + 1 == args.size()) {
          throw new IllegalArgumentException("--brokers needs a number, e.g. --brokers 3");
        }
        brokers = brokers(args.get(++i));
      } else if (arg.startsWith("--brokers=")) {
        brokers = brokers(arg.substring("--brokers=".length()));
      } else {
        throw new IllegalArgumentException("unknown argument for up: " + arg);
      }
    }
    return new UpArguments(fresh, brokers);
  }

  /** Whether Kafka runs as a cluster of child JVMs rather than one in-process broker. */
  boolean cluster() {
    return brokers > 1;
  }

  private static int brokers(String value) {
    int n;
    try {
      n = Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--brokers needs a number, got \"" + value + "\"", e);
    }
    if (n < 1 || n > MAX_BROKERS) {
      throw new IllegalArgumentException(
          "--brokers must be between 1 and " + MAX_BROKERS + ", got " + n);
    }
    return n;
  }
}
