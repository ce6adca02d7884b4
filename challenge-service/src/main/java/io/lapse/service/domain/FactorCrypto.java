package io.lapse.service.domain;

import io.lapse.contract.TwilioError;
import io.lapse.service.crypto.PushSignatureVerifier;
import io.lapse.service.crypto.SecretCipher;
import io.lapse.service.crypto.TotpAlgorithm;
import io.lapse.service.crypto.TotpVerifier;
import io.lapse.state.v1.FactorSnapshot;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.ECPublicKey;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The checks a factor's credentials allow: TOTP codes (with the seed decrypted only for the check)
 * and push signatures (with the factor's stored public key).
 *
 * <p>A seed that cannot be used is answered with a clear error instead of a stack trace: one this
 * instance cannot decrypt (sealed under another {@code LAPSE_SECRET_KEY}, or damaged) is a fault of
 * the deployment, 500 with a message saying so and the factor named in the log; one shorter than
 * {@link #MIN_SEED_BYTES} (enrolled before that rule) is the factor's fault, 400 {@link
 * TwilioError#INVALID_BINDING}, and the factor must be enrolled again.
 */
public final class FactorCrypto {
  private static final Logger LOG = LoggerFactory.getLogger(FactorCrypto.class);

  /** 128 bits, RFC 4226's minimum for an HOTP/TOTP shared secret. */
  public static final int MIN_SEED_BYTES = 16;

  private final SecretCipher cipher;

  public FactorCrypto(SecretCipher cipher) {
    this.cipher = cipher;
  }

  /** Encrypts a new TOTP seed for the factor's snapshot. */
  public void sealTotpSecret(FactorSnapshot.Builder factor, String factorSid, byte[] secret) {
    factor.setTotpSecretCiphertext(ByteBuffer.wrap(cipher.encrypt(secret, factorSid)));
    factor.setTotpSecretKeyId(cipher.keyId());
  }

  /**
   * The factor's TOTP seed.
   *
   * @throws ApiError 500 with an explanation if this instance cannot decrypt it
   */
  /** The id of the newest key, the one that seals. */
  public String keyId() {
    return cipher.keyId();
  }

  public byte[] totpSecret(FactorSnapshot factor) {
    try {
      ByteBuffer buf = factor.getTotpSecretCiphertext().duplicate();
      byte[] sealed = new byte[buf.remaining()];
      buf.get(sealed);
      return cipher.decrypt(sealed, factor.getSid(), factor.getTotpSecretKeyId());
    } catch (RuntimeException e) {
      LOG.error("TOTP seed of factor {} cannot be decrypted: {}", factor.getSid(), e.getMessage());
      throw new ApiError(
          TwilioError.INTERNAL_SERVER_ERROR,
          TwilioError.INTERNAL_SERVER_ERROR.message()
              + ": this factor's TOTP seed cannot be decrypted with the server's secret key;"
              + " the operator must restore the key it was sealed with");
    }
  }

  /** The factor's TOTP seed, or empty if this instance cannot decrypt it (already logged). */
  Optional<byte[]> readableTotpSecret(FactorSnapshot factor) {
    try {
      return Optional.of(totpSecret(factor));
    } catch (ApiError e) {
      return Optional.empty();
    }
  }

  /** The factor's own TOTP parameters, its own skew included. */
  public static TotpVerifier.Params totpParams(FactorSnapshot factor) {
    return totpParams(factor, factor.getTotpSkew());
  }

  /** The factor's TOTP parameters with the skew a policy allows. */
  static TotpVerifier.Params totpParams(FactorSnapshot factor, int skew) {
    return new TotpVerifier.Params(
        TotpAlgorithm.fromTwilioName(factor.getTotpAlg()).orElse(TotpAlgorithm.SHA1),
        factor.getTotpCodeLength(),
        factor.getTotpTimeStep(),
        skew);
  }

  /**
   * True if {@code code} is the factor's TOTP code at {@code now}, within {@code skew} steps.
   *
   * @throws ApiError if the seed cannot be decrypted (500) or is too short to be trusted (400)
   */
  public boolean totpMatches(FactorSnapshot factor, int skew, String code, Instant now) {
    return totpMatchedSteps(factor, skew, code, now).length > 0;
  }

  /**
   * The starts (epoch seconds) of the time steps within {@code skew} steps of {@code now} whose
   * code is {@code code}; empty for a wrong code. The factor's single writer accepts a step only if
   * it is later than the last one it accepted (docs/decisions/0008-single-writers-on-the-log.md).
   *
   * @throws ApiError if the seed cannot be decrypted (500) or is too short to be trusted (400)
   */
  public long[] totpMatchedSteps(FactorSnapshot factor, int skew, String code, Instant now) {
    byte[] seed = totpSecret(factor);
    if (seed.length < MIN_SEED_BYTES) {
      throw ApiError.invalidBinding(
          "the factor's TOTP secret is shorter than 128 bits; delete the factor and enrol it"
              + " again");
    }
    return TotpVerifier.matchedStepStarts(seed, totpParams(factor, skew), code, now);
  }

  /**
   * Identifies a TOTP seed among an entity's factors without revealing it: a MAC under a key
   * derived from the server's secret key, so the log never carries a digest that could be tested
   * against guessed seeds.
   */
  public byte[] totpBindingDigest(byte[] seed) {
    return cipher.mac("lapse-totp-binding-v1", seed);
  }

  /** Identifies a push factor's public key (as given, trimmed) among an entity's factors. */
  public static byte[] pushBindingDigest(String publicKey) {
    try {
      return MessageDigest.getInstance("SHA-256")
          .digest(("lapse-push-binding-v1\0" + publicKey.trim()).getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
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
