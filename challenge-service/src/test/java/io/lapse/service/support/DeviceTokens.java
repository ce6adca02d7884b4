package io.lapse.service.support;

import io.lapse.examples.DeviceSigner;
import java.security.KeyPair;
import java.time.Instant;

/**
 * Device tokens as the Verify mobile SDKs sign them ({@link DeviceSigner#sdkToken}), for the test
 * fixture's account, and the client that sends one.
 */
public final class DeviceTokens {
  private DeviceTokens() {}

  /** A token exactly as an SDK signs it at {@code now}, for the test fixture's account. */
  public static String sdkToken(KeyPair keys, String credentialSid, Instant now) {
    return DeviceSigner.sdkToken(keys, credentialSid, ApiFixture.ACCOUNT_SID, now);
  }

  /** A client that sends Basic {@code token:<jwt>}, as the SDKs do. */
  public static HttpTestClient client(String baseUrl, String jwt) {
    return new HttpTestClient(baseUrl, "token", jwt);
  }
}
