package io.lapse.service.domain;

import java.util.Optional;

/** A challenge's status, with Twilio's wire names. */
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
