package io.lapse.service.domain;

import io.lapse.service.crypto.Base32;
import io.lapse.service.crypto.PushSignatureVerifier;
import io.lapse.service.crypto.TotpAlgorithm;
import io.lapse.state.v1.EntitySnapshot;
import io.lapse.state.v1.FactorSnapshot;
import io.lapse.state.v1.ServiceSnapshot;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Push and TOTP factors: enrolment (with Twilio's binding rules and per-entity limits), reads,
 * config updates, verification of the factor itself, and deletion. An entity is created with its
 * first factor, as at Twilio.
 */
public final class Factors {
  public static final String PUSH = "push";
  public static final String TOTP = "totp";
  public static final String VERIFIED = "verified";
  static final String UNVERIFIED = "unverified";
  static final int MAX_PUSH_PER_ENTITY = 20;
  static final int MAX_TOTP_PER_ENTITY = 100;
  static final int MAX_FAILED_VERIFICATIONS = 5;
  private static final int GENERATED_SECRET_BYTES = 20;
  private static final Set<String> PLATFORMS = Set.of("apn", "fcm", "none");

  private final CatalogWriter writer;
  private final Entities entities;
  private final FactorCrypto crypto;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();

  public Factors(CatalogWriter writer, Entities entities, FactorCrypto crypto, Clock clock) {
    this.writer = writer;
    this.entities = entities;
    this.crypto = crypto;
    this.clock = clock;
  }

  public CreatedFactor create(String serviceSid, String identity, NewFactor req) {
    Entities.checkIdentity(identity);
    return writer.atomically(
        () -> {
          ServiceSnapshot service = Lookups.service(writer.catalog(), serviceSid);
          EntitySnapshot entity =
              writer
                  .catalog()
                  .entities()
                  .byUniqueKey(Catalog.identityKey(serviceSid, identity))
                  .orElse(null);
          List<FactorSnapshot> existing =
              entity == null ? List.of() : writer.catalog().factors().children(entity.getSid());
          String sid = Sids.random(Sids.FACTOR);
          Instant now = clock.instant();
          FactorSnapshot.Builder b =
              FactorSnapshot.newBuilder()
                  .setSid(sid)
                  .setAccountSid(service.getAccountSid())
                  .setServiceSid(serviceSid)
                  .setIdentity(identity)
                  .setEntitySid("")
                  .setFriendlyName(req.friendlyName())
                  .setFactorType(req.factorType())
                  .setStatus(UNVERIFIED)
                  .setCreatedAt(now)
                  .setUpdatedAt(now)
                  .setMetadata(req.metadata());
          String secret = null;
          String uri = null;
          switch (req.factorType()) {
            case PUSH -> preparePush(b, req, existing);
            case TOTP -> {
              byte[] seed = prepareTotp(b, req, service, existing);
              secret = Base32.encode(seed);
              uri = otpauthUri(service, req.friendlyName(), secret, b);
            }
            default ->
                throw ApiError.invalidParam(
                    "FactorType", "must be push or totp, got " + req.factorType());
          }
          // Everything is checked: only now may the entity be created implicitly.
          if (entity == null) {
            entity = entities.createUnlocked(serviceSid, identity);
          }
          FactorSnapshot factor = b.setEntitySid(entity.getSid()).build();
          writer.putFactor(factor);
          return new CreatedFactor(factor, secret, uri);
        });
  }

  private void preparePush(FactorSnapshot.Builder b, NewFactor req, List<FactorSnapshot> existing) {
    String alg = req.bindingAlg().orElse("ES256");
    if (!"ES256".equals(alg)) {
      throw ApiError.invalidBinding("Binding.Alg must be ES256");
    }
    String publicKey =
        req.bindingPublicKey().orElseThrow(() -> ApiError.missingParam("Binding.PublicKey"));
    try {
      PushSignatureVerifier.parsePublicKey(publicKey);
    } catch (IllegalArgumentException e) {
      throw ApiError.invalidBinding(e.getMessage());
    }
    String appId = req.appId().orElseThrow(() -> ApiError.missingParam("Config.AppId"));
    String sdkVersion =
        req.sdkVersion().orElseThrow(() -> ApiError.missingParam("Config.SdkVersion"));
    String platform =
        req.notificationPlatform()
            .orElseThrow(() -> ApiError.missingParam("Config.NotificationPlatform"));
    checkPlatform(platform);
    if (!"none".equals(platform) && req.notificationToken().isEmpty()) {
      throw ApiError.missingParam("Config.NotificationToken");
    }
    long pushCount = existing.stream().filter(f -> PUSH.equals(f.getFactorType())).count();
    if (pushCount >= MAX_PUSH_PER_ENTITY) {
      throw ApiError.tooManyFactors(PUSH, MAX_PUSH_PER_ENTITY);
    }
    String normalizedKey = publicKey.trim();
    if (existing.stream().anyMatch(f -> normalizedKey.equals(f.getBindingPublicKey()))) {
      throw ApiError.factorExists();
    }
    b.setBindingAlg(alg)
        .setBindingPublicKey(normalizedKey)
        .setAppId(appId)
        .setSdkVersion(sdkVersion)
        .setNotificationPlatform(platform)
        .setNotificationToken(req.notificationToken().orElse(null))
        .setCredentialSid(Sids.random(Sids.CREDENTIAL));
  }

  private byte[] prepareTotp(
      FactorSnapshot.Builder b,
      NewFactor req,
      ServiceSnapshot service,
      List<FactorSnapshot> existing) {
    byte[] seed;
    if (req.bindingSecret().isPresent()) {
      try {
        seed = Base32.decode(req.bindingSecret().get());
      } catch (IllegalArgumentException e) {
        throw ApiError.invalidBinding("Binding.Secret must be Base32");
      }
      if (seed.length < FactorCrypto.MIN_SEED_BYTES) {
        throw ApiError.invalidBinding(
            "Binding.Secret must encode at least 128 bits (26 Base32 characters)");
      }
    } else {
      seed = new byte[GENERATED_SECRET_BYTES];
      random.nextBytes(seed);
    }
    List<FactorSnapshot> totps =
        existing.stream().filter(f -> TOTP.equals(f.getFactorType())).toList();
    if (totps.size() >= MAX_TOTP_PER_ENTITY) {
      throw ApiError.tooManyFactors(TOTP, MAX_TOTP_PER_ENTITY);
    }
    if (req.bindingSecret().isPresent()) {
      byte[] given = seed;
      for (FactorSnapshot f : totps) {
        // A seed this instance cannot read cannot be compared; it does not block a new factor.
        if (crypto.readableTotpSecret(f).filter(s -> MessageDigest.isEqual(s, given)).isPresent()) {
          throw ApiError.factorExists();
        }
      }
    }
    b.setTotpAlg(req.totpAlg().orElse(TotpAlgorithm.SHA1.twilioName()))
        .setTotpTimeStep(req.totpTimeStep().orElse(service.getTotpTimeStep()))
        .setTotpSkew(req.totpSkew().orElse(service.getTotpSkew()))
        .setTotpCodeLength(req.totpCodeLength().orElse(service.getTotpCodeLength()));
    crypto.sealTotpSecret(b, b.getSid(), seed);
    return seed;
  }

  /** Google Authenticator key URI; the issuer is the service's TOTP issuer or its name. */
  private static String otpauthUri(
      ServiceSnapshot service, String account, String secret, FactorSnapshot.Builder b) {
    String issuer =
        service.getTotpIssuer() != null ? service.getTotpIssuer() : service.getFriendlyName();
    TotpAlgorithm alg = TotpAlgorithm.fromTwilioName(b.getTotpAlg()).orElse(TotpAlgorithm.SHA1);
    return "otpauth://totp/"
        + encode(issuer)
        + ":"
        + encode(account)
        + "?secret="
        + secret
        + "&issuer="
        + encode(issuer)
        + "&algorithm="
        + alg.uriName()
        + "&digits="
        + b.getTotpCodeLength()
        + "&period="
        + b.getTotpTimeStep();
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static void checkPlatform(String platform) {
    if (!PLATFORMS.contains(platform)) {
      throw ApiError.invalidParam("Config.NotificationPlatform", "must be apn, fcm or none");
    }
  }

  public FactorSnapshot get(String serviceSid, String identity, String factorSid) {
    return Lookups.factor(writer.catalog(), serviceSid, identity, factorSid);
  }

  public Pager.Page<FactorSnapshot> list(String serviceSid, String identity, PageRequest request) {
    EntitySnapshot entity = Lookups.entity(writer.catalog(), serviceSid, identity);
    TreeMap<SortKey, FactorSnapshot> sorted = new TreeMap<>();
    writer
        .catalog()
        .factors()
        .children(entity.getSid())
        .forEach(f -> sorted.put(SortKey.of(f.getCreatedAt(), f.getSid()), f));
    return Pager.page(
        sorted.navigableKeySet(),
        false,
        k -> Optional.ofNullable(sorted.get(k)),
        f -> true,
        request);
  }

  /**
   * Applies config changes and, with an {@code AuthPayload}, verifies the factor: a TOTP code of
   * the current window, or for push a DER signature over the factor SID. A wrong TOTP code is not
   * an error (200, still unverified) but counts; after five failures every attempt is refused
   * ({@link ApiError#factorAttemptsLimit()}).
   */
  public FactorSnapshot update(
      String serviceSid, String identity, String factorSid, FactorUpdate req) {
    return writer.atomically(
        () -> {
          FactorSnapshot current = get(serviceSid, identity, factorSid);
          FactorSnapshot.Builder b = FactorSnapshot.newBuilder(current);
          applyConfig(b, current, req);
          if (req.authPayload().isPresent() && !VERIFIED.equals(current.getStatus())) {
            if (current.getFailedVerifications() >= MAX_FAILED_VERIFICATIONS) {
              throw ApiError.factorAttemptsLimit();
            }
            String payload = req.authPayload().get();
            boolean ok =
                PUSH.equals(current.getFactorType())
                    ? FactorCrypto.pushProofMatches(current, payload)
                    : crypto.totpMatches(
                        current,
                        StrictPolicy.totpSkew(
                            Lookups.service(writer.catalog(), serviceSid), current),
                        payload,
                        clock.instant());
            if (ok) {
              b.setStatus(VERIFIED).setFailedVerifications(0);
            } else {
              b.setFailedVerifications(current.getFailedVerifications() + 1);
              if (PUSH.equals(current.getFactorType())) {
                writer.putFactor(b.setUpdatedAt(clock.instant()).build());
                throw ApiError.factorVerificationFailed();
              }
            }
          }
          FactorSnapshot updated = b.setUpdatedAt(clock.instant()).build();
          writer.putFactor(updated);
          return updated;
        });
  }

  private static void applyConfig(
      FactorSnapshot.Builder b, FactorSnapshot current, FactorUpdate req) {
    req.friendlyName().ifPresent(b::setFriendlyName);
    boolean push = PUSH.equals(current.getFactorType());
    if (push) {
      req.notificationToken().ifPresent(b::setNotificationToken);
      req.sdkVersion().ifPresent(b::setSdkVersion);
      req.notificationPlatform()
          .ifPresent(
              p -> {
                checkPlatform(p);
                b.setNotificationPlatform(p);
              });
      if (!"none".equals(b.getNotificationPlatform()) && b.getNotificationToken() == null) {
        throw ApiError.missingParam("Config.NotificationToken");
      }
    } else {
      req.totpTimeStep().ifPresent(b::setTotpTimeStep);
      req.totpSkew().ifPresent(b::setTotpSkew);
      req.totpCodeLength().ifPresent(b::setTotpCodeLength);
      req.totpAlg().ifPresent(b::setTotpAlg);
    }
  }

  public void delete(String serviceSid, String identity, String factorSid) {
    writer.atomically(
        () -> {
          get(serviceSid, identity, factorSid);
          writer.deleteFactor(factorSid);
          return null;
        });
  }
}
