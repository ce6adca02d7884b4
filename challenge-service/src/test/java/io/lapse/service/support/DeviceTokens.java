package io.lapse.service.support;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.security.KeyPair;
import java.security.interfaces.ECPrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

/**
 * Device tokens as the Verify mobile SDKs sign them (Android {@code AuthenticationProvider.kt}, iOS
 * {@code Authentication.swift}): header {@code kid} = the factor's credential SID, {@code cty =
 * twilio-pba;v=1}; claims {@code sub} = the account SID, {@code nbf} = now, {@code exp} = now + 10
 * minutes. Tests vary the claims to probe what the service refuses.
 */
public final class DeviceTokens {
  /** The lifetime the SDKs give a token. */
  public static final Duration SDK_LIFETIME = Duration.ofMinutes(10);

  private DeviceTokens() {}

  /** A token exactly as an SDK signs it at {@code now}, for the test fixture's account. */
  public static String sdkToken(KeyPair keys, String credentialSid, Instant now) {
    return sdkToken(keys, credentialSid, ApiFixture.ACCOUNT_SID, now);
  }

  /** A token exactly as an SDK signs it at {@code now}. */
  public static String sdkToken(
      KeyPair keys, String credentialSid, String accountSid, Instant now) {
    return sign(
        keys,
        credentialSid,
        new JWTClaimsSet.Builder()
            .subject(accountSid)
            .notBeforeTime(Date.from(now))
            .expirationTime(Date.from(now.plus(SDK_LIFETIME)))
            .build());
  }

  /** A token with the given claims. */
  public static String sign(KeyPair keys, String credentialSid, JWTClaimsSet claims) {
    try {
      SignedJWT jwt =
          new SignedJWT(
              new JWSHeader.Builder(JWSAlgorithm.ES256)
                  .keyID(credentialSid)
                  .type(JOSEObjectType.JWT)
                  .contentType("twilio-pba;v=1")
                  .build(),
              claims);
      jwt.sign(new ECDSASigner((ECPrivateKey) keys.getPrivate()));
      return jwt.serialize();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A client that sends Basic {@code token:<jwt>}, as the SDKs do. */
  public static HttpTestClient client(String baseUrl, String jwt) {
    return new HttpTestClient(baseUrl, "token", jwt);
  }
}
