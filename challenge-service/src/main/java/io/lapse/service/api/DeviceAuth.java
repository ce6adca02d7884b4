package io.lapse.service.api;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.lapse.service.domain.Catalog;
import io.lapse.service.domain.FactorCrypto;
import io.lapse.state.v1.FactorSnapshot;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Optional;

/**
 * Authenticates a Verify mobile SDK: Basic {@code token:<JWT>}, the JWT signed ES256 with a push
 * factor's key, {@code kid} = the factor's {@code credential_sid}, {@code sub} = the account SID,
 * valid between {@code nbf} and {@code exp} (with a small clock allowance). The device may then act
 * only under its own entity's path.
 */
final class DeviceAuth {
  private static final Duration CLOCK_ALLOWANCE = Duration.ofSeconds(60);

  private final Catalog catalog;
  private final String accountSid;
  private final Clock clock;

  DeviceAuth(Catalog catalog, String accountSid, Clock clock) {
    this.catalog = catalog;
    this.accountSid = accountSid;
    this.clock = clock;
  }

  /** The factor whose key signed a valid device token, if the token is one. */
  Optional<FactorSnapshot> authenticate(String jwt) {
    try {
      SignedJWT token = SignedJWT.parse(jwt);
      if (!JWSAlgorithm.ES256.equals(token.getHeader().getAlgorithm())
          || token.getHeader().getKeyID() == null) {
        return Optional.empty();
      }
      Optional<FactorSnapshot> factor = catalog.factors().byUniqueKey(token.getHeader().getKeyID());
      if (factor.isEmpty()
          || !token.verify(new ECDSAVerifier(FactorCrypto.pushKey(factor.get())))) {
        return Optional.empty();
      }
      JWTClaimsSet claims = token.getJWTClaimsSet();
      Instant now = clock.instant();
      Date exp = claims.getExpirationTime();
      Date nbf = claims.getNotBeforeTime();
      boolean timely =
          exp != null
              && now.minus(CLOCK_ALLOWANCE).isBefore(exp.toInstant())
              && (nbf == null || !now.plus(CLOCK_ALLOWANCE).isBefore(nbf.toInstant()));
      return timely && accountSid.equals(claims.getSubject()) ? factor : Optional.empty();
    } catch (ParseException | JOSEException | IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** The path prefix a device of this factor may use: its entity. */
  static String allowedPrefix(FactorSnapshot factor) {
    return Routes.SERVICES
        + "/"
        + factor.getServiceSid()
        + "/Entities/"
        + factor.getIdentity()
        + "/";
  }
}
