package io.lapse.expiry.trust;

/**
 * Why the arbiter refuses to act on a {@code VerificationAttempted}: each reason is the value of
 * the dead-lettered record's {@code lapse.dlq.reason} header and the {@code reason} tag of {@code
 * lapse_expiry_untrusted_attempts_total}, so the codes never change once released.
 */
public enum Distrust {
  /** No {@code macKeyId} or no {@code mac}: not signed by a challenge service. */
  MAC_MISSING("mac-missing", true),
  /** Signed under a key id the processor does not list. */
  MAC_KEY_UNKNOWN("mac-key-unknown", true),
  /** The MAC does not match the attempt: forged or altered after signing. */
  MAC_INVALID("mac-invalid", true),
  /** The record's key is not the attempt's {@code sid}: it would decide another challenge. */
  KEY_NOT_SID("key-not-sid", false),
  /** {@code attemptAt} is beyond the record's broker time plus the allowed clock skew. */
  ATTEMPT_IN_FUTURE("attempt-in-future", false),
  /** Service, identity or factor differ from the challenge's {@code ChallengeCreated}. */
  CHALLENGE_MISMATCH("challenge-mismatch", false);

  private final String code;
  private final boolean aboutMac;

  Distrust(String code, boolean aboutMac) {
    this.code = code;
    this.aboutMac = aboutMac;
  }

  /** The released code: header value and metric tag. */
  public String code() {
    return code;
  }

  /** True for the MAC checks, which {@code LAPSE_EXPIRY_ATTEMPT_MAC=log} only logs. */
  public boolean aboutMac() {
    return aboutMac;
  }
}
