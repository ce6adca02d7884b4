package io.lapse.service.support;

import io.lapse.contract.AttemptMacKeys;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * A fresh {@code LAPSE_RESPONSE_MAC_KEYS} for one test deployment: the service signs its attempts
 * with it, the processor (real, or {@link FakeDecider}) refuses any attempt not signed with it.
 */
public final class TestMacKeys {
  public static final String KEY_ID = "test-k1";

  private TestMacKeys() {}

  /** A new random key, written as the variable is. */
  public static String newEnvValue() {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    return KEY_ID + ":" + Base64.getEncoder().encodeToString(key);
  }

  /** A new random key. */
  public static AttemptMacKeys newKeys() {
    return AttemptMacKeys.parse(newEnvValue());
  }
}
