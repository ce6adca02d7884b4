package io.lapse.service.domain;

import io.lapse.commands.v1.CreateFactor;
import io.lapse.commands.v1.DeleteFactor;
import io.lapse.commands.v1.FactorChanges;
import io.lapse.commands.v1.FactorVerification;
import io.lapse.commands.v1.ResealedSecret;
import io.lapse.commands.v1.UpdateFactor;
import io.lapse.service.crypto.Base32;
import io.lapse.service.crypto.PushSignatureVerifier;
import io.lapse.service.crypto.TotpAlgorithm;
import io.lapse.service.decision.EntityDecider;
import io.lapse.state.v1.EntitySnapshot;
import io.lapse.state.v1.FactorSnapshot;
import io.lapse.state.v1.ServiceSnapshot;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Push and TOTP factors: enrolment, reads, config updates, verification of the factor itself, and
 * deletion. An entity is created with its first factor, as at Twilio. This class checks the request
 * (parameters, bindings, the code or signature of a verification) and reads from this instance's
 * catalog; every write is decided by the entity's single writer through the {@link EntityWriter},
 * which holds Twilio's per-entity limits (60315, 60317, 60326, 60310) and the one-time TOTP steps.
 */
public final class Factors {
  public static final String PUSH = EntityDecider.PUSH;
  public static final String TOTP = EntityDecider.TOTP;
  public static final String VERIFIED = EntityDecider.VERIFIED;
  static final String UNVERIFIED = EntityDecider.UNVERIFIED;
  private static final int GENERATED_SECRET_BYTES = 20;
  private static final Set<String> PLATFORMS = Set.of("apn", "fcm", "none");

  private static final Logger LOG = LoggerFactory.getLogger(Factors.class);

  private final EntityWriter writer;
  private final FactorCrypto crypto;
  private final AttemptSigner signer;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();

  public Factors(EntityWriter writer, FactorCrypto crypto, AttemptSigner signer, Clock clock) {
    this.writer = writer;
    this.crypto = crypto;
    this.signer = signer;
    this.clock = clock;
  }

  /**
   * An enrolment with an access token: the token's SID, and the factor SID derived from it, so that
   * the entity task refuses a second enrolment with the same token (60313).
   */
  public record Enrolment(String accessTokenSid, String factorSid) {}

  public CompletableFuture<CreatedFactor> create(
      String serviceSid, String identity, NewFactor req) {
    return create(serviceSid, identity, req, Optional.empty());
  }

  /**
   * Enrols a factor; completes once the entity task accepted it and this instance shows it (or the
   * wait for that ran out), without a thread waiting.
   *
   * @throws ApiError a refusal decided here at once (bad parameters, too many waiting)
   */
  public CompletableFuture<CreatedFactor> create(
      String serviceSid, String identity, NewFactor req, Optional<Enrolment> enrolment) {
    Entities.checkIdentity(identity);
    ServiceSnapshot service = Lookups.service(writer.catalog(), serviceSid);
    String sid = enrolment.map(Enrolment::factorSid).orElseGet(() -> Sids.random(Sids.FACTOR));
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
    byte[] bindingDigest;
    switch (req.factorType()) {
      case PUSH -> bindingDigest = preparePush(b, req);
      case TOTP -> {
        byte[] seed = prepareTotp(b, req, service);
        bindingDigest = crypto.totpBindingDigest(seed);
        secret = Base32.encode(seed);
        uri = otpauthUri(service, req.friendlyName(), secret, b);
      }
      default ->
          throw ApiError.invalidParam(
              "FactorType", "must be push or totp, got " + req.factorType());
    }
    String requestId = EntityWriter.newRequestId();
    CreateFactor command =
        CreateFactor.newBuilder()
            .setRequestId(requestId)
            .setIssuedAt(now)
            .setServiceSid(serviceSid)
            .setIdentity(identity)
            .setEntitySid(entitySidFor(serviceSid, identity))
            .setFactor(b.build())
            .setBindingDigest(ByteBuffer.wrap(bindingDigest))
            .setAccessTokenSid(enrolment.map(Enrolment::accessTokenSid).orElse(null))
            .build();
    String shownSecret = secret;
    String shownUri = uri;
    return writer.admit(
        () ->
            writer
                .decide(serviceSid, identity, requestId, command)
                .thenCompose(
                    reply ->
                        (reply.getEntity() == null
                                ? CompletableFuture.<Void>completedFuture(null)
                                : writer.whenEntityShown(reply.getEntity()))
                            .thenCompose(v -> writer.whenFactorShown(reply.getFactor()))
                            .thenApply(
                                v -> new CreatedFactor(reply.getFactor(), shownSecret, shownUri))));
  }

  /**
   * The SID the entity gets if the entity task has no entity for the identity: the one this
   * instance knows, if any (an entity from before the task decided entities keeps its SID), else a
   * new one.
   */
  private String entitySidFor(String serviceSid, String identity) {
    return writer
        .catalog()
        .entities()
        .byUniqueKey(Catalog.identityKey(serviceSid, identity))
        .map(EntitySnapshot::getSid)
        .orElseGet(() -> Sids.random(Sids.ENTITY));
  }

  /** Checks a push enrolment and fills in its binding; returns the binding's digest. */
  private byte[] preparePush(FactorSnapshot.Builder b, NewFactor req) {
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
    String normalizedKey = publicKey.trim();
    b.setBindingAlg(alg)
        .setBindingPublicKey(normalizedKey)
        .setAppId(appId)
        .setSdkVersion(sdkVersion)
        .setNotificationPlatform(platform)
        .setNotificationToken(req.notificationToken().orElse(null))
        .setCredentialSid(Sids.random(Sids.CREDENTIAL));
    return FactorCrypto.pushBindingDigest(normalizedKey);
  }

  /** Checks a TOTP enrolment, fills in its config and sealed seed; returns the seed. */
  private byte[] prepareTotp(FactorSnapshot.Builder b, NewFactor req, ServiceSnapshot service) {
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
   * the current window, or for push a DER signature over the factor SID. This instance checks the
   * code or signature; the entity task decides: a wrong TOTP code (or one of a time step already
   * accepted) is not an error (200, still unverified) but counts; a bad push signature counts and
   * is refused; after five failures every attempt is refused ({@link
   * ApiError#factorAttemptsLimit()}).
   */
  public CompletableFuture<FactorSnapshot> update(
      String serviceSid, String identity, String factorSid, FactorUpdate req) {
    FactorSnapshot current = get(serviceSid, identity, factorSid);
    if (PUSH.equals(current.getFactorType())) {
      req.notificationPlatform().ifPresent(Factors::checkPlatform);
    }
    FactorVerification verification = null;
    if (req.authPayload().isPresent() && !VERIFIED.equals(current.getStatus())) {
      // No early 60310 here, though the catalog may show five failures: only the entity task knows
      // whether this is the retry of an attempt it already answered (the fifth wrong code's retry
      // is answered as that code was), so it alone refuses.
      verification = verification(serviceSid, current, req.authPayload().get());
    }
    String requestId = EntityWriter.newRequestId();
    UpdateFactor command =
        UpdateFactor.newBuilder()
            .setRequestId(requestId)
            .setIssuedAt(clock.instant())
            .setServiceSid(serviceSid)
            .setIdentity(identity)
            .setFactorSid(factorSid)
            .setChanges(
                FactorChanges.newBuilder()
                    .setFriendlyName(req.friendlyName().orElse(null))
                    .setNotificationToken(req.notificationToken().orElse(null))
                    .setSdkVersion(req.sdkVersion().orElse(null))
                    .setNotificationPlatform(req.notificationPlatform().orElse(null))
                    .setTotpTimeStep(req.totpTimeStep().orElse(null))
                    .setTotpSkew(req.totpSkew().orElse(null))
                    .setTotpCodeLength(req.totpCodeLength().orElse(null))
                    .setTotpAlg(req.totpAlg().orElse(null))
                    .build())
            .setVerification(verification)
            .build();
    return writer.admit(() -> decided(serviceSid, identity, requestId, command));
  }

  /** The factor as the accepted update left it, once this instance shows it (bounded). */
  private CompletableFuture<FactorSnapshot> decided(
      String serviceSid, String identity, String requestId, UpdateFactor command) {
    return writer
        .decide(serviceSid, identity, requestId, command)
        .thenCompose(
            reply -> writer.whenFactorShown(reply.getFactor()).thenApply(v -> reply.getFactor()));
  }

  /** The verification as this instance checked it: matched time steps, or the proof's verdict. */
  private FactorVerification verification(
      String serviceSid, FactorSnapshot factor, String payload) {
    FactorVerification.Builder v =
        FactorVerification.newBuilder()
            // Keyed by factor and payload: a retry of this request is the same attempt, which the
            // entity task answers as before instead of counting it again.
            .setAttemptId(signer.factorAttemptId(factor.getSid(), payload))
            .setMatchedStepStarts(List.of())
            .setPushProofValid(false);
    if (PUSH.equals(factor.getFactorType())) {
      return v.setPushProofValid(FactorCrypto.pushProofMatches(factor, payload)).build();
    }
    int skew = StrictPolicy.totpSkew(Lookups.service(writer.catalog(), serviceSid), factor);
    long[] steps = crypto.totpMatchedSteps(factor, skew, payload, clock.instant());
    return v.setMatchedStepStarts(Arrays.stream(steps).boxed().toList()).build();
  }

  /**
   * What a re-seal did: the newest key's id, the seeds re-sealed under it, those already under it,
   * and those that could not be (a key no longer configured, or the entity task did not decide).
   */
  public record ResealReport(String keyId, int resealed, int alreadyCurrent, int failed) {}

  /**
   * Re-seals every TOTP seed this instance knows under the newest {@code LAPSE_SECRET_KEY}, so an
   * older key listed in {@code LAPSE_SECRET_KEYS_PREVIOUS} can be retired: each seed is opened with
   * the key that sealed it, sealed again under the newest, and written by the factor's entity task
   * (an update that carries the sealed seed and its binding digest, so the decision and the
   * snapshots stay the task's). Rerunnable: a seed already under the newest key is left alone. The
   * seeds are written one after the other, the whole run taking one place under the cap on waiting
   * requests; no thread waits.
   */
  public CompletableFuture<ResealReport> resealAll() {
    String current = crypto.keyId();
    List<FactorSnapshot> stale = new ArrayList<>();
    int alreadyCurrent = 0;
    for (FactorSnapshot f : writer.catalog().factors().all()) {
      if (!TOTP.equals(f.getFactorType()) || f.getTotpSecretCiphertext() == null) {
        continue;
      }
      if (current.equals(f.getTotpSecretKeyId())) {
        alreadyCurrent++;
      } else {
        stale.add(f);
      }
    }
    int untouched = alreadyCurrent;
    return writer.admit(
        () -> {
          AtomicInteger resealed = new AtomicInteger();
          AtomicInteger failed = new AtomicInteger();
          CompletableFuture<Void> run = CompletableFuture.completedFuture(null);
          for (FactorSnapshot f : stale) {
            run =
                run.thenCompose(v -> reseal(f))
                    .handle(
                        (v, error) -> {
                          if (error == null) {
                            resealed.incrementAndGet();
                          } else {
                            // Neither the seed nor the message (which may name key ids) is logged.
                            LOG.warn(
                                "TOTP seed of factor {} not re-sealed ({})",
                                f.getSid(),
                                Futures.cause(error).getClass().getName());
                            failed.incrementAndGet();
                          }
                          return null;
                        });
          }
          return run.thenApply(
              v -> new ResealReport(current, resealed.get(), untouched, failed.get()));
        });
  }

  private CompletableFuture<FactorSnapshot> reseal(FactorSnapshot f) {
    byte[] seed = crypto.totpSecret(f);
    UpdateFactor command;
    String requestId = EntityWriter.newRequestId();
    try {
      FactorSnapshot.Builder sealed = FactorSnapshot.newBuilder(f);
      crypto.sealTotpSecret(sealed, f.getSid(), seed);
      ResealedSecret secret =
          ResealedSecret.newBuilder()
              .setCiphertext(sealed.getTotpSecretCiphertext())
              .setKeyId(sealed.getTotpSecretKeyId())
              .setBindingDigest(ByteBuffer.wrap(crypto.totpBindingDigest(seed)))
              .build();
      command =
          UpdateFactor.newBuilder()
              .setRequestId(requestId)
              .setIssuedAt(clock.instant())
              .setServiceSid(f.getServiceSid())
              .setIdentity(f.getIdentity())
              .setFactorSid(f.getSid())
              .setChanges(FactorChanges.newBuilder().setResealedSecret(secret).build())
              .build();
    } finally {
      Arrays.fill(seed, (byte) 0);
    }
    return decided(f.getServiceSid(), f.getIdentity(), requestId, command);
  }

  /** Deletes the factor; completes once decided and shown gone here (bounded). */
  public CompletableFuture<Void> delete(String serviceSid, String identity, String factorSid) {
    get(serviceSid, identity, factorSid);
    String requestId = EntityWriter.newRequestId();
    DeleteFactor command =
        DeleteFactor.newBuilder()
            .setRequestId(requestId)
            .setIssuedAt(clock.instant())
            .setServiceSid(serviceSid)
            .setIdentity(identity)
            .setFactorSid(factorSid)
            .build();
    return writer.admit(
        () ->
            writer
                .decide(serviceSid, identity, requestId, command)
                .thenCompose(reply -> writer.whenFactorGone(factorSid)));
  }
}
