package io.lapse.contract;

import io.lapse.commands.v1.SettleChallenge;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;

/**
 * The proof that a {@link SettleChallenge} was written by the challenge service's outcome relay
 * from the arbiter's outcome: an HMAC-SHA256 under the response MAC keys ({@link AttemptMacKeys},
 * {@code LAPSE_RESPONSE_MAC_KEYS}, held by the challenge service and the expiry processor and no
 * one else), over the settlement's canonical encoding with its own domain label, so a MAC of an
 * attempt or a create is never valid for a settlement. A principal that can only write {@code
 * lapse-commands} cannot set a challenge's status in the owner's store
 * (docs/decisions/0009-partitioned-reads.md).
 *
 * <p>The encoding, integers big-endian, texts as {@code lp} (4-byte length, UTF-8; -1 for null):
 *
 * <pre>
 * lp("lapse-settle-v1") lp(requestId) issuedAt:int64 lp(serviceSid) lp(identity) lp(factorSid)
 * lp(challengeSid) lp(status) respondedAt:int64 (Long.MIN_VALUE for null) updatedAt:int64
 * metadata: as AttemptMac's (sorted by key bytes; -1 for null) lp(attemptId)
 * </pre>
 *
 * {@code macKeyId} and {@code mac} are not covered.
 */
public final class SettleMac {
  /** The domain label that starts every encoding of this layout. */
  public static final String DOMAIN_LABEL = "lapse-settle-v1";

  private SettleMac() {}

  /** The canonical encoding of {@code s}, the bytes the MAC is computed over. */
  public static byte[] canonical(SettleChallenge s) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      AttemptMac.text(out, DOMAIN_LABEL);
      AttemptMac.text(out, s.getRequestId());
      out.writeLong(millis(s.getIssuedAt()));
      AttemptMac.text(out, s.getServiceSid());
      AttemptMac.text(out, s.getIdentity());
      AttemptMac.text(out, s.getFactorSid());
      AttemptMac.text(out, s.getChallengeSid());
      AttemptMac.text(out, s.getStatus());
      out.writeLong(s.getRespondedAt() == null ? Long.MIN_VALUE : millis(s.getRespondedAt()));
      out.writeLong(millis(s.getUpdatedAt()));
      AttemptMac.metadata(out, s.getMetadata());
      AttemptMac.text(out, s.getAttemptId());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** HMAC-SHA256 of the canonical encoding of {@code settle} under {@code key}. */
  public static byte[] compute(byte[] key, SettleChallenge settle) {
    return AttemptMac.hmac(key, canonical(settle));
  }

  private static long millis(Instant t) {
    return t == null ? 0 : t.toEpochMilli();
  }
}
