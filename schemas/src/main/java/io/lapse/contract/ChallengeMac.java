package io.lapse.contract;

import io.lapse.events.v1.ChallengeCreated;
import io.lapse.events.v1.DetailField;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;

/**
 * The proof that a {@link ChallengeCreated} was written by a trusted producer (the challenge
 * service's entity task, or a producer given a key): an HMAC-SHA256 over the create's <b>canonical
 * encoding</b>, as {@link AttemptMac} does for attempts, with its own domain label, so a MAC of one
 * kind is never valid for the other under the same key. Keys: {@link AttemptMacKeys} (the keys of
 * {@code LAPSE_CHALLENGE_MAC_KEYS}, by default those of {@code LAPSE_RESPONSE_MAC_KEYS}).
 *
 * <p>The encoding, integers big-endian, texts as {@code lp} (4-byte length, UTF-8; -1 for null):
 *
 * <pre>
 * lp("lapse-challenge-v1") lp(sid) lp(accountSid) lp(serviceSid) lp(entitySid) lp(identity)
 * lp(factorSid) lp(factorType) createdAt:int64 expirationDate:int64 (epoch ms)
 * lp(detailsMessage) detailsFields: int32 count, then lp(label) lp(value) each, in order
 * detailsDate: int64 (epoch ms; Long.MIN_VALUE for null)
 * hiddenDetails: as AttemptMac's metadata (sorted by key bytes; -1 for null)
 * lp(idempotencyKey)
 * </pre>
 *
 * {@code macKeyId} and {@code mac} are not covered. Why and how: {@code
 * docs/decisions/0020-signed-challenge-creates.md}.
 */
public final class ChallengeMac {
  /** The domain label that starts every encoding of this layout. */
  public static final String DOMAIN_LABEL = "lapse-challenge-v1";

  private ChallengeMac() {}

  /** The canonical encoding of {@code c}, the bytes the MAC is computed over. */
  public static byte[] canonical(ChallengeCreated c) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(512);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      AttemptMac.text(out, DOMAIN_LABEL);
      AttemptMac.text(out, c.getSid());
      AttemptMac.text(out, c.getAccountSid());
      AttemptMac.text(out, c.getServiceSid());
      AttemptMac.text(out, c.getEntitySid());
      AttemptMac.text(out, c.getIdentity());
      AttemptMac.text(out, c.getFactorSid());
      AttemptMac.text(out, c.getFactorType());
      out.writeLong(millis(c.getCreatedAt()));
      out.writeLong(millis(c.getExpirationDate()));
      AttemptMac.text(out, c.getDetailsMessage());
      List<DetailField> fields = c.getDetailsFields();
      out.writeInt(fields == null ? -1 : fields.size());
      if (fields != null) {
        for (DetailField f : fields) {
          AttemptMac.text(out, f.getLabel());
          AttemptMac.text(out, f.getValue());
        }
      }
      out.writeLong(
          c.getDetailsDate() == null ? Long.MIN_VALUE : c.getDetailsDate().toEpochMilli());
      AttemptMac.metadata(out, c.getHiddenDetails());
      AttemptMac.text(out, c.getIdempotencyKey());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** HMAC-SHA256 of the canonical encoding of {@code created} under {@code key}. */
  public static byte[] compute(byte[] key, ChallengeCreated created) {
    return AttemptMac.hmac(key, canonical(created));
  }

  private static long millis(Instant t) {
    return t == null ? 0 : t.toEpochMilli();
  }
}
