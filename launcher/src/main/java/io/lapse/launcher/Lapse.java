package io.lapse.launcher;

import io.lapse.contract.AttemptMacKeys;
import io.lapse.examples.SdkWalkthrough;
import io.lapse.examples.TotpCodes;
import io.lapse.launcher.bench.Bench;
import io.lapse.launcher.bench.ExpiryLoad;
import io.lapse.launcher.bench.HttpLoad;
import io.lapse.launcher.bench.HttpPhase;
import io.lapse.launcher.bench.Lateness;
import io.lapse.launcher.soak.Soak;
import io.lapse.launcher.soak.SoakArguments;
import io.lapse.service.CredentialsFile;
import io.lapse.service.crypto.ApiKeys;
import io.lapse.topics.TopicNames;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Entry point of the {@code ./lapse} script.
 *
 * <ul>
 *   <li>{@code up [--fresh] [--brokers N]}: the whole system locally ({@link LocalSystem}, {@link
 *       UpArguments})
 *   <li>{@code totp SECRET}: the current TOTP code of a Base32 secret
 *   <li>{@code events TOPIC [--follow]}: a topic's records, decoded ({@link EventTail})
 *   <li>{@code timeline SID}: every event of one challenge ({@link Timeline})
 *   <li>{@code status [--watch SECONDS]}: lag, pending, lateness, dead letters ({@link Status})
 *   <li>{@code sdk-demo}: the walk-through with Twilio's Java SDK against the running system
 *   <li>{@code api-key}: a new API key and its {@code LAPSE_API_KEYS} entry
 *   <li>{@code soak [--cycles N] ...}: the exactly-once soak under kill -9 ({@link Soak})
 *   <li>{@code load [--rate N] [--count N]}: expiry lateness measured from outside ({@link
 *       ExpiryLoad})
 *   <li>{@code reseal}: re-seals every TOTP seed under the newest {@code LAPSE_SECRET_KEY} ({@link
 *       Reseal})
 *   <li>{@code bench [--full]}: Lapse side by side with a full-scan punctuator, Redis and
 *       PostgreSQL ({@link Bench})
 * </ul>
 *
 * <p>Every command but {@code up} and {@code totp} finds the running system through {@link
 * RunningSystem}. Arguments are strict: anything unknown is refused with the usage (exit 2). A
 * failure is one line {@code lapse: …} (exit 1); its stack trace goes to {@code .lapse/lapse.log},
 * and to the console only with {@code LAPSE_DEBUG=1}.
 */
public final class Lapse {
  private static final Logger log = LoggerFactory.getLogger(Lapse.class);

  static final String USAGE =
      """
      usage: ./lapse up [--fresh] [--brokers N]  start Kafka, registry, expiry processor and API
                                                (--brokers 3: three Kafka brokers, one JVM each)
             ./lapse totp SECRET                current TOTP code of a Base32 secret
             ./lapse events TOPIC [--follow]    print a topic's events, decoded
             ./lapse timeline CHALLENGE_SID     every event of one challenge, across all topics
             ./lapse status [--watch SECONDS]   lag, pending challenges, lateness, dead letters
             ./lapse sdk-demo                   the walk-through with Twilio's Java SDK
             ./lapse api-key                    a new API key and its LAPSE_API_KEYS entry
             ./lapse soak [--cycles N] [--cycle-seconds S] [--rate R] [--processors 2|3]
                          [--broker-every K] [--seed X]
                                                the exactly-once soak: 3 brokers, 2-3 processors,
                                                a processor SIGKILLed per cycle, a broker every
                                                K-th (defaults: 3 cycles of 20 s, 1000 creates/s,
                                                3 processors, K 10); one summary line, exit 1 on
                                                any violation
             ./lapse load [--rate N] [--count N] expiry lateness of the running system, measured
                                                from outside (default 20 000 at 5 000/s, due 2–12 s)
             ./lapse load --http [--clients N] [--seconds S] [--totp-factors N] [--overload]
                                                HTTP latency at N closed-loop clients (default 16,
                                                15 s per phase): push create, TOTP verify, push
                                                approve; one line per phase. --overload: after the
                                                create phase, twice its rate open loop; shed and
                                                accepted latencies, time to recover, nothing
                                                accepted lost
             ./lapse reseal                     re-seal every TOTP seed under the newest
                                                LAPSE_SECRET_KEY (after a key rotation)
             ./lapse bench [--full]             the same expiry workload against Lapse, a full-scan
                                                punctuator, Redis TTL and a PostgreSQL poller, each
                                                started and stopped here; writes docs/benchmarks/
                                                (--full adds 1 000 000 pending and a 200 000 burst)
      """;

  private Lapse() {}

  public static void main(String[] args) {
    Path home = Path.of(System.getProperty("lapse.home", ".")).toAbsolutePath().resolve(".lapse");
    System.exit(run(home, Arrays.asList(args), System.getenv()));
  }

  /** Runs one command; returns the exit status (0 done, 1 failed, 2 wrong usage). */
  static int run(Path home, List<String> args, Map<String, String> env) {
    try {
      return dispatch(home, args, env);
    } catch (CliException e) {
      System.err.println("lapse: " + e.getMessage());
      if (e.status() == 2) {
        System.err.print(USAGE);
      }
      log.debug("command failed", e);
      return e.status();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 130;
    } catch (Exception e) {
      // Not a failure we foresaw: one line on the console, the whole story in the log file.
      log.error("command {} failed", args, e);
      System.err.println("lapse: " + e);
      if (env.containsKey("LAPSE_DEBUG")) {
        e.printStackTrace();
      } else {
        System.err.println("  (details in .lapse/lapse.log; LAPSE_DEBUG=1 prints them here)");
      }
      return 1;
    }
  }

  private static int dispatch(Path home, List<String> args, Map<String, String> env)
      throws IOException, InterruptedException {
    String command = args.isEmpty() ? "help" : args.get(0);
    List<String> rest = args.subList(Math.min(1, args.size()), args.size());
    return switch (command) {
      case "up" -> up(home, rest, env);
      case "totp" -> totp(rest);
      case "events" -> events(home, rest);
      case "timeline" -> timeline(home, rest);
      case "status" -> status(home, rest);
      case "sdk-demo" -> sdkDemo(home, rest, env);
      case "api-key" -> apiKey(rest);
      case "soak" -> soak(home, rest);
      case "load" -> load(home, rest, env);
      case "reseal" -> reseal(home, rest, env);
      case "bench" -> bench(home, rest);
      case "help", "-h", "--help" -> {
        System.out.print(USAGE);
        yield 0;
      }
      default -> throw CliException.usage("unknown command: " + command);
    };
  }

  private static int up(Path home, List<String> args, Map<String, String> env)
      throws IOException, InterruptedException {
    UpArguments up;
    try {
      up = UpArguments.parse(args);
    } catch (IllegalArgumentException e) {
      throw CliException.usage(e.getMessage());
    }
    Optional<RunningSystem> running = RunningSystem.find(home);
    if (running.isPresent()) {
      throw CliException.failed(
          "Lapse is already running here (pid "
              + running.get().pid()
              + ", API "
              + running.get().api()
              + "); stop it first: kill "
              + running.get().pid());
    }
    return new LocalSystem(home, up, env).run();
  }

  private static int totp(List<String> args) {
    if (args.size() != 1 || args.get(0).startsWith("-")) {
      throw CliException.usage("totp takes one Base32 secret");
    }
    try {
      System.out.println(TotpCodes.code(args.get(0), Instant.now()));
    } catch (IllegalArgumentException e) {
      throw CliException.failed("not a Base32 secret: " + args.get(0));
    }
    return 0;
  }

  private static int events(Path home, List<String> args) {
    boolean follow = false;
    String topic = null;
    for (String arg : args) {
      if (arg.equals("--follow")) {
        follow = true;
      } else if (arg.startsWith("-") || topic != null) {
        throw CliException.usage("unknown argument for events: " + arg);
      } else {
        topic = arg;
      }
    }
    if (topic == null) {
      throw CliException.usage("events needs a topic, e.g. ./lapse events challenge-expired");
    }
    RunningSystem system = RunningSystem.require(home);
    return EventTail.run(topic, follow, system.bootstrap(), system.registry());
  }

  private static int timeline(Path home, List<String> args) {
    if (args.size() != 1 || args.get(0).startsWith("-")) {
      throw CliException.usage("timeline takes one challenge SID (YC…)");
    }
    String sid = args.get(0);
    if (!sid.matches("YC[0-9a-f]{32}")) {
      throw CliException.failed("not a challenge SID (YC and 32 hex digits): " + sid);
    }
    RunningSystem system = RunningSystem.require(home);
    return Timeline.print(sid, system, System.out);
  }

  private static int status(Path home, List<String> args) throws InterruptedException {
    Duration watch = null;
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      String value;
      if (arg.equals("--watch")) {
        value = i + 1 < args.size() ? args.get(++i) : "";
      } else if (arg.startsWith("--watch=")) {
        value = arg.substring("--watch=".length());
      } else {
        throw CliException.usage("unknown argument for status: " + arg);
      }
      try {
        int seconds = Integer.parseInt(value);
        if (seconds < 1) {
          throw new NumberFormatException();
        }
        watch = Duration.ofSeconds(seconds);
      } catch (NumberFormatException e) {
        throw CliException.usage("--watch needs a number of seconds ≥ 1, got \"" + value + "\"");
      }
    }
    RunningSystem system = RunningSystem.require(home);
    return Status.run(system, watch, () -> RunningSystem.find(home).isPresent(), System.out);
  }

  /**
   * The account credentials of the running system: those in the environment, else those {@code
   * ./lapse up} wrote to {@code .lapse/credentials}.
   */
  private static CredentialsFile.Credentials credentials(Path home, Map<String, String> env)
      throws IOException {
    Optional<CredentialsFile.Credentials> stored =
        CredentialsFile.read(LocalSettings.credentialsFile(home));
    String account =
        env.getOrDefault(
            "LAPSE_ACCOUNT_SID", stored.map(CredentialsFile.Credentials::accountSid).orElse(null));
    String token =
        env.getOrDefault(
            "LAPSE_AUTH_TOKEN", stored.map(CredentialsFile.Credentials::authToken).orElse(null));
    if (account == null || token == null) {
      throw CliException.failed("no credentials in .lapse/credentials; restart with ./lapse up");
    }
    return new CredentialsFile.Credentials(account, token);
  }

  /** The walk-through with Twilio's SDK, with the credentials of the running system. */
  private static int sdkDemo(Path home, List<String> args, Map<String, String> env)
      throws IOException, InterruptedException {
    if (!args.isEmpty()) {
      throw CliException.usage("sdk-demo takes no arguments, got " + args);
    }
    RunningSystem system = RunningSystem.require(home);
    CredentialsFile.Credentials c = credentials(home, env);
    String account = c.accountSid();
    String token = c.authToken();
    try {
      SdkWalkthrough.main(new String[] {system.api(), account, token});
    } catch (RuntimeException e) {
      throw CliException.failed("the walk-through failed: " + e.getMessage(), e);
    }
    return 0;
  }

  /**
   * The exactly-once soak on a cluster of its own (in {@code .lapse/soak}, on free ports): exit 0
   * when every invariant held, 1 otherwise.
   */
  private static int soak(Path home, List<String> args) throws IOException, InterruptedException {
    SoakArguments soak;
    try {
      soak = SoakArguments.parse(args);
    } catch (IllegalArgumentException e) {
      throw CliException.usage(e.getMessage());
    }
    return new Soak(home.resolve("soak"), soak, System.out).run();
  }

  /**
   * Re-seals every TOTP seed of the running system under its newest {@code LAPSE_SECRET_KEY} (POST
   * /v2/Lapse/Reseal with the account's credentials) and prints what it did.
   */
  private static int reseal(Path home, List<String> args, Map<String, String> env)
      throws IOException, InterruptedException {
    if (!args.isEmpty()) {
      throw CliException.usage("reseal takes no arguments, got " + args);
    }
    RunningSystem system = RunningSystem.require(home);
    return Reseal.run(system.api(), credentials(home, env), System.out);
  }

  /**
   * A new API key: its SID and secret for the client (shown once, stored nowhere), and the {@code
   * LAPSE_API_KEYS} entry, which holds only the secret's SHA-256.
   */
  private static int apiKey(List<String> args) {
    if (!args.isEmpty()) {
      throw CliException.usage("api-key takes no arguments, got " + args);
    }
    ApiKeys.NewKey key = ApiKeys.generate();
    System.out.println("API key SID:    " + key.sid());
    System.out.println("API key secret: " + key.secret() + "   (shown once; Lapse keeps its hash)");
    System.out.println("LAPSE_API_KEYS entry (comma-separate several):");
    System.out.println(key.entry());
    return 0;
  }

  /**
   * The running system's challenge MAC keys, to sign the creates a command publishes itself: those
   * of the environment ({@code LAPSE_CHALLENGE_MAC_KEYS}, else {@code LAPSE_RESPONSE_MAC_KEYS}),
   * else those {@code ./lapse up} keeps in {@code .lapse/local.properties}.
   */
  private static AttemptMacKeys challengeKeys(Path home, Map<String, String> env)
      throws IOException {
    Properties stored = new Properties();
    Path file = home.resolve(LocalSettings.FILE);
    if (Files.exists(file)) {
      try (Reader in = Files.newBufferedReader(file)) {
        stored.load(in);
      }
    }
    for (String name :
        List.of(AttemptMacKeys.CHALLENGE_SETTING.name(), AttemptMacKeys.SETTING.name())) {
      String keys = env.getOrDefault(name, stored.getProperty(name));
      if (keys != null && !keys.isBlank()) {
        try {
          return AttemptMacKeys.parse(keys);
        } catch (IllegalArgumentException e) {
          throw CliException.failed(name + " is not valid: " + e.getMessage());
        }
      }
    }
    throw CliException.failed(
        "no MAC keys in .lapse/local.properties; restart with ./lapse up or set "
            + AttemptMacKeys.SETTING.name());
  }

  /**
   * The side-by-side benchmark ({@link Bench}); starts and stops its own contenders, so it needs no
   * running system, and writes {@code docs/benchmarks/} of this checkout.
   */
  private static int bench(Path home, List<String> args) throws IOException, InterruptedException {
    boolean full;
    try {
      full = Bench.parseFull(args);
    } catch (IllegalArgumentException e) {
      throw CliException.usage(e.getMessage());
    }
    return new Bench(home.getParent().resolve("docs").resolve("benchmarks"), full, System.out)
        .run();
  }

  /**
   * The expiry scenario against the running system ({@link ExpiryLoad}); prints one line and exits
   * 1 when an expiry was lost, duplicated or early.
   */
  private static int load(Path home, List<String> args, Map<String, String> env)
      throws IOException, InterruptedException {
    if (args.contains("--http")) {
      return httpLoad(home, args, env);
    }
    ExpiryLoad standard = ExpiryLoad.standard();
    int rate = standard.rate();
    int count = standard.count();
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (!arg.equals("--rate") && !arg.equals("--count")) {
        throw CliException.usage("unknown argument for load: " + arg);
      }
      int n = positiveNumber(arg, i + 1 < args.size() ? args.get(++i) : "");
      if (arg.equals("--rate")) {
        rate = n;
      } else {
        count = n;
      }
    }
    RunningSystem system = RunningSystem.require(home);
    ExpiryLoad load =
        new ExpiryLoad(rate, count, standard.minAhead(), standard.maxAhead(), standard.grace());
    System.out.printf(
        "load: %d challenges at %d/s, due %d–%d s ahead; observing challenge-expired%n",
        count, rate, standard.minAhead().toSeconds(), standard.maxAhead().toSeconds());
    Lateness.Summary summary =
        load.run(
            system.bootstrap(),
            system.registry(),
            TopicNames.fromEnv(System.getenv()),
            challengeKeys(home, env));
    System.out.println("load: " + summary.line());
    return summary.correct() ? 0 : 1;
  }

  /**
   * The HTTP goals' load ({@link HttpLoad}) against the running system: one line per phase; exit 1
   * when any timed request got an answer other than the expected one.
   */
  private static int httpLoad(Path home, List<String> args, Map<String, String> env)
      throws IOException, InterruptedException {
    HttpLoad.Settings standard = HttpLoad.Settings.standard();
    int clients = standard.clients();
    int seconds = (int) standard.phase().toSeconds();
    int totp = standard.totpFactorsPerClient();
    boolean overload = false;
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (arg.equals("--http")) {
        continue;
      }
      if (arg.equals("--overload")) {
        overload = true;
        continue;
      }
      if (!arg.equals("--clients") && !arg.equals("--seconds") && !arg.equals("--totp-factors")) {
        throw CliException.usage("unknown argument for load --http: " + arg);
      }
      int n = positiveNumber(arg, i + 1 < args.size() ? args.get(++i) : "");
      switch (arg) {
        case "--clients" -> clients = n;
        case "--seconds" -> seconds = n;
        default -> totp = n;
      }
    }
    RunningSystem system = RunningSystem.require(home);
    CredentialsFile.Credentials c = credentials(home, env);
    System.out.printf(
        "load --http: %d clients, %d s per phase (create, verify, approve) against %s%n",
        clients, seconds, system.api());
    HttpLoad.Result result =
        new HttpLoad(
                system.api(),
                c.accountSid(),
                c.authToken(),
                new HttpLoad.Settings(clients, Duration.ofSeconds(seconds), totp),
                ProcessHandle.of(system.pid()).orElse(null),
                System.out)
            .run(overload);
    boolean clean = result.phases().stream().allMatch(HttpPhase::clean);
    return clean && (result.overload() == null || result.overload().held()) ? 0 : 1;
  }

  /** The number after option {@code arg}; a usage error unless it is an integer ≥ 1. */
  private static int positiveNumber(String arg, String value) {
    int n;
    try {
      n = Integer.parseInt(value);
    } catch (NumberFormatException e) {
      n = 0;
    }
    if (n < 1) {
      throw CliException.usage(arg + " needs a number ≥ 1, got \"" + value + "\"");
    }
    return n;
  }
}
