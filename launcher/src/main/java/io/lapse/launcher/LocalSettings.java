package io.lapse.launcher;

import io.lapse.contract.AttemptMacKeys;
import io.lapse.service.CredentialsFile;
import io.lapse.service.ServiceConfig;
import io.lapse.service.domain.Sids;
import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.Properties;

/**
 * The credentials and keys of a local run. Taken from the environment when set (the challenge
 * service's {@link ServiceConfig#ACCOUNT_SID}, {@link ServiceConfig#AUTH_TOKEN}, {@link
 * ServiceConfig#SECRET_KEY}, the key between instances, {@link ServiceConfig#CLUSTER_KEY}, and the
 * MAC keys both services share, {@link AttemptMacKeys#SETTING}); otherwise generated once and kept
 * in {@code .lapse/local.properties}, because the TOTP seeds on the broker are encrypted with that
 * key and the next run must read them back (and a challenge answered across a restart must be
 * signed with a key the processor still has).
 *
 * <p>The account SID and token of the run are also written to {@code .lapse/credentials} ({@link
 * CredentialsFile}: {@code ACCOUNT_SID:AUTH_TOKEN}, as {@code curl -u} takes them), which the
 * walk-through and {@code ./lapse sdk-demo} read: the token is never printed. Both files are
 * readable by their owner only from the moment they exist.
 */
record LocalSettings(
    String accountSid,
    String authToken,
    String secretKey,
    String responseMacKeys,
    String clusterKey) {
  static final String FILE = "local.properties";
  static final String CREDENTIALS = "credentials";

  static LocalSettings loadOrCreate(Path home, Map<String, String> env) throws IOException {
    Path file = home.resolve(FILE);
    Properties stored = new Properties();
    if (Files.exists(file)) {
      try (Reader in = Files.newBufferedReader(file)) {
        stored.load(in);
      }
    }
    SecureRandom random = new SecureRandom();
    String account =
        pick(env, stored, ServiceConfig.ACCOUNT_SID.name(), () -> Sids.random(Sids.ACCOUNT));
    String token = pick(env, stored, ServiceConfig.AUTH_TOKEN.name(), () -> hex(random, 16));
    String key =
        pick(
            env,
            stored,
            ServiceConfig.SECRET_KEY.name(),
            () -> Base64.getEncoder().encodeToString(bytes(random, 32)));
    String macKeys =
        pick(
            env,
            stored,
            AttemptMacKeys.SETTING.name(),
            () -> "local1:" + Base64.getEncoder().encodeToString(bytes(random, 32)));
    // Authenticates requests between instances: a second instance started by hand on this
    // system (the standalone main) takes it from this file.
    String clusterKey =
        pick(
            env,
            stored,
            ServiceConfig.CLUSTER_KEY.name(),
            () -> Base64.getEncoder().encodeToString(bytes(random, 32)));
    StringWriter text = new StringWriter();
    stored.store(
        text, "Lapse local run: credentials, TOTP seed key and attempt MAC keys (keep private)");
    CredentialsFile.writeOwnerOnly(file, text.toString());
    CredentialsFile.write(home.resolve(CREDENTIALS), account, token);
    return new LocalSettings(account, token, key, macKeys, clusterKey);
  }

  /** The file the walk-through and {@code ./lapse sdk-demo} read the credentials from. */
  static Path credentialsFile(Path home) {
    return home.resolve(CREDENTIALS);
  }

  /** The token and the key are not part of the text form. */
  @Override
  public String toString() {
    return "LocalSettings[accountSid="
        + accountSid
        + ", authToken=****, secretKey=****, responseMacKeys=****, clusterKey=****]";
  }

  private static String pick(
      Map<String, String> env,
      Properties stored,
      String name,
      java.util.function.Supplier<String> generate) {
    String value = env.get(name);
    if (value == null || value.isBlank()) {
      value = stored.getProperty(name);
    }
    if (value == null || value.isBlank()) {
      value = generate.get();
    }
    stored.setProperty(name, value);
    return value;
  }

  private static byte[] bytes(SecureRandom random, int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }

  private static String hex(SecureRandom random, int n) {
    return HexFormat.of().formatHex(bytes(random, n));
  }
}
