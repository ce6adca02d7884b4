package io.lapse.service.api;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.lapse.service.domain.Catalog;
import io.lapse.service.domain.FactorCrypto;
import io.lapse.service.domain.Factors;
import io.lapse.state.v1.FactorSnapshot;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Optional;

/**
 * Authenticates a Verify mobile SDK: Basic {@code token:<JWT>}, the JWT signed ES256 with a push
 * factor's key, {@code kid} = the factor's {@code credential_sid}, {@code sub} = the account SID.
 *
 * <p>The token must be as short-lived as the ones the SDKs issue: they sign {@code nbf = now} and
 * {@code exp = now + 10 minutes} for each request (see the README, "Security"). A token without
 * {@code exp}, or whose {@code exp} lies more than {@link #MAX_LIFETIME} after its {@code iat} or
 * {@code nbf} or after now (with a small clock allowance), is refused, so a leaked token is not a
 * long-lived credential. What an authenticated device may then call is {@link DeviceScope}'s
 * concern.
 */
final class DeviceAuth {
  /** The lifetime the Android and iOS SDKs give every token they sign. */
  static final Duration MAX_LIFETIME = Duration.ofMinutes(10);

  /** How far the device's clock may be off; the SDKs resync it from a 401's Date header. */
  static final Duration CLOCK_ALLOWANCE = Duration.ofSeconds(60);

  private final Catalog catalog;
  private final String accountSid;
  private final Clock clock;

  DeviceAuth(Catalog catalog, String accountSid, Clock clock) {
    this.catalog = catalog;
    this.accountSid = accountSid;
    this.clock = clock;
  }

  /** The push factor whose key signed a valid device token, if the token is one. */
  Optional<FactorSnapshot> authenticate(String jwt) {
    try {
      SignedJWT token = SignedJWT.parse(jwt);
      if (!JWSAlgorithm.ES256.equals(token.getHeader().getAlgorithm())
          || token.getHeader().getKeyID() == null) {
        return Optional.empty();
      }
      Optional<FactorSnapshot> factor =
          catalog
              .factors()
              .byUniqueKey(token.getHeader().getKeyID())
              .filter(f -> Factors.PUSH.equals(f.getFactorType()));
      if (factor.isEmpty()
          || !token.verify(new ECDSAVerifier(FactorCrypto.pushKey(factor.get())))) {
        return Optional.empty();
      }
      JWTClaimsSet claims = token.getJWTClaimsSet();
      return timely(claims, clock.instant()) && accountSid.equals(claims.getSubject())
          ? factor
          : Optional.empty();
    } catch (ParseException | JOSEException | IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** Valid now, and not valid for longer than a token the SDKs sign. */
  static boolean timely(JWTClaimsSet claims, Instant now) {
    Instant exp = instant(claims.getExpirationTime());
    if (exp == null) {
      return false;
    }
    Instant nbf = instant(claims.getNotBeforeTime());
    Instant iat = instant(claims.getIssueTime());
    boolean current =
        now.minus(CLOCK_ALLOWANCE).isBefore(exp)
            && (nbf == null || !now.plus(CLOCK_ALLOWANCE).isBefore(nbf));
    boolean shortLived =
        !exp.isAfter(now.plus(MAX_LIFETIME).plus(CLOCK_ALLOWANCE))
            && (nbf == null || !exp.isAfter(nbf.plus(MAX_LIFETIME)))
            && (iat == null || !exp.isAfter(iat.plus(MAX_LIFETIME)));
    return current && shortLived;
  }

  private static Instant instant(Date date) {
    return date == null ? null : date.toInstant();
  }
}
