package io.lapse.expiry.trust;

import io.lapse.contract.AttemptMacKeys;
import io.lapse.events.v1.ChallengeCreated;
import io.lapse.events.v1.VerificationAttempted;
import io.lapse.expiry.ExpirySettings;
import io.lapse.expiry.ExpirySettings.MacMode;
import io.lapse.expiry.state.ArbiterRecord;
import io.lapse.expiry.state.ArbiterRecord.Phase;
import io.lapse.expiry.state.ParkedAttempt;
import java.util.Objects;

/**
 * What the arbiter checks before it lets an attempt decide anything, as pure functions (no store,
 * no Kafka): that the challenge service wrote it (its MAC), that it is about the challenge its
 * record key names, that its claimed time is not ahead of the broker's, and that it names the
 * factor and identity of the challenge it answers. The rules, their order and why: {@code
 * docs/decisions/0008-single-writers-on-the-log.md}, "Trust".
 *
 * <p>Kept out of the arbiter's {@code Arbitration}: that function decides among trusted attempts;
 * this one decides which attempts are trusted. The expiry processor's {@code ChallengeArbiter} asks
 * both, and dead-letters what this one refuses.
 */
public final class AttemptTrust {
  private final AttemptMacKeys keys;
  private final AttemptMacKeys challengeKeys;
  private final MacMode macMode;
  private final long clockSkewMs;
  private final long maxDelayMs;

  /** Checks attempts and creates with the same keys. */
  public AttemptTrust(AttemptMacKeys keys, ExpirySettings settings) {
    this(keys, keys, settings);
  }

  /**
   * @param keys the keys attempts are signed with
   * @param challengeKeys the keys creates are signed with
   */
  public AttemptTrust(AttemptMacKeys keys, AttemptMacKeys challengeKeys, ExpirySettings settings) {
    this.keys = Objects.requireNonNull(keys);
    this.challengeKeys = Objects.requireNonNull(challengeKeys);
    this.macMode = settings.attemptMac();
    this.clockSkewMs = settings.attemptClockSkew().toMillis();
    this.maxDelayMs = settings.attemptMaxDelay().toMillis();
  }

  /**
   * The checks of one record, before its challenge is looked at.
   *
   * @param refused the first failed check that refuses the record, or null: the record may decide
   * @param tolerated a failed MAC check that {@link MacMode#LOG} lets pass (log and count it), or
   *     null
   */
  public record Assessment(Distrust refused, Distrust tolerated) {
    static final Assessment TRUSTED = new Assessment(null, null);

    public boolean trusted() {
      return refused == null;
    }
  }

  /**
   * Checks one {@code challenge-responses} record, in order: MAC present, its key listed, MAC
   * valid, record key equal to {@code sid}, {@code attemptAt} not beyond {@code brokerTime} plus
   * the clock skew.
   *
   * @param key the record's key (the challenge SID it would decide), possibly null
   * @param brokerTime the record's timestamp: its broker append time, the topic being {@code
   *     LogAppendTime}
   */
  public Assessment assess(String key, VerificationAttempted attempt, long brokerTime) {
    Distrust mac = macFailure(attempt);
    Distrust tolerated = null;
    if (mac != null) {
      if (macMode == MacMode.ENFORCE) {
        return new Assessment(mac, null);
      }
      tolerated = mac;
    }
    if (!attempt.getSid().equals(key)) {
      return new Assessment(Distrust.KEY_NOT_SID, tolerated);
    }
    if (attempt.getAttemptAt().toEpochMilli() > brokerTime + clockSkewMs) {
      return new Assessment(Distrust.ATTEMPT_IN_FUTURE, tolerated);
    }
    return tolerated == null ? Assessment.TRUSTED : new Assessment(null, tolerated);
  }

  /**
   * Checks one {@code challenge-created} record, in order: MAC present, its key listed, MAC valid
   * (under the challenge keys), record key equal to {@code sid}. A create that fails decides
   * nothing and never expires: whoever wrote it could otherwise choose any factor's challenge.
   */
  public Assessment assess(String key, ChallengeCreated created) {
    Distrust mac = verdict(challengeKeys.verify(created));
    Distrust tolerated = null;
    if (mac != null) {
      if (macMode == MacMode.ENFORCE) {
        return new Assessment(mac, null);
      }
      tolerated = mac;
    }
    if (!created.getSid().equals(key)) {
      return new Assessment(Distrust.KEY_NOT_SID, tolerated);
    }
    return tolerated == null ? Assessment.TRUSTED : new Assessment(null, tolerated);
  }

  private Distrust macFailure(VerificationAttempted attempt) {
    return verdict(keys.verify(attempt));
  }

  private static Distrust verdict(AttemptMacKeys.Verdict verdict) {
    return switch (verdict) {
      case VALID -> null;
      case MISSING -> Distrust.MAC_MISSING;
      case KEY_UNKNOWN -> Distrust.MAC_KEY_UNKNOWN;
      case INVALID -> Distrust.MAC_INVALID;
    };
  }

  /**
   * The time an attempt is judged at for lateness: its own {@code attemptAt}, but never earlier
   * than {@code brokerTime} minus the maximum delay, so an attempt appended long after the time it
   * claims (held back, or replayed) is late by the broker's clock.
   */
  public long judgedAt(VerificationAttempted attempt, long brokerTime) {
    return Math.max(attempt.getAttemptAt().toEpochMilli(), brokerTime - maxDelayMs);
  }

  /**
   * True when the arbiter's record holds a challenge's {@code ChallengeCreated} (pending or
   * settled), so an attempt can be compared with it; an awaiting or unknown record only echoes
   * attempts.
   */
  public static boolean knowsCreate(ArbiterRecord record) {
    return record != null && record.phase() != Phase.AWAITING && record.phase() != Phase.UNKNOWN;
  }

  /** True when the attempt names the service, identity and factor of the created challenge. */
  public static boolean sameChallenge(ArbiterRecord created, VerificationAttempted attempt) {
    return same(created, attempt.getServiceSid(), attempt.getIdentity(), attempt.getFactorSid());
  }

  /**
   * True when an attempt parked before its challenge was created names the service, identity and
   * factor of the {@code ChallengeCreated} that has now arrived.
   */
  public static boolean sameChallenge(ChallengeCreated created, ParkedAttempt attempt) {
    return Objects.equals(created.getServiceSid(), attempt.serviceSid())
        && Objects.equals(created.getIdentity(), attempt.identity())
        && Objects.equals(created.getFactorSid(), attempt.factorSid());
  }

  private static boolean same(
      ArbiterRecord created, String serviceSid, String identity, String factorSid) {
    return Objects.equals(created.serviceSid(), serviceSid)
        && Objects.equals(created.identity(), identity)
        && Objects.equals(created.factorSid(), factorSid);
  }
}
