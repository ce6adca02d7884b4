package io.lapse.contract;

import io.lapse.commands.v1.SettleChallenge;
import io.lapse.config.ConfigType;
import io.lapse.config.Setting;
import io.lapse.events.v1.ChallengeCreated;
import io.lapse.events.v1.VerificationAttempted;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The keys that sign and check {@link VerificationAttempted} records ({@link AttemptMac}), shared
 * by the challenge service and the expiry processor and by no one else: the service signs with the
 * first key, the processor accepts a MAC under any listed key, so a key is rotated without a moment
 * in which genuine attempts are refused (the procedure is in the README, "Security").
 *
 * <p>Written {@code id:base64,id:base64,…}: ids of 1 to 64 letters, digits, {@code . _ -}, each
 * listed once; each key at least {@link #MIN_KEY_BYTES} bytes. Never printed: {@link #toString()}
 * shows the ids only.
 */
public final class AttemptMacKeys {
  /** The shortest key accepted: HMAC-SHA256's own output length. */
  public static final int MIN_KEY_BYTES = 32;

  private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  /**
   * The keys of the MACs on {@code challenge-created} ({@link ChallengeMac}), when they are to
   * differ from {@link #SETTING}'s: a producer of challenges given its own key (another team's
   * service) can then create challenges but never answer one. Unset: the keys of {@link #SETTING}.
   */
  public static final Setting<AttemptMacKeys> CHALLENGE_SETTING =
      Setting.of(
              "LAPSE_CHALLENGE_MAC_KEYS",
              ConfigType.secret(
                  "comma-separated id:base64 pairs, ids unique, each key at least "
                      + MIN_KEY_BYTES
                      + " bytes",
                  AttemptMacKeys::parse))
          .whenUnset("the keys of `LAPSE_RESPONSE_MAC_KEYS`")
          .doc(
              "keys of the MACs on `challenge-created`, `id:base64,…` as"
                  + " `LAPSE_RESPONSE_MAC_KEYS`: the challenge service signs its creates with the"
                  + " first, the processor accepts a create signed with any listed and"
                  + " dead-letters others; set it to give another producer of challenges a key of"
                  + " its own that cannot sign attempts");

  /** The one declaration both services list in their configuration. */
  public static final Setting<AttemptMacKeys> SETTING =
      Setting.of(
              "LAPSE_RESPONSE_MAC_KEYS",
              ConfigType.secret(
                  "comma-separated id:base64 pairs, ids unique, each key at least "
                      + MIN_KEY_BYTES
                      + " bytes",
                  AttemptMacKeys::parse))
          .required()
          .doc(
              "keys of the MACs on `challenge-responses`, `id:base64,…`, each at least 32 random"
                  + " bytes (`k1:$(openssl rand -base64 32)`), the same list in both services: the"
                  + " challenge service signs with the first, the processor accepts any listed;"
                  + " both refuse to start without it (`./lapse up` makes one)");

  /** The outcome of checking an attempt's MAC. */
  public enum Verdict {
    /** Signed under a listed key, and the MAC matches. */
    VALID,
    /** No key id or no MAC. */
    MISSING,
    /** A key id that is not listed. */
    KEY_UNKNOWN,
    /**
     * A listed key id, but the MAC does not match: forged, tampered, or signed with another key.
     */
    INVALID
  }

  private final Map<String, byte[]> keys;
  private final String signingId;

  private AttemptMacKeys(Map<String, byte[]> keys) {
    if (keys.isEmpty()) {
      throw new IllegalArgumentException("no key");
    }
    this.keys = keys;
    this.signingId = keys.keySet().iterator().next();
  }

  /**
   * Parses {@code id:base64,…}.
   *
   * @throws IllegalArgumentException for an empty list, a malformed pair, an id listed twice, or a
   *     key shorter than {@link #MIN_KEY_BYTES} (the message never contains key material)
   */
  public static AttemptMacKeys parse(String text) {
    Map<String, byte[]> keys = new LinkedHashMap<>();
    for (String pair : text.strip().split(",", -1)) {
      int colon = pair.indexOf(':');
      if (colon < 0) {
        throw new IllegalArgumentException("a key is not written id:base64");
      }
      String id = pair.substring(0, colon).strip();
      byte[] key;
      try {
        key = Base64.getDecoder().decode(pair.substring(colon + 1).strip());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("key " + safeId(id) + " is not Base64");
      }
      add(keys, id, key);
    }
    return new AttemptMacKeys(keys);
  }

  /** One key, which signs (tests, and programs that hold the bytes). */
  public static AttemptMacKeys of(String id, byte[] key) {
    Map<String, byte[]> keys = new LinkedHashMap<>();
    add(keys, id, key);
    return new AttemptMacKeys(keys);
  }

  /** These keys and one more, listed last: accepted, never signing. */
  public AttemptMacKeys accepting(String id, byte[] key) {
    Map<String, byte[]> more = new LinkedHashMap<>(keys);
    add(more, id, key);
    return new AttemptMacKeys(more);
  }

  private static void add(Map<String, byte[]> keys, String id, byte[] key) {
    if (!ID.matcher(id).matches()) {
      throw new IllegalArgumentException(
          "key id " + safeId(id) + " must be 1 to 64 letters, digits, '.', '_' or '-'");
    }
    if (key.length < MIN_KEY_BYTES) {
      throw new IllegalArgumentException(
          "key " + id + " has " + key.length + " bytes, at least " + MIN_KEY_BYTES + " needed");
    }
    if (keys.putIfAbsent(id, key.clone()) != null) {
      throw new IllegalArgumentException("key id " + id + " is listed twice");
    }
  }

  private static String safeId(String id) {
    return ID.matcher(id).matches() ? id : "\"(malformed)\"";
  }

  /** The id of the key that signs. */
  public String signingKeyId() {
    return signingId;
  }

  /** The listed key ids, the signing one first. */
  public List<String> ids() {
    return new ArrayList<>(keys.keySet());
  }

  /** A copy of {@code attempt} signed with the first key ({@code macKeyId} and {@code mac} set). */
  public VerificationAttempted sign(VerificationAttempted attempt) {
    byte[] mac = AttemptMac.compute(keys.get(signingId), attempt);
    return VerificationAttempted.newBuilder(attempt)
        .setMacKeyId(signingId)
        .setMac(ByteBuffer.wrap(mac))
        .build();
  }

  /** Checks the attempt's MAC against the listed keys. */
  public Verdict verify(VerificationAttempted attempt) {
    return verify(attempt.getMacKeyId(), attempt.getMac(), k -> AttemptMac.compute(k, attempt));
  }

  /**
   * A copy of {@code created} signed with the first key ({@code macKeyId} and {@code mac} set over
   * {@link ChallengeMac}'s encoding, whose own label keeps it apart from attempt MACs).
   */
  public ChallengeCreated sign(ChallengeCreated created) {
    byte[] mac = ChallengeMac.compute(keys.get(signingId), created);
    return ChallengeCreated.newBuilder(created)
        .setMacKeyId(signingId)
        .setMac(ByteBuffer.wrap(mac))
        .build();
  }

  /** Checks the create's MAC against the listed keys. */
  public Verdict verify(ChallengeCreated created) {
    return verify(created.getMacKeyId(), created.getMac(), k -> ChallengeMac.compute(k, created));
  }

  /**
   * A copy of {@code settle} signed with the first key ({@code macKeyId} and {@code mac} set over
   * {@link SettleMac}'s encoding, whose own label keeps it apart from attempt and create MACs).
   */
  public SettleChallenge sign(SettleChallenge settle) {
    byte[] mac = SettleMac.compute(keys.get(signingId), settle);
    return SettleChallenge.newBuilder(settle)
        .setMacKeyId(signingId)
        .setMac(ByteBuffer.wrap(mac))
        .build();
  }

  /** Checks the settlement's MAC against the listed keys. */
  public Verdict verify(SettleChallenge settle) {
    return verify(settle.getMacKeyId(), settle.getMac(), k -> SettleMac.compute(k, settle));
  }

  private Verdict verify(CharSequence keyId, ByteBuffer mac, Function<byte[], byte[]> expected) {
    if (keyId == null || mac == null) {
      return Verdict.MISSING;
    }
    byte[] key = keys.get(keyId.toString());
    if (key == null) {
      return Verdict.KEY_UNKNOWN;
    }
    ByteBuffer given = mac.duplicate();
    byte[] bytes = new byte[given.remaining()];
    given.get(bytes);
    return MessageDigest.isEqual(expected.apply(key), bytes) ? Verdict.VALID : Verdict.INVALID;
  }

  /** The ids only: key material is never printed. */
  @Override
  public String toString() {
    return "AttemptMacKeys" + keys.keySet();
  }
}
