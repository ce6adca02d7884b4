package io.lapse.service.domain;

import io.lapse.state.v1.FactorSnapshot;
import io.lapse.state.v1.ServiceSnapshot;
import java.time.Duration;

/**
 * A Service's optional strict policy, a Lapse extension beside Twilio's defaults: a shorter maximum
 * challenge lifetime ({@code LapseMaxChallengeLifetime}, for OWASP ASVS 4.0.3 V2.7.2's ten-minute
 * out-of-band window) and a smaller maximum TOTP skew ({@code LapseMaxTotpSkew}). Unset, a service
 * behaves exactly as Twilio's, so Twilio's SDKs see Twilio's limits.
 */
public final class StrictPolicy {
  /** Twilio's longest challenge lifetime, and the upper bound of the extension parameter. */
  public static final int MAX_LIFETIME_SECONDS = 3600;

  /** Twilio's largest TOTP skew, and the upper bound of the extension parameter. */
  public static final int MAX_SKEW = 2;

  private StrictPolicy() {}

  /** The longest a challenge of this service may live. */
  public static Duration maxChallengeLifetime(ServiceSnapshot service) {
    Integer seconds = service.getLapseMaxChallengeLifetimeSeconds();
    return Duration.ofSeconds(seconds == null ? MAX_LIFETIME_SECONDS : seconds);
  }

  /** The lifetime of a challenge created without {@code ExpirationDate}. */
  public static Duration defaultChallengeLifetime(ServiceSnapshot service) {
    Duration max = maxChallengeLifetime(service);
    return ChallengeCreation.DEFAULT_LIFETIME.compareTo(max) <= 0
        ? ChallengeCreation.DEFAULT_LIFETIME
        : max;
  }

  /** The TOTP skew a check of this factor allows: its own, capped by the service's policy. */
  public static int totpSkew(ServiceSnapshot service, FactorSnapshot factor) {
    Integer cap = service.getLapseMaxTotpSkew();
    return cap == null ? factor.getTotpSkew() : Math.min(cap, factor.getTotpSkew());
  }
}
