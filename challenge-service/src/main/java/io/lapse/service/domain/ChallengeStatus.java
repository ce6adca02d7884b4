package io.lapse.service.domain;

import java.util.Optional;

/**
 * A challenge's status as Twilio's API shows it ({@code status} of a challenge, the {@code Status}
 * filter of a list), with Twilio's wire names. The name follows the Twilio SDKs' {@code
 * Challenge.ChallengeStatuses}; the expiry processor's own record of a challenge has a status of
 * its own, which is not this.
 */
public enum ChallengeStatus {
  PENDING("pending"),
  EXPIRED("expired"),
  APPROVED("approved"),
  DENIED("denied");

  private final String wire;

  ChallengeStatus(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }

  public static Optional<ChallengeStatus> fromWire(String value) {
    for (ChallengeStatus s : values()) {
      if (s.wire.equals(value)) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }
}
