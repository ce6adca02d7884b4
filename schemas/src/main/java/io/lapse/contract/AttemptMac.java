package io.lapse.contract;

import io.lapse.events.v1.VerificationAttempted;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The proof that the challenge service wrote a {@link VerificationAttempted}: an HMAC-SHA256 over
 * the attempt's <b>canonical encoding</b>, never over its Avro bytes, so a schema change (a field
 * added, another writer schema) never breaks a MAC. Keys and their ids: {@link AttemptMacKeys}.
 *
 * <p>The canonical encoding, all integers big-endian, every text as a 4-byte length and its UTF-8
 * bytes ("lp"; length -1 and no bytes for a null):
 *
 * <pre>
 * lp("lapse-attempt-v1") lp(sid) lp(serviceSid) lp(identity) lp(factorSid) lp(attemptId)
 * lp(outcome symbol) attemptAt:int64 (epoch ms)
 * metadata: int32 count (-1 for null), then per entry, sorted by the key's UTF-8 bytes (unsigned),
 *           lp(key) lp(value)
 * </pre>
 *
 * <p>The leading domain label keeps a MAC of this encoding from ever being valid for another use of
 * the same key; a new layout takes a new label. {@code macKeyId} and {@code mac} themselves are not
 * covered: a wrong key id only makes verification fail. See {@code
 * docs/decisions/0008-single-writers-on-the-log.md}, "Trust".
 */
public final class AttemptMac {
  /** The domain label that starts every encoding of this layout. */
  public static final String DOMAIN_LABEL = "lapse-attempt-v1";

  /** Length of a MAC (HMAC-SHA256). */
  public static final int MAC_BYTES = 32;

  private static final String ALGORITHM = "HmacSHA256";

  private AttemptMac() {}

  /** The canonical encoding of {@code attempt}, the bytes the MAC is computed over. */
  public static byte[] canonical(VerificationAttempted attempt) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      text(out, DOMAIN_LABEL);
      text(out, attempt.getSid());
      text(out, attempt.getServiceSid());
      text(out, attempt.getIdentity());
      text(out, attempt.getFactorSid());
      text(out, attempt.getAttemptId());
      text(out, attempt.getOutcome() == null ? null : attempt.getOutcome().name());
      out.writeLong(attempt.getAttemptAt() == null ? 0 : attempt.getAttemptAt().toEpochMilli());
      metadata(out, attempt.getMetadata());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** HMAC-SHA256 of the canonical encoding of {@code attempt} under {@code key}. */
  public static byte[] compute(byte[] key, VerificationAttempted attempt) {
    return hmac(key, canonical(attempt));
  }

  static byte[] hmac(byte[] key, byte[] data) {
    return MACS.get().compute(key, data);
  }

  /**
   * One {@link Mac} per thread, initialised again only when the key changes: every create and every
   * attempt is signed or checked on the hot path of the processor and of the service's readers, and
   * {@code Mac.getInstance} plus {@code init} cost more than the MAC of a short record (a profile
   * of the issue 12 load put a third of those threads' time there).
   */
  private static final ThreadLocal<CachedMac> MACS = ThreadLocal.withInitial(CachedMac::new);

  private static final class CachedMac {
    private Mac mac;
    private byte[] key;

    byte[] compute(byte[] key, byte[] data) {
      try {
        if (mac == null) {
          mac = Mac.getInstance(ALGORITHM);
        }
        if (this.key == null || !Arrays.equals(this.key, key)) {
          mac.init(new SecretKeySpec(key, ALGORITHM));
          this.key = key.clone();
        }
        // doFinal resets the Mac to its key, ready for the next record.
        return mac.doFinal(data);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("HMAC-SHA256 is unavailable", e);
      }
    }
  }

  /** True when {@code mac} is the MAC of {@code attempt} under {@code key} (constant time). */
  public static boolean matches(byte[] key, VerificationAttempted attempt, byte[] mac) {
    return mac != null && MessageDigest.isEqual(compute(key, attempt), mac);
  }

  static void text(DataOutputStream out, String s) throws IOException {
    if (s == null) {
      out.writeInt(-1);
      return;
    }
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }

  static void metadata(DataOutputStream out, Map<String, String> metadata) throws IOException {
    if (metadata == null) {
      out.writeInt(-1);
      return;
    }
    List<byte[][]> entries = new ArrayList<>(metadata.size());
    metadata.forEach(
        (k, v) ->
            entries.add(
                new byte[][] {
                  k == null ? null : k.getBytes(StandardCharsets.UTF_8),
                  v == null ? null : v.getBytes(StandardCharsets.UTF_8)
                }));
    // Byte order, not String order (UTF-16 code units): any language sorts UTF-8 bytes alike.
    entries.sort((a, b) -> Arrays.compareUnsigned(orEmpty(a[0]), orEmpty(b[0])));
    out.writeInt(entries.size());
    for (byte[][] e : entries) {
      bytes(out, e[0]);
      bytes(out, e[1]);
    }
  }

  private static byte[] orEmpty(byte[] b) {
    return b == null ? new byte[0] : b;
  }

  private static void bytes(DataOutputStream out, byte[] b) throws IOException {
    if (b == null) {
      out.writeInt(-1);
      return;
    }
    out.writeInt(b.length);
    out.write(b);
  }
}
