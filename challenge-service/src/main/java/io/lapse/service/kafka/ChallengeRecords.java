package io.lapse.service.kafka;

import io.lapse.commands.v1.ChallengeRecord;
import io.lapse.commands.v1.SettleChallenge;
import io.lapse.events.v1.ChallengeApproved;
import io.lapse.events.v1.ChallengeCreated;
import io.lapse.events.v1.ChallengeDenied;
import io.lapse.events.v1.ChallengeExpired;
import io.lapse.service.decision.EntityState;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The entity task's {@code challenge-records} (docs/decisions/0009-partitioned-reads.md): the keys,
 * and how a record follows a challenge's events. Pure; {@link EntityOwner} writes the results in
 * the transaction that decided (a create, a notification) or relayed (an outcome, an expiry) them.
 *
 * <p>Every change is idempotent and order-tolerant in the one way that matters here: a challenge
 * settles once, at its first terminal event (the arbiter writes one per challenge; a repeat, or an
 * expiry arriving after an approval, leaves it as it is), exactly as {@code ChallengeView} applies
 * them.
 */
public final class ChallengeRecords {
  public static final String PENDING = "pending";
  public static final String APPROVED = "approved";
  public static final String DENIED = "denied";
  public static final String EXPIRED = "expired";

  private ChallengeRecords() {}

  /** The store key: {@code <serviceSid>/<identity>/<challengeSid>} (identities have no slash). */
  public static String key(String serviceSid, String identity, String challengeSid) {
    return EntityState.entityKey(serviceSid, identity) + "/" + challengeSid;
  }

  /** The store key of a challenge of an entity key. */
  static String key(String entityKey, String challengeSid) {
    return entityKey + "/" + challengeSid;
  }

  /**
   * The challenge as this instance's active entity task stores it, by interactive query; empty if
   * no active task of {@code streams} here holds it (another instance owns the entity, or the
   * challenge is unknown or purged).
   *
   * @throws org.apache.kafka.streams.errors.InvalidStateStoreException while the store cannot be
   *     queried (a rebalance, a restore)
   */
  public static Optional<ChallengeRecord> local(
      KafkaStreams streams, String serviceSid, String identity, String challengeSid) {
    ReadOnlyKeyValueStore<String, ChallengeRecord> store =
        streams.store(
            StoreQueryParameters.fromNameAndType(
                EntityTopology.Names.DEFAULT.challengeStore(),
                QueryableStoreTypes.<String, ChallengeRecord>keyValueStore()));
    return Optional.ofNullable(store.get(key(serviceSid, identity, challengeSid)));
  }

  /** A new challenge: pending, updated at its creation. */
  static ChallengeRecord created(ChallengeCreated signed) {
    return ChallengeRecord.newBuilder()
        .setCreated(signed)
        .setStatus(PENDING)
        .setRespondedAt(null)
        .setUpdatedAt(signed.getCreatedAt())
        .setMetadata(null)
        .setDecidedAttemptId(null)
        .setNotificationSids(List.of())
        .build();
  }

  /**
   * The record after its terminal outcome; a record no longer pending is returned unchanged (the
   * first outcome wins, a relayed outcome applied again changes nothing).
   */
  static ChallengeRecord settled(ChallengeRecord record, SettleChallenge s) {
    if (!PENDING.equals(record.getStatus())) {
      return record;
    }
    boolean expired = EXPIRED.equals(s.getStatus());
    return ChallengeRecord.newBuilder(record)
        .setStatus(s.getStatus())
        .setRespondedAt(expired ? null : s.getRespondedAt())
        .setUpdatedAt(s.getUpdatedAt())
        .setMetadata(expired ? null : s.getMetadata())
        .setDecidedAttemptId(expired ? null : s.getAttemptId())
        .build();
  }

  /** The record with one more notification; one already counted is not counted twice. */
  static ChallengeRecord notified(ChallengeRecord record, String notificationSid) {
    if (record.getNotificationSids().contains(notificationSid)) {
      return record;
    }
    List<String> sids = new ArrayList<>(record.getNotificationSids());
    sids.add(notificationSid);
    return ChallengeRecord.newBuilder(record).setNotificationSids(sids).build();
  }

  /**
   * The command the outcome relay makes of an outcome or an expiry, or null for a record that
   * settles nothing (a counted wrong code, a refusal).
   */
  static SettleChallenge settle(Object event) {
    if (event instanceof ChallengeApproved a) {
      return answered(
          APPROVED,
          a.getSid(),
          a.getServiceSid(),
          a.getIdentity(),
          a.getFactorSid(),
          a.getAttemptId(),
          a.getRespondedAt(),
          a.getDecidedAt(),
          a.getMetadata());
    }
    if (event instanceof ChallengeDenied d) {
      return answered(
          DENIED,
          d.getSid(),
          d.getServiceSid(),
          d.getIdentity(),
          d.getFactorSid(),
          d.getAttemptId(),
          d.getRespondedAt(),
          d.getDecidedAt(),
          d.getMetadata());
    }
    if (event instanceof ChallengeExpired e) {
      return SettleChallenge.newBuilder()
          .setRequestId("expired:" + e.getSid())
          .setIssuedAt(e.getExpiredAt())
          .setServiceSid(e.getServiceSid())
          .setIdentity(e.getIdentity())
          .setFactorSid(e.getFactorSid())
          .setChallengeSid(e.getSid())
          .setStatus(EXPIRED)
          .setRespondedAt(null)
          .setUpdatedAt(e.getExpiredAt())
          .setMetadata(null)
          .setAttemptId(null)
          .build();
    }
    return null;
  }

  private static SettleChallenge answered(
      String status,
      String sid,
      String serviceSid,
      String identity,
      String factorSid,
      String attemptId,
      Instant respondedAt,
      Instant decidedAt,
      Map<String, String> metadata) {
    return SettleChallenge.newBuilder()
        .setRequestId(attemptId)
        .setIssuedAt(decidedAt)
        .setServiceSid(serviceSid)
        .setIdentity(identity)
        .setFactorSid(factorSid)
        .setChallengeSid(sid)
        .setStatus(status)
        .setRespondedAt(respondedAt)
        .setUpdatedAt(decidedAt)
        .setMetadata(metadata)
        .setAttemptId(attemptId)
        .build();
  }

  /**
   * The key of a record's entry in {@code entity-time-index}: the time it is purged (epoch ms, 8
   * bytes big-endian, so the store's byte order is time order) then its store key.
   */
  static Bytes purgeIndexKey(long purgeAt, String recordKey) {
    byte[] k = recordKey.getBytes(StandardCharsets.UTF_8);
    return Bytes.wrap(ByteBuffer.allocate(8 + k.length).putLong(purgeAt).put(k).array());
  }

  /** The time of an index key. */
  static long purgeAtOf(Bytes indexKey) {
    return ByteBuffer.wrap(indexKey.get()).getLong();
  }

  /** The record key of an index key. */
  static String recordKeyOf(Bytes indexKey) {
    byte[] b = indexKey.get();
    return new String(b, 8, b.length - 8, StandardCharsets.UTF_8);
  }
}
