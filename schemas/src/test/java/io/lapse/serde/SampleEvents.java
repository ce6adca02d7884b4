package io.lapse.serde;

import io.lapse.commands.v1.CommandReply;
import io.lapse.commands.v1.CommandStatus;
import io.lapse.commands.v1.CreateChallenge;
import io.lapse.commands.v1.CreateEntity;
import io.lapse.commands.v1.CreateFactor;
import io.lapse.commands.v1.CreateService;
import io.lapse.commands.v1.DeleteEntity;
import io.lapse.commands.v1.DeleteFactor;
import io.lapse.commands.v1.DeleteService;
import io.lapse.commands.v1.FactorChanges;
import io.lapse.commands.v1.FactorVerification;
import io.lapse.commands.v1.PurgeService;
import io.lapse.commands.v1.ReleaseTotpStep;
import io.lapse.commands.v1.RequestNotification;
import io.lapse.commands.v1.SettleChallenge;
import io.lapse.commands.v1.SubmitTotpAttempt;
import io.lapse.commands.v1.TotpAttempt;
import io.lapse.commands.v1.UpdateFactor;
import io.lapse.commands.v1.UpdateService;
import io.lapse.events.v1.AttemptOutcome;
import io.lapse.events.v1.ChallengeApproved;
import io.lapse.events.v1.ChallengeCreated;
import io.lapse.events.v1.ChallengeDenied;
import io.lapse.events.v1.ChallengeExpired;
import io.lapse.events.v1.DetailField;
import io.lapse.events.v1.FactorEvent;
import io.lapse.events.v1.NotificationRequested;
import io.lapse.events.v1.VerificationAttempted;
import io.lapse.events.v1.VerificationFailed;
import io.lapse.events.v1.VerificationRejected;
import io.lapse.state.v1.EntitySnapshot;
import io.lapse.state.v1.FactorSnapshot;
import io.lapse.state.v1.ServiceSnapshot;
import io.lapse.state.v1.WebhookSnapshot;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;

/**
 * One fully populated sample of every event and snapshot record (every optional field set, so
 * unions are exercised on their non-null branch), plus a sparse challenge with the optional fields
 * left null. Instants carry milliseconds, the schemas' precision.
 */
public final class SampleEvents {
  public static final Instant T0 = Instant.parse("2026-03-01T12:00:00.123Z");
  public static final String CHALLENGE = "YC" + "0123456789abcdef".repeat(2);
  public static final String ACCOUNT = "AC" + "1".repeat(32);
  public static final String SERVICE = "VA" + "2".repeat(32);
  public static final String ENTITY = "YE" + "3".repeat(32);
  public static final String FACTOR = "YF" + "4".repeat(32);
  public static final String IDENTITY = "ff483d1ff591898a9942916050d2ca3f";

  private SampleEvents() {}

  public static ChallengeCreated challengeCreated() {
    return ChallengeCreated.newBuilder()
        .setSid(CHALLENGE)
        .setAccountSid(ACCOUNT)
        .setServiceSid(SERVICE)
        .setEntitySid(ENTITY)
        .setIdentity(IDENTITY)
        .setFactorSid(FACTOR)
        .setFactorType("push")
        .setCreatedAt(T0)
        .setExpirationDate(T0.plusSeconds(300))
        .setDetailsMessage("Hi! Mr. John Doe, would you like to sign up?")
        .setDetailsFields(
            List.of(
                new DetailField("Action", "Sign up in portal"), new DetailField("Ünïcode", "✓")))
        .setDetailsDate(T0)
        .setHiddenDetails(Map.of("ip", "172.168.1.234", "city", "Lisboa"))
        .setIdempotencyKey("idem-1")
        .build();
  }

  /** A TOTP challenge with every optional field left at its default. */
  public static ChallengeCreated sparseChallengeCreated() {
    return ChallengeCreated.newBuilder()
        .setSid(CHALLENGE)
        .setAccountSid(ACCOUNT)
        .setServiceSid(SERVICE)
        .setEntitySid(ENTITY)
        .setIdentity(IDENTITY)
        .setFactorSid(FACTOR)
        .setFactorType("totp")
        .setCreatedAt(T0)
        .setExpirationDate(T0.plusSeconds(600))
        .build();
  }

  public static VerificationAttempted verificationAttempted() {
    return VerificationAttempted.newBuilder()
        .setSid(CHALLENGE)
        .setServiceSid(SERVICE)
        .setIdentity(IDENTITY)
        .setFactorSid(FACTOR)
        .setAttemptId("att-" + CHALLENGE)
        .setAttemptAt(T0.plusSeconds(12))
        .setOutcome(AttemptOutcome.WRONG_CODE)
        .setMetadata(Map.of("os", "Android"))
        .build();
  }

  public static ChallengeApproved challengeApproved() {
    return ChallengeApproved.newBuilder()
        .setSid(CHALLENGE)
        .setServiceSid(SERVICE)
        .setIdentity(IDENTITY)
        .setFactorSid(FACTOR)
        .setAttemptId("att-1")
        .setRespondedAt(T0.plusSeconds(20))
        .setDecidedAt(T0.plusSeconds(20).plusMillis(7))
        .setMetadata(Map.of("os", "iOS"))
        .build();
  }

  public static ChallengeDenied challengeDenied() {
    return ChallengeDenied.newBuilder()
        .setSid(CHALLENGE)
        .setServiceSid(SERVICE)
        .setIdentity(IDENTITY)
        .setFactorSid(FACTOR)
        .setAttemptId("att-2")
        .setRespondedAt(T0.plusSeconds(21))
        .setDecidedAt(T0.plusSeconds(21).plusMillis(3))
        .setMetadata(null)
        .build();
  }

  public static VerificationFailed verificationFailed() {
    return VerificationFailed.newBuilder()
        .setSid(CHALLENGE)
        .setServiceSid(SERVICE)
        .setIdentity(IDENTITY)
        .setFactorSid(FACTOR)
        .setAttemptId("att-3")
        .setFailedAttempts(4)
        .setDecidedAt(T0.plusSeconds(30))
        .build();
  }

  public static VerificationRejected verificationRejected() {
    return VerificationRejected.newBuilder()
        .setSid(CHALLENGE)
        .setServiceSid(SERVICE)
        .setIdentity(IDENTITY)
        .setFactorSid(FACTOR)
        .setAttemptId("att-4")
        .setCode(60323)
        .setReason("Challenge expired")
        .setDecidedAt(T0.plusSeconds(301))
        .build();
  }

  public static ChallengeExpired challengeExpired() {
    return ChallengeExpired.newBuilder()
        .setSid(CHALLENGE)
        .setServiceSid(SERVICE)
        .setIdentity(IDENTITY)
        .setFactorSid(FACTOR)
        .setExpirationDate(T0.plusSeconds(300))
        .setExpiredAt(T0.plusSeconds(300).plusMillis(2))
        .build();
  }

  public static NotificationRequested notificationRequested() {
    return NotificationRequested.newBuilder()
        .setSid(CHALLENGE)
        .setNotificationSid("NT" + "5".repeat(32))
        .setAccountSid(ACCOUNT)
        .setServiceSid(SERVICE)
        .setEntitySid(ENTITY)
        .setIdentity(IDENTITY)
        .setFactorSid(FACTOR)
        .setRequestedAt(T0.plusSeconds(1))
        .setTtlSeconds(300)
        .setPriority("high")
        .setMessage("Login request")
        .setNotificationPlatform("fcm")
        .setNotificationToken("tok-abc")
        .build();
  }

  public static ServiceSnapshot serviceSnapshot() {
    return ServiceSnapshot.newBuilder()
        .setSid(SERVICE)
        .setAccountSid(ACCOUNT)
        .setFriendlyName("Lapse Demo")
        .setCreatedAt(T0.minusSeconds(86_400))
        .setUpdatedAt(T0)
        .setPushIncludeDate(true)
        .setPushApnCredentialSid("CR" + "6".repeat(32))
        .setPushFcmCredentialSid("CR" + "7".repeat(32))
        .setTotpIssuer("Lapse")
        .setTotpTimeStep(30)
        .setTotpCodeLength(6)
        .setTotpSkew(1)
        .build();
  }

  public static EntitySnapshot entitySnapshot() {
    return EntitySnapshot.newBuilder()
        .setSid(ENTITY)
        .setAccountSid(ACCOUNT)
        .setServiceSid(SERVICE)
        .setIdentity(IDENTITY)
        .setCreatedAt(T0.minusSeconds(3_600))
        .setUpdatedAt(T0)
        .build();
  }

  public static FactorSnapshot factorSnapshot() {
    return FactorSnapshot.newBuilder()
        .setSid(FACTOR)
        .setAccountSid(ACCOUNT)
        .setServiceSid(SERVICE)
        .setEntitySid(ENTITY)
        .setIdentity(IDENTITY)
        .setFriendlyName("Pixel 8")
        .setFactorType("totp")
        .setStatus("verified")
        .setCreatedAt(T0.minusSeconds(600))
        .setUpdatedAt(T0)
        .setMetadata(Map.of("model", "Pixel"))
        .setCredentialSid(null)
        .setFailedVerifications(2)
        .setBindingAlg(null)
        .setBindingPublicKey(null)
        .setAppId(null)
        .setSdkVersion(null)
        .setNotificationPlatform("none")
        .setNotificationToken(null)
        .setTotpSecretCiphertext(
            ByteBuffer.wrap(new byte[] {0, 1, 2, (byte) 0xfe, (byte) 0xff, 42, 0, 7}))
        .setTotpSecretKeyId("k1")
        .setTotpAlg("sha1")
        .setTotpTimeStep(30)
        .setTotpCodeLength(6)
        .setTotpSkew(1)
        .build();
  }

  public static WebhookSnapshot webhookSnapshot() {
    return WebhookSnapshot.newBuilder()
        .setSid("YW" + "8".repeat(32))
        .setAccountSid(ACCOUNT)
        .setServiceSid(SERVICE)
        .setFriendlyName("backend")
        .setEventTypes(List.of("challenge.approved", "challenge.expired"))
        .setStatus("enabled")
        .setVersion("v2")
        .setWebhookUrl("https://example.com/hooks")
        .setWebhookMethod("POST")
        .setCreatedAt(T0.minusSeconds(60))
        .setUpdatedAt(T0)
        .build();
  }

  public static FactorEvent factorEvent() {
    return FactorEvent.newBuilder()
        .setType("factor.verified")
        .setSid(FACTOR)
        .setAccountSid(ACCOUNT)
        .setServiceSid(SERVICE)
        .setEntitySid(ENTITY)
        .setIdentity(IDENTITY)
        .setFriendlyName("Pixel 8")
        .setFactorType("push")
        .setStatus("verified")
        .setMetadata(Map.of("os", "Android"))
        .setOccurredAt(T0)
        .build();
  }

  public static CreateEntity createEntity() {
    return CreateEntity.newBuilder()
        .setRequestId("RQ-1")
        .setIssuedAt(T0)
        .setAccountSid(ACCOUNT)
        .setServiceSid(SERVICE)
        .setIdentity(IDENTITY)
        .setEntitySid(ENTITY)
        .build();
  }

  public static DeleteEntity deleteEntity() {
    return DeleteEntity.newBuilder()
        .setRequestId("RQ-2")
        .setIssuedAt(T0)
        .setServiceSid(SERVICE)
        .setIdentity(IDENTITY)
        .build();
  }

  public static CreateFactor createFactor() {
    return CreateFactor.newBuilder()
        .setRequestId("RQ-3")
        .setIssuedAt(T0)
        .setServiceSid(SERVICE)
        .setIdentity(IDENTITY)
        .setEntitySid(ENTITY)
        .setFactor(factorSnapshot())
        .setBindingDigest(ByteBuffer.wrap(new byte[] {9, 8, 7, 6}))
        .build();
  }

  public static UpdateFactor updateFactor() {
    return UpdateFactor.newBuilder()
        .setRequestId("RQ-4")
        .setIssuedAt(T0)
        .setServiceSid(SERVICE)
        .setIdentity(IDENTITY)
        .setFactorSid(FACTOR)
        .setChanges(FactorChanges.newBuilder().setFriendlyName("Pixel 9").setTotpSkew(0).build())
        .setVerification(
            FactorVerification.newBuilder()
                .setAttemptId("att-5")
                .setMatchedStepStarts(List.of(1_772_366_400L, 1_772_366_430L))
                .setPushProofValid(false)
                .build())
        .build();
  }

  public static DeleteFactor deleteFactor() {
    return DeleteFactor.newBuilder()
        .setRequestId("RQ-5")
        .setIssuedAt(T0)
        .setServiceSid(SERVICE)
        .setIdentity(IDENTITY)
        .setFactorSid(FACTOR)
        .build();
  }

  public static CreateChallenge createChallenge() {
    return CreateChallenge.newBuilder()
        .setRequestId("RQ-6")
        .setIssuedAt(T0)
        .setServiceSid(SERVICE)
        .setIdentity(IDENTITY)
        .setChallenge(challengeCreated())
        .setIdempotencyKey("key-1")
        .setTotpAttempt(totpAttempt())
        .build();
  }

  public static SubmitTotpAttempt submitTotpAttempt() {
    return SubmitTotpAttempt.newBuilder()
        .setRequestId("AT-1")
        .setIssuedAt(T0)
        .setServiceSid(SERVICE)
        .setIdentity(IDENTITY)
        .setFactorSid(FACTOR)
        .setAttempt(totpAttempt())
        .build();
  }

  public static SettleChallenge settleChallenge() {
    return SettleChallenge.newBuilder()
        .setRequestId("AT-1")
        .setIssuedAt(T0)
        .setServiceSid(SERVICE)
        .setIdentity(IDENTITY)
        .setFactorSid(FACTOR)
        .setChallengeSid(CHALLENGE)
        .setStatus("approved")
        .setRespondedAt(T0)
        .setUpdatedAt(T0)
        .setMetadata(Map.of("os", "ios"))
        .setAttemptId("AT-1")
        .build();
  }

  public static ReleaseTotpStep releaseTotpStep() {
    return ReleaseTotpStep.newBuilder()
        .setRequestId("AT-1")
        .setIssuedAt(T0)
        .setServiceSid(SERVICE)
        .setIdentity(IDENTITY)
        .setFactorSid(FACTOR)
        .setChallengeSid(CHALLENGE)
        .setCode(60322)
        .build();
  }

  public static RequestNotification requestNotification() {
    return RequestNotification.newBuilder()
        .setRequestId("RQ-7")
        .setIssuedAt(T0)
        .setServiceSid(SERVICE)
        .setIdentity(IDENTITY)
        .setChallengeDeadline(T0.plusSeconds(300))
        .setNotification(notificationRequested())
        .build();
  }

  private static TotpAttempt totpAttempt() {
    return TotpAttempt.newBuilder()
        .setChallengeSid(challengeCreated().getSid())
        .setAttemptId("AT-1")
        .setAttemptAt(T0)
        .setDeadline(T0.plusSeconds(300))
        .setMatchedStepStarts(java.util.List.of(T0.getEpochSecond() / 30 * 30))
        .setMetadata(null)
        .build();
  }

  public static CommandReply commandReply() {
    return CommandReply.newBuilder()
        .setRequestId("RQ-3")
        .setStatus(CommandStatus.ACCEPTED)
        .setCode(0)
        .setReason(null)
        .setResourceSid(FACTOR)
        .setFactorStatus("unverified")
        .setEntity(entitySnapshot())
        .setFactor(factorSnapshot())
        .build();
  }

  public static CreateService createService() {
    return CreateService.newBuilder()
        .setRequestId("RQ-S1")
        .setIssuedAt(T0)
        .setService(serviceSnapshot())
        .build();
  }

  public static UpdateService updateService() {
    return UpdateService.newBuilder()
        .setRequestId("RQ-S2")
        .setIssuedAt(T0)
        .setSid(SERVICE)
        .setFriendlyName("Renamed")
        .setTotpCodeLength(8)
        .build();
  }

  public static DeleteService deleteService() {
    return DeleteService.newBuilder().setRequestId("RQ-S3").setIssuedAt(T0).setSid(SERVICE).build();
  }

  public static PurgeService purgeService() {
    return PurgeService.newBuilder()
        .setRequestId("RQ-S3")
        .setIssuedAt(T0)
        .setServiceSid(SERVICE)
        .build();
  }

  /** Every record type, by its simple name. */
  public static Map<String, SpecificRecord> all() {
    return Map.ofEntries(
        Map.entry("ChallengeCreated", challengeCreated()),
        Map.entry("VerificationAttempted", verificationAttempted()),
        Map.entry("ChallengeApproved", challengeApproved()),
        Map.entry("ChallengeDenied", challengeDenied()),
        Map.entry("VerificationFailed", verificationFailed()),
        Map.entry("VerificationRejected", verificationRejected()),
        Map.entry("ChallengeExpired", challengeExpired()),
        Map.entry("NotificationRequested", notificationRequested()),
        Map.entry("ServiceSnapshot", serviceSnapshot()),
        Map.entry("EntitySnapshot", entitySnapshot()),
        Map.entry("FactorSnapshot", factorSnapshot()),
        Map.entry("WebhookSnapshot", webhookSnapshot()),
        Map.entry("FactorEvent", factorEvent()));
  }
}
