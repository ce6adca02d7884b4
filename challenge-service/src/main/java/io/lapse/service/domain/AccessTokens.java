package io.lapse.service.domain;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.lapse.service.crypto.Hkdf;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Date;
import java.util.Deque;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Enrolment access tokens ({@code …/AccessTokens}): what a backend hands a phone so that Twilio's
 * Verify mobile SDKs can enrol one push factor for one identity of one service. The token is a JWT
 * (HS256, {@code cty = twilio-fpa;v=1} like Twilio's) signed with a key derived from {@code
 * LAPSE_SECRET_KEY}, so every instance accepts it without shared state; its claims carry everything
 * the enrolment needs ({@code jti} = the token's SID, {@code sub} = the account, the {@code verify}
 * grant with service, identity and factor type), and {@code exp} its TTL.
 *
 * <p>A token enrols <em>one</em> factor across all instances: the factor SID is derived from the
 * token's SID and the entity task refuses a second enrolment with the same token (60313, see {@code
 * EntityDecider}). Which calls a token may make is the HTTP layer's concern ({@code
 * AccessTokenScope}). The tokens issued are kept here, on the instance that issued them, only so
 * that {@code GET …/AccessTokens/{Sid}} can answer (docs/decisions/0015).
 */
public final class AccessTokens {
  public static final String PREFIX = "YK";
  public static final String CONTENT_TYPE = "twilio-fpa;v=1";
  public static final int MIN_TTL = 60;
  public static final int MAX_TTL = 300;
  public static final int DEFAULT_TTL = 60;
  private static final String KEY_INFO = "lapse-access-token-v1";
  private static final String GRANTS = "grants";
  private static final String VERIFY = "verify";

  /** How long an issued token stays fetchable on its instance (it is usable ≤ 5 minutes). */
  static final Duration FETCHABLE = Duration.ofHours(1);

  /** An issued token, as {@code …/AccessTokens} renders it. */
  public record AccessToken(
      String sid,
      String accountSid,
      String serviceSid,
      String identity,
      String factorType,
      String factorFriendlyName,
      String token,
      int ttl,
      Instant createdAt) {}

  /**
   * What a valid token allows: enrolling one factor of {@code factorType} for {@code identity} of
   * {@code serviceSid}.
   */
  public record Grant(String sid, String serviceSid, String identity, String factorType) {}

  private final Catalog catalog;
  private final String accountSid;
  private final Clock clock;
  private final byte[] key;
  private final Map<String, AccessToken> issued = new ConcurrentHashMap<>();
  private final Deque<AccessToken> byAge = new ArrayDeque<>();

  /**
   * @param secretKey {@code LAPSE_SECRET_KEY}; the signing key is derived from it (HKDF), so every
   *     instance signs and checks alike
   */
  public AccessTokens(Catalog catalog, String accountSid, byte[] secretKey, Clock clock) {
    this.catalog = catalog;
    this.accountSid = accountSid;
    this.clock = clock;
    this.key = Hkdf.derive(secretKey, KEY_INFO, 32);
  }

  /** Issues a token (the parameters are checked by the caller, except the service and identity). */
  public AccessToken create(
      String serviceSid, String identity, String factorType, String friendlyName, int ttl) {
    Lookups.service(catalog, serviceSid);
    Entities.checkIdentity(identity);
    Instant now = clock.instant();
    String sid = Sids.random(PREFIX);
    Map<String, Object> grant = new LinkedHashMap<>();
    grant.put("service_sid", serviceSid);
    grant.put("identity", identity);
    grant.put("factor", factorType);
    if (friendlyName != null) {
      grant.put("factor_friendly_name", friendlyName);
    }
    JWTClaimsSet claims =
        new JWTClaimsSet.Builder()
            .jwtID(sid)
            .issuer(serviceSid)
            .subject(accountSid)
            .issueTime(Date.from(now))
            .notBeforeTime(Date.from(now))
            .expirationTime(Date.from(now.plusSeconds(ttl)))
            .claim(GRANTS, Map.of(VERIFY, grant))
            .build();
    AccessToken token =
        new AccessToken(
            sid,
            accountSid,
            serviceSid,
            identity,
            factorType,
            friendlyName,
            sign(claims),
            ttl,
            now);
    remember(token, now);
    return token;
  }

  /** A token this instance issued within the last hour, 404 otherwise. */
  public AccessToken get(String serviceSid, String sid) {
    Lookups.service(catalog, serviceSid);
    AccessToken token = issued.get(sid);
    if (token == null || !token.serviceSid().equals(serviceSid)) {
      throw ApiError.notFound("/Services/" + serviceSid + "/AccessTokens/" + sid);
    }
    return token;
  }

  /** The grant of a token this service signed that has not expired, for this account. */
  public Optional<Grant> authenticate(String jwt) {
    try {
      SignedJWT token = SignedJWT.parse(jwt);
      JWSHeader header = token.getHeader();
      if (!JWSAlgorithm.HS256.equals(header.getAlgorithm())
          || !CONTENT_TYPE.equals(header.getContentType())
          || !token.verify(new MACVerifier(key))) {
        return Optional.empty();
      }
      JWTClaimsSet claims = token.getJWTClaimsSet();
      Date exp = claims.getExpirationTime();
      // No clock allowance: this service set exp with its own clock.
      if (exp == null
          || !clock.instant().isBefore(exp.toInstant())
          || !accountSid.equals(claims.getSubject())
          || !Sids.isValid(PREFIX, claims.getJWTID())) {
        return Optional.empty();
      }
      Map<String, Object> grants = claims.getJSONObjectClaim(GRANTS);
      Object verify = grants == null ? null : grants.get(VERIFY);
      if (!(verify instanceof Map<?, ?> g)
          || !(g.get("service_sid") instanceof String service)
          || !(g.get("identity") instanceof String identity)
          || !(g.get("factor") instanceof String factor)) {
        return Optional.empty();
      }
      return Optional.of(new Grant(claims.getJWTID(), service, identity, factor));
    } catch (ParseException | JOSEException | IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /**
   * The SID of the factor a token enrols: derived from the token's SID, so that enrolling twice
   * with one token names the same factor, which the entity task refuses.
   */
  public String factorSidFor(Grant grant) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      byte[] digest = mac.doFinal(("factor\0" + grant.sid()).getBytes(StandardCharsets.UTF_8));
      return Sids.FACTOR + HexFormat.of().formatHex(digest, 0, 16);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JRE", e);
    }
  }

  private String sign(JWTClaimsSet claims) {
    try {
      SignedJWT jwt =
          new SignedJWT(
              new JWSHeader.Builder(JWSAlgorithm.HS256)
                  .type(JOSEObjectType.JWT)
                  .contentType(CONTENT_TYPE)
                  .build(),
              claims);
      jwt.sign(new MACSigner(key));
      return jwt.serialize();
    } catch (JOSEException e) {
      throw new IllegalStateException("a 256-bit HMAC key signs", e);
    }
  }

  private synchronized void remember(AccessToken token, Instant now) {
    Instant horizon = now.minus(FETCHABLE);
    while (!byAge.isEmpty() && byAge.peekFirst().createdAt().isBefore(horizon)) {
      issued.remove(byAge.pollFirst().sid());
    }
    byAge.addLast(token);
    issued.put(token.sid(), token);
  }
}
