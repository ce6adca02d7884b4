package io.lapse.service.crypto;

import io.lapse.service.domain.Sids;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Twilio-style API keys ({@code SK…} with a secret), which log in wherever the account's auth token
 * does. Only the SHA-256 of each secret is configured ({@code SK<32 hex>:sha256:<64 hex>}), so the
 * configuration never holds a usable credential; a secret is compared by its digest in constant
 * time. The secrets are random (the {@code api-key} command makes them), so a plain hash is enough:
 * there is nothing to brute-force.
 */
public final class ApiKeys {
  public static final String PREFIX = "SK";
  private static final String SCHEME = "sha256";
  private static final HexFormat HEX = HexFormat.of();

  private final Map<String, byte[]> digests;

  private ApiKeys(Map<String, byte[]> digests) {
    this.digests = Map.copyOf(digests);
  }

  public static ApiKeys none() {
    return new ApiKeys(Map.of());
  }

  /**
   * Parses {@code SK…:sha256:<hex>} entries separated by commas (blank entries ignored).
   *
   * @throws IllegalArgumentException naming the first bad entry by its position, never its value
   */
  public static ApiKeys parse(String list) {
    Map<String, byte[]> digests = new LinkedHashMap<>();
    String[] entries = list.split(",", -1);
    for (int i = 0; i < entries.length; i++) {
      String entry = entries[i].strip();
      if (entry.isEmpty()) {
        continue;
      }
      String[] parts = entry.split(":", -1);
      if (parts.length != 3
          || !Sids.isValid(PREFIX, parts[0])
          || !SCHEME.equals(parts[1])
          || !parts[2].matches("[0-9a-fA-F]{64}")) {
        throw new IllegalArgumentException(
            "entry " + (i + 1) + " is not SK<32 hex digits>:sha256:<64 hex digits>");
      }
      if (digests.put(parts[0], HEX.parseHex(parts[2].toLowerCase(java.util.Locale.ROOT)))
          != null) {
        throw new IllegalArgumentException("entry " + (i + 1) + " repeats an API key SID");
      }
    }
    return new ApiKeys(digests);
  }

  /** Whether {@code sid:secret} is one of the configured keys. */
  public boolean accepts(String sid, String secret) {
    byte[] expected = digests.get(sid);
    // Hash even for an unknown SID, so the answer takes as long either way.
    byte[] given = sha256(secret);
    return expected != null && MessageDigest.isEqual(expected, given);
  }

  public int size() {
    return digests.size();
  }

  /** A new key: its SID, its secret, and the configuration entry that accepts it. */
  public record NewKey(String sid, String secret, String entry) {}

  /** Makes a new key with a 32-hex-digit random secret, as Twilio's secrets are. */
  public static NewKey generate() {
    byte[] b = new byte[16];
    new SecureRandom().nextBytes(b);
    String secret = HEX.formatHex(b);
    String sid = Sids.random(PREFIX);
    return new NewKey(sid, secret, entryFor(sid, secret));
  }

  /** The configuration entry of {@code sid} with {@code secret}. */
  public static String entryFor(String sid, String secret) {
    return sid + ":" + SCHEME + ":" + HEX.formatHex(sha256(secret));
  }

  private static byte[] sha256(String secret) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JRE", e);
    }
  }

  @Override
  public String toString() {
    return "ApiKeys[" + digests.size() + " keys]";
  }
}
