package io.lapse.expiry.harness;

import io.lapse.contract.AttemptMacKeys;
import io.lapse.events.v1.ChallengeCreated;
import io.lapse.events.v1.VerificationAttempted;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/**
 * The MAC key of test deployments, and the helper that signs attempts with it as the challenge
 * service does: anything a test produces to {@code challenge-responses} must be signed, or the
 * processor dead-letters it ({@code LAPSE_RESPONSE_MAC_KEYS}).
 */
public final class TestKeys {
  public static final String KEY_ID = "test-k1";

  private static final byte[] KEY =
      Arrays.copyOf("lapse test MAC key, never in production".getBytes(StandardCharsets.UTF_8), 32);

  /** The keys a test processor accepts, and the one the tests sign with. */
  public static final AttemptMacKeys MAC_KEYS = AttemptMacKeys.of(KEY_ID, KEY);

  /** {@code LAPSE_RESPONSE_MAC_KEYS} of a test deployment. */
  public static final String MAC_KEYS_ENV = KEY_ID + ":" + Base64.getEncoder().encodeToString(KEY);

  private TestKeys() {}

  /** A copy of the key's bytes (tests of rotation list it beside another). */
  public static byte[] key() {
    return KEY.clone();
  }

  /** The create signed as the challenge service signs it. */
  public static ChallengeCreated signed(ChallengeCreated created) {
    return MAC_KEYS.sign(created);
  }

  /** The attempt signed as the challenge service signs it. */
  public static VerificationAttempted signed(VerificationAttempted attempt) {
    return MAC_KEYS.sign(attempt);
  }
}
