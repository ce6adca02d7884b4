package io.lapse.service.domain;

import io.lapse.contract.AttemptMacKeys;
import io.lapse.events.v1.VerificationAttempted;
import io.lapse.service.crypto.Hkdf;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Names and signs the attempts the service submits to the expiry processor.
 *
 * <p><b>Attempt ids</b> are {@code "AT" + hex(HMAC-SHA256(k, "challenge" 0x00 sid 0x00
 * AuthPayload))}, cut to 32 hex digits: the same request (a client's retry) gets the same id on
 * every instance, and the id tells a reader of the topics nothing about the code, because {@code k}
 * is the service's alone: derived with HKDF from {@code LAPSE_SECRET_KEY} (the seed key, which only
 * the service holds), never given to the processor, which could otherwise try every code.
 *
 * <p><b>MACs</b> ({@link AttemptMacKeys}, {@code LAPSE_RESPONSE_MAC_KEYS}) prove to the processor
 * that the service wrote the attempt. Why both, and why this way: {@code
 * docs/decisions/0010-attempt-macs.md}.
 */
public final class AttemptSigner {
  /** The HKDF label of the attempt-id key: a new label makes a new key. */
  public static final String ATTEMPT_ID_INFO = "lapse-attempt-id-v1";

  private static final String HMAC = "HmacSHA256";
  private static final int ID_HEX_DIGITS = 32;

  private final SecretKeySpec idKey;
  private final AttemptMacKeys macKeys;

  /**
   * @param attemptIdKey the key of attempt ids (see {@link #attemptIdKeyFrom})
   * @param macKeys the keys of MACs; the first signs
   */
  public AttemptSigner(byte[] attemptIdKey, AttemptMacKeys macKeys) {
    this.idKey = new SecretKeySpec(attemptIdKey.clone(), HMAC);
    this.macKeys = macKeys;
  }

  /** The attempt-id key derived from the service's secret key ({@code LAPSE_SECRET_KEY}). */
  public static byte[] attemptIdKeyFrom(byte[] secretKey) {
    return Hkdf.derive(secretKey, ATTEMPT_ID_INFO, 32);
  }

  /** The id of an attempt on challenge {@code challengeSid} with {@code authPayload}. */
  public String attemptId(String challengeSid, String authPayload) {
    return id("challenge", challengeSid, authPayload);
  }

  /**
   * The id of a verification of factor {@code factorSid} with {@code authPayload}: a client's retry
   * of the same request is the same attempt, which the entity task answers as it did the first.
   */
  public String factorAttemptId(String factorSid, String authPayload) {
    return id("factor", factorSid, authPayload);
  }

  private String id(String kind, String sid, String authPayload) {
    try {
      Mac mac = Mac.getInstance(HMAC);
      mac.init(idKey);
      mac.update(kind.getBytes(StandardCharsets.UTF_8));
      mac.update((byte) 0);
      mac.update(sid.getBytes(StandardCharsets.UTF_8));
      mac.update((byte) 0);
      byte[] d = mac.doFinal(authPayload.getBytes(StandardCharsets.UTF_8));
      return "AT" + HexFormat.of().formatHex(d, 0, ID_HEX_DIGITS / 2);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA256 is unavailable", e);
    }
  }

  /** The attempt with its MAC, ready for {@code challenge-responses}. */
  public VerificationAttempted sign(VerificationAttempted attempt) {
    return macKeys.sign(attempt);
  }
}
