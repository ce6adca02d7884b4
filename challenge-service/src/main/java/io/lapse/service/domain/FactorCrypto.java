package io.lapse.service.domain;

import io.lapse.service.crypto.PushSignatureVerifier;
import io.lapse.service.crypto.SecretCipher;
import io.lapse.service.crypto.TotpAlgorithm;
import io.lapse.service.crypto.TotpVerifier;
import io.lapse.state.v1.FactorSnapshot;
import java.nio.ByteBuffer;
import java.security.interfaces.ECPublicKey;
import java.time.Instant;
import java.util.Optional;

/**
 * The checks a factor's credentials allow: TOTP codes (with the seed decrypted only for the check)
 * and push signatures (with the factor's stored public key).
 */
public final class FactorCrypto {
  private final SecretCipher cipher;

  public FactorCrypto(SecretCipher cipher) {
    this.cipher = cipher;
  }

  /** Encrypts a new TOTP seed for the factor's snapshot. */
  public void sealTotpSecret(FactorSnapshot.Builder factor, String factorSid, byte[] secret) {
    factor.setTotpSecretCiphertext(ByteBuffer.wrap(cipher.encrypt(secret, factorSid)));
    factor.setTotpSecretKeyId(cipher.keyId());
  }

  public byte[] totpSecret(FactorSnapshot factor) {
    ByteBuffer buf = factor.getTotpSecretCiphertext().duplicate();
    byte[] sealed = new byte[buf.remaining()];
    buf.get(sealed);
    return cipher.decrypt(sealed, factor.getSid(), factor.getTotpSecretKeyId());
  }

  public static TotpVerifier.Params totpParams(FactorSnapshot factor) {
    return new TotpVerifier.Params(
        TotpAlgorithm.fromTwilioName(factor.getTotpAlg()).orElse(TotpAlgorithm.SHA1),
        factor.getTotpCodeLength(),
        factor.getTotpTimeStep(),
        factor.getTotpSkew());
  }

  /** True if {@code code} is the factor's TOTP code at {@code now} (within its skew). */
  public boolean totpMatches(FactorSnapshot factor, String code, Instant now) {
    return TotpVerifier.verify(totpSecret(factor), totpParams(factor), code, now);
  }

  public static ECPublicKey pushKey(FactorSnapshot factor) {
    return PushSignatureVerifier.parsePublicKey(factor.getBindingPublicKey());
  }

  /** The push enrolment proof: a DER signature over the factor SID. */
  public static boolean pushProofMatches(FactorSnapshot factor, String base64DerSignature) {
    return PushSignatureVerifier.verifyFactorProof(
        pushKey(factor), factor.getSid(), base64DerSignature);
  }

  /** The payload of a push approval JWS if the factor's key signed it. */
  public static Optional<String> pushJwsPayload(FactorSnapshot factor, String jws) {
    return PushSignatureVerifier.verifiedJwsPayload(pushKey(factor), jws);
  }
}
