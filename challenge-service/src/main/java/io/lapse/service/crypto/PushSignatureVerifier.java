package io.lapse.service.crypto;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.text.ParseException;
import java.util.Base64;
import java.util.Optional;

/**
 * The push factor's cryptography, as the Verify mobile SDKs do it: an EC P-256 key given as
 * standard-Base64 X.509 SubjectPublicKeyInfo DER; enrolment proven by a DER ECDSA-SHA256 signature
 * over the factor SID; challenges answered with an ES256 JWS (checked with Nimbus, never parsed by
 * hand).
 */
public final class PushSignatureVerifier {
  private static final int P256_FIELD_BITS = 256;

  private PushSignatureVerifier() {}

  /**
   * Parses {@code Binding.PublicKey}.
   *
   * @throws IllegalArgumentException if it is not Base64 of an EC P-256 SubjectPublicKeyInfo
   */
  public static ECPublicKey parsePublicKey(String base64Der) {
    byte[] der;
    try {
      der = Base64.getDecoder().decode(base64Der.trim());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("public key is not standard Base64", e);
    }
    PublicKey key;
    try {
      key = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(der));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("not an X.509 EC public key", e);
    }
    if (!(key instanceof ECPublicKey ec)
        || ec.getParams().getCurve().getField().getFieldSize() != P256_FIELD_BITS) {
      throw new IllegalArgumentException("the public key must be on curve P-256 (ES256)");
    }
    return ec;
  }

  /** Checks the enrolment proof: standard-Base64 DER ECDSA-SHA256 signature over the factor SID. */
  public static boolean verifyFactorProof(
      ECPublicKey key, String factorSid, String base64DerSignature) {
    try {
      byte[] signature = Base64.getDecoder().decode(base64DerSignature.trim());
      Signature verifier = Signature.getInstance("SHA256withECDSA");
      verifier.initVerify(key);
      verifier.update(factorSid.getBytes(StandardCharsets.UTF_8));
      return verifier.verify(signature);
    } catch (IllegalArgumentException | GeneralSecurityException e) {
      // Malformed Base64 or DER is a failed proof, not a server error.
      return false;
    }
  }

  /**
   * Verifies a compact ES256 JWS with the factor's key.
   *
   * @return the payload JSON text if the JWS parses, declares ES256 and its signature is valid
   */
  public static Optional<String> verifiedJwsPayload(ECPublicKey key, String compactJws) {
    try {
      JWSObject jws = JWSObject.parse(compactJws.trim());
      if (!JWSAlgorithm.ES256.equals(jws.getHeader().getAlgorithm())) {
        return Optional.empty();
      }
      if (!jws.verify(new ECDSAVerifier(key))) {
        return Optional.empty();
      }
      return Optional.of(jws.getPayload().toString());
    } catch (ParseException | JOSEException | IllegalStateException e) {
      return Optional.empty();
    }
  }
}
