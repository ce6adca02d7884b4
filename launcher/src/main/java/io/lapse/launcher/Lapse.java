package io.lapse.launcher;

import io.lapse.examples.SdkWalkthrough;
import io.lapse.examples.TotpCodes;
import io.lapse.infra.LocalInfra;
import io.lapse.service.CredentialsFile;
import io.lapse.service.crypto.ApiKeys;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Entry point of the {@code ./lapse} script.
 *
 * <ul>
 *   <li>{@code up [--fresh] [--brokers N]}: the whole system locally ({@link LocalSystem}, {@link
 *       UpArguments})
 *   <li>{@code totp SECRET}: the current TOTP code of a Base32 secret
 *   <li>{@code events TOPIC [--follow]}: a topic's records, decoded ({@link EventTail})
 *   <li>{@code sdk-demo}: the walk-through with Twilio's Java SDK against the running system
 * </ul>
 */
public final class Lapse {
  private Lapse() {}

  public static void main(String[] args) throws IOException, InterruptedException {
    Path home = Path.of(System.getProperty("lapse.home", ".")).toAbsolutePath().resolve(".lapse");
    Map<String, String> env = System.getenv();
    List<String> rest = Arrays.asList(args).subList(Math.min(1, args.length), args.length);
    int status =
        switch (args.length == 0 ? "help" : args[0]) {
          case "up" -> up(home, rest, env);
          case "totp" -> totp(rest);
          case "events" -> events(rest, env);
          case "sdk-demo" -> sdkDemo(home, env);
          case "api-key" -> apiKey();
          default -> usage();
        };
    System.exit(status);
  }

  private static int up(Path home, List<String> args, Map<String, String> env)
      throws IOException, InterruptedException {
    UpArguments up;
    try {
      up = UpArguments.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("lapse: " + e.getMessage());
      return usage();
    }
    return new LocalSystem(home, up, env).run();
  }

  private static int totp(List<String> args) {
    if (args.size() != 1) {
      System.err.println("usage: ./lapse totp BASE32_SECRET");
      return 2;
    }
    System.out.println(TotpCodes.code(args.get(0), Instant.now()));
    return 0;
  }

  private static int events(List<String> args, Map<String, String> env) {
    if (args.isEmpty()) {
      System.err.println("usage: ./lapse events TOPIC [--follow]");
      return 2;
    }
    String bootstrap =
        "127.0.0.1:" + env.getOrDefault("LAPSE_KAFKA_PORT", "" + LocalInfra.KAFKA_PORT);
    String registry =
        "http://127.0.0.1:"
            + env.getOrDefault("LAPSE_REGISTRY_PORT", "" + LocalInfra.REGISTRY_PORT)
            + "/apis/ccompat/v7";
    return EventTail.run(args.get(0), args.contains("--follow"), bootstrap, registry);
  }

  /**
   * The walk-through with Twilio's SDK, with the credentials of the running system: those in the
   * environment, else those {@code ./lapse up} wrote to {@code .lapse/credentials}.
   */
  private static int sdkDemo(Path home, Map<String, String> env)
      throws IOException, InterruptedException {
    Optional<CredentialsFile.Credentials> stored =
        CredentialsFile.read(LocalSettings.credentialsFile(home));
    String account =
        env.getOrDefault(
            "LAPSE_ACCOUNT_SID", stored.map(CredentialsFile.Credentials::accountSid).orElse(null));
    String token =
        env.getOrDefault(
            "LAPSE_AUTH_TOKEN", stored.map(CredentialsFile.Credentials::authToken).orElse(null));
    if (account == null || token == null) {
      System.err.println("lapse: no credentials; start the system with ./lapse up first");
      return 1;
    }
    String api = "http://127.0.0.1:" + env.getOrDefault("HTTP_PORT", "8080");
    SdkWalkthrough.main(new String[] {api, account, token});
    return 0;
  }

  /**
   * A new API key: its SID and secret for the client (shown once, stored nowhere), and the {@code
   * LAPSE_API_KEYS} entry, which holds only the secret's SHA-256.
   */
  private static int apiKey() {
    ApiKeys.NewKey key = ApiKeys.generate();
    System.out.println("API key SID:    " + key.sid());
    System.out.println("API key secret: " + key.secret() + "   (shown once; Lapse keeps its hash)");
    System.out.println("LAPSE_API_KEYS entry (comma-separate several):");
    System.out.println(key.entry());
    return 0;
  }

  private static int usage() {
    System.err.println(
        """
        usage: ./lapse up [--fresh] [--brokers N]  start Kafka, registry, expiry processor and API
                                                  (--brokers 3: three Kafka brokers, one JVM each)
               ./lapse totp SECRET                current TOTP code of a Base32 secret
               ./lapse events TOPIC [--follow]    print a topic's events, decoded
               ./lapse sdk-demo                   the walk-through with Twilio's Java SDK
               ./lapse api-key                    a new API key and its LAPSE_API_KEYS entry
        """);
    return 2;
  }
}
