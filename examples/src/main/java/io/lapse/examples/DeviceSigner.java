package io.lapse.examples;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;

/**
 * What a phone running Twilio's Verify mobile SDKs (Android {@code AuthenticationProvider.kt}, iOS
 * {@code Authentication.swift}) signs with its P-256 key, for clients that play the phone: the load
 * generator and the tests. One implementation, so that both send what the SDKs send.
 */
public final class DeviceSigner {
  /** The lifetime the SDKs give a device token. */
  public static final Duration SDK_TOKEN_LIFETIME = Duration.ofMinutes(10);

  private DeviceSigner() {}

  /** A new P-256 (secp256r1) key pair, as the SDKs make one per push factor. */
  public static KeyPair newKeyPair() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"));
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("P-256 is part of every JDK", e);
    }
  }

  /**
   * The push factor's verification ({@code AuthPayload}): standard Base64 of the DER ECDSA-SHA256
   * signature over {@code text}, the factor SID.
   */
  public static String derSignature(KeyPair keys, String text) {
    try {
      Signature s = Signature.getInstance("SHA256withECDSA");
      s.initSign(keys.getPrivate());
      s.update(text.getBytes(StandardCharsets.UTF_8));
      return Base64.getEncoder().encodeToString(s.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA256withECDSA is part of every JDK", e);
    }
  }

  /**
   * The approval or denial the SDKs post for a push challenge: {@code payloadJson} (the fields
   * named in {@code Twilio-Verify-Signature-Fields}, as read, plus {@code status}) as an ES256 JWS
   * with {@code typ: JWT}, compact serialization.
   */
  public static String signJws(KeyPair keys, String payloadJson) {
    try {
      JWSObject jws =
          new JWSObject(
              new JWSHeader.Builder(JWSAlgorithm.ES256).type(JOSEObjectType.JWT).build(),
              new Payload(payloadJson));
      jws.sign(new ECDSASigner((ECPrivateKey) keys.getPrivate()));
      return jws.serialize();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * A device token exactly as an SDK signs it at {@code now}: {@code kid} = the factor's credential
   * SID, {@code cty = twilio-pba;v=1}; claims {@code sub} = the account SID, {@code nbf} = now,
   * {@code exp} = now + {@link #SDK_TOKEN_LIFETIME}. Sent as Basic {@code token:<jwt>}.
   */
  public static String sdkToken(
      KeyPair keys, String credentialSid, String accountSid, Instant now) {
    return deviceToken(
        keys,
        credentialSid,
        new JWTClaimsSet.Builder()
            .subject(accountSid)
            .notBeforeTime(Date.from(now))
            .expirationTime(Date.from(now.plus(SDK_TOKEN_LIFETIME)))
            .build());
  }

  /** A device token with the SDKs' header and the given claims (tests vary them). */
  public static String deviceToken(KeyPair keys, String credentialSid, JWTClaimsSet claims) {
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
}
