package io.lapse.service.kafka;

import io.lapse.commands.v1.ChallengeRecord;
import io.lapse.events.v1.ChallengeCreated;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;

/**
 * The entity task's {@code challenge-order} index (docs/decisions/0009-partitioned-reads.md): one
 * entry per challenge record, so an entity's challenges are listed in (createdAt, SID) order, and
 * filtered by factor and status, by a range scan that loads only the page's records.
 *
 * <p>Key: {@code K ‖ 0x00 ‖ createdAt (8 bytes big-endian, epoch ms) ‖ challengeSid}, {@code K} the
 * UTF-8 entity key {@code <serviceSid>/<identity>}. Identities and SIDs are ASCII letters, digits
 * and dashes, so {@code K} holds no 0x00 byte and {@code K ‖ 0x00} is a prefix of no other entity's
 * keys; creation times are never negative, so the unsigned byte order of the 8 bytes is time order.
 * Value: the status as stored (1 byte), the expiration date (8 bytes), the factor SID (UTF-8).
 */
final class ChallengeOrder {
  private static final byte PENDING = 'p';
  private static final byte APPROVED = 'a';
  private static final byte DENIED = 'd';
  private static final byte EXPIRED = 'e';

  private ChallengeOrder() {}

  /** One entry's value, decoded. */
  record Entry(String status, Instant expirationDate, String factorSid) {}

  /** The prefix of every key of the entity {@code entityKey}: {@code K ‖ 0x00}. */
  static byte[] prefix(String entityKey) {
    byte[] k = entityKey.getBytes(StandardCharsets.UTF_8);
    return Arrays.copyOf(k, k.length + 1);
  }

  /** The key of the challenge created at {@code createdAtMillis} with SID {@code sid}. */
  static byte[] key(String entityKey, long createdAtMillis, String sid) {
    byte[] p = prefix(entityKey);
    byte[] s = sid.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(p.length + 8 + s.length)
        .put(p)
        .putLong(createdAtMillis)
        .put(s)
        .array();
  }

  /** The key of a record's entry. */
  static byte[] key(String entityKey, ChallengeRecord record) {
    ChallengeCreated c = record.getCreated();
    return key(entityKey, c.getCreatedAt().toEpochMilli(), c.getSid());
  }

  /** The creation time of a key with the given prefix length. */
  static long createdAtOf(byte[] key, int prefixLength) {
    return ByteBuffer.wrap(key, prefixLength, 8).getLong();
  }

  /** The challenge SID of a key with the given prefix length. */
  static String sidOf(byte[] key, int prefixLength) {
    int from = prefixLength + 8;
    return new String(key, from, key.length - from, StandardCharsets.UTF_8);
  }

  /** A record's entry value. */
  static byte[] value(ChallengeRecord record) {
    ChallengeCreated c = record.getCreated();
    byte[] f = c.getFactorSid().getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(1 + 8 + f.length)
        .put(statusByte(record.getStatus()))
        .putLong(c.getExpirationDate().toEpochMilli())
        .put(f)
        .array();
  }

  static Entry entry(byte[] value) {
    ByteBuffer b = ByteBuffer.wrap(value);
    String status = statusOf(b.get());
    Instant expiration = Instant.ofEpochMilli(b.getLong());
    return new Entry(
        status, expiration, new String(value, 9, value.length - 9, StandardCharsets.UTF_8));
  }

  private static byte statusByte(String status) {
    return switch (status) {
      case ChallengeRecords.PENDING -> PENDING;
      case ChallengeRecords.APPROVED -> APPROVED;
      case ChallengeRecords.DENIED -> DENIED;
      case ChallengeRecords.EXPIRED -> EXPIRED;
      default -> throw new IllegalArgumentException("unknown status " + status);
    };
  }

  private static String statusOf(byte b) {
    return switch (b) {
      case PENDING -> ChallengeRecords.PENDING;
      case APPROVED -> ChallengeRecords.APPROVED;
      case DENIED -> ChallengeRecords.DENIED;
      case EXPIRED -> ChallengeRecords.EXPIRED;
      default -> throw new IllegalArgumentException("unknown status byte " + b);
    };
  }
}
