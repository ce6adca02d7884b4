package io.lapse.launcher.soak;

import java.time.Duration;
import java.util.List;

/**
 * The arguments of {@code ./lapse soak}. Anything unknown is refused, so a typo never runs a
 * different soak than the one asked for.
 *
 * @param cycles how many kill cycles to run (each kills one processor)
 * @param cycleLength how long one cycle feeds load before the next kill
 * @param rate challenge creates per second the load aims at
 * @param processors expiry-processor JVMs (2 or 3)
 * @param brokerEvery every how many cycles a broker is killed as well (0: never)
 * @param seed the seed of every random choice (which processor, which broker, what each challenge
 *     gets), so a failing run can be repeated
 */
public record SoakArguments(
    int cycles, Duration cycleLength, int rate, int processors, int brokerEvery, long seed) {

  public static final int DEFAULT_CYCLES = 3;
  public static final int DEFAULT_CYCLE_SECONDS = 20;

  /** The target; on a 2-core machine the summary says how much of it was reached. */
  public static final int DEFAULT_RATE = 1_000;

  public static final int DEFAULT_PROCESSORS = 3;
  public static final int DEFAULT_BROKER_EVERY = 10;

  public SoakArguments {
    if (cycles < 1 || cycles > 10_000) {
      throw new IllegalArgumentException("--cycles must be between 1 and 10000, got " + cycles);
    }
    if (cycleLength.compareTo(Duration.ofSeconds(5)) < 0
        || cycleLength.compareTo(Duration.ofHours(1)) > 0) {
      throw new IllegalArgumentException(
          "--cycle-seconds must be between 5 and 3600, got " + cycleLength.toSeconds());
    }
    if (rate < 1 || rate > 100_000) {
      throw new IllegalArgumentException("--rate must be between 1 and 100000, got " + rate);
    }
    if (processors < 2 || processors > 3) {
      throw new IllegalArgumentException("--processors must be 2 or 3, got " + processors);
    }
    if (brokerEvery < 0) {
      throw new IllegalArgumentException("--broker-every must be 0 (never) or more");
    }
  }

  /**
   * Parses the arguments after {@code soak}; throws {@link IllegalArgumentException} saying why.
   */
  public static SoakArguments parse(List<String> args) {
    int cycles = DEFAULT_CYCLES;
    int cycleSeconds = DEFAULT_CYCLE_SECONDS;
    int rate = DEFAULT_RATE;
    int processors = DEFAULT_PROCESSORS;
    int brokerEvery = DEFAULT_BROKER_EVERY;
    long seed = System.nanoTime();
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
      if (!List.of(
              "--cycles", "--cycle-seconds", "--rate", "--processors", "--broker-every", "--seed")
          .contains(name)) {
        throw new IllegalArgumentException("unknown argument for soak: " + arg);
      }
      String value;
      if (arg.contains("=")) {
        value = arg.substring(arg.indexOf('=') + 1);
      } else if (i + 1 < args.size()) {
        value = args.get(++i);
      } else {
        throw new IllegalArgumentException(name + " needs a number");
      }
      long n = number(name, value);
      switch (name) {
        case "--cycles" -> cycles = (int) Math.min(n, Integer.MAX_VALUE);
        case "--cycle-seconds" -> cycleSeconds = (int) Math.min(n, Integer.MAX_VALUE);
        case "--rate" -> rate = (int) Math.min(n, Integer.MAX_VALUE);
        case "--processors" -> processors = (int) Math.min(n, Integer.MAX_VALUE);
        case "--broker-every" -> brokerEvery = (int) Math.min(n, Integer.MAX_VALUE);
        default -> seed = n;
      }
    }
    return new SoakArguments(
        cycles, Duration.ofSeconds(cycleSeconds), rate, processors, brokerEvery, seed);
  }

  /** Whether cycle {@code cycle} (1-based) kills a broker as well as a processor. */
  public boolean killsBroker(int cycle) {
    return brokerEvery > 0 && cycle % brokerEvery == 0;
  }

  private static long number(String name, String value) {
    try {
      long n = Long.parseLong(value);
      if (n < 0 && !name.equals("--seed")) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " needs a number, got \"" + value + "\"", e);
    }
  }
}
