package io.lapse.service.support;

import static org.assertj.core.api.Assertions.assertThat;

import io.lapse.examples.DeviceSigner;
import io.lapse.service.crypto.Base32;
import io.lapse.service.crypto.TotpAlgorithm;
import io.lapse.service.crypto.TotpVerifier;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;

/** Builds the resources most tests start from, through the HTTP API. */
public final class Scenario {
  private final HttpTestClient api;
  private final Clock clock;

  public Scenario(ApiFixture api) {
    this(api, api.clock);
  }

  public Scenario(HttpTestClient api, Clock clock) {
    this.api = api;
    this.clock = clock;
  }

  public String service() {
    HttpTestClient.Reply r = api.post("/v2/Services", "FriendlyName", "Test service");
    assertThat(r.status()).isEqualTo(201);
    return r.text("sid");
  }

  public static String identity() {
    return "user-" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
  }

  /**
   * A TOTP factor, verified with the code of the previous time step (inside the default skew), so
   * the current step is still free for the test's challenges: a step is accepted once per factor.
   */
  public TotpFactor verifiedTotp(String serviceSid, String identity) {
    return verifiedTotp(serviceSid, identity, Duration.ofSeconds(-30));
  }

  /**
   * A TOTP factor, verified with the code of the current time step: for a service whose policy
   * allows no skew ({@code LapseMaxTotpSkew=0}); its challenges need the next step's code.
   */
  public TotpFactor verifiedTotpAtCurrentStep(String serviceSid, String identity) {
    return verifiedTotp(serviceSid, identity, Duration.ZERO);
  }

  private TotpFactor verifiedTotp(String serviceSid, String identity, Duration codeOffset) {
    HttpTestClient.Reply r =
        api.post(
            entityPath(serviceSid, identity) + "/Factors",
            "FriendlyName",
            "phone",
            "FactorType",
            "totp");
    assertThat(r.status()).isEqualTo(201);
    TotpFactor f =
        new TotpFactor(r.text("sid"), r.json().path("binding").path("secret").asText(), clock);
    HttpTestClient.Reply v =
        api.post(
            entityPath(serviceSid, identity) + "/Factors/" + f.sid(),
            "AuthPayload",
            f.codeAt(clock.instant().plus(codeOffset)));
    assertThat(v.text("status")).isEqualTo("verified");
    return f;
  }

  /** A push factor with a key pair made here, verified with a DER signature over its SID. */
  public PushFactor verifiedPush(String serviceSid, String identity, String platform) {
    KeyPair keys = DeviceSigner.newKeyPair();
    String[] form = {
      "FriendlyName", "device",
      "FactorType", "push",
      "Binding.Alg", "ES256",
      "Binding.PublicKey", Base64.getEncoder().encodeToString(keys.getPublic().getEncoded()),
      "Config.AppId", "com.example.app",
      "Config.SdkVersion", "1.0.0",
      "Config.NotificationPlatform", platform,
      "Config.NotificationToken", "t".repeat(40)
    };
    HttpTestClient.Reply r = api.post(entityPath(serviceSid, identity) + "/Factors", form);
    assertThat(r.status()).as(r.json().toString()).isEqualTo(201);
    PushFactor f = new PushFactor(r.text("sid"), keys);
    HttpTestClient.Reply v =
        api.post(
            entityPath(serviceSid, identity) + "/Factors/" + f.sid(),
            "AuthPayload",
            DeviceSigner.derSignature(keys, f.sid()));
    assertThat(v.text("status")).isEqualTo("verified");
    return f;
  }

  /**
   * What the Verify mobile SDKs send to answer a push challenge: the fields named in the GET's
   * {@code Twilio-Verify-Signature-Fields} header, as read, plus the chosen status, in an ES256
   * JWS.
   */
  public static String approvalJws(KeyPair keys, HttpTestClient.Reply get, String status) {
    String header = get.headers().firstValue("Twilio-Verify-Signature-Fields").orElseThrow();
    com.fasterxml.jackson.databind.node.ObjectNode payload = io.lapse.service.domain.Json.object();
    for (String field : header.split(",")) {
      payload.set(field, get.json().get(field));
    }
    payload.put("status", status);
    return DeviceSigner.signJws(keys, payload.toString());
  }

  public static String entityPath(String serviceSid, String identity) {
    return "/v2/Services/" + serviceSid + "/Entities/" + identity;
  }

  /** A TOTP factor's SID and Base32 seed. */
  public record TotpFactor(String sid, String secret, Clock clock) {
    public String codeNow() {
      return codeAt(clock.instant());
    }

    /** The code of the time step (default parameters) that contains {@code at}. */
    public String codeAt(Instant at) {
      return TotpVerifier.codeAt(
          Base32.decode(secret), new TotpVerifier.Params(TotpAlgorithm.SHA1, 6, 30, 1), at);
    }
  }

  /** A push factor's SID and key pair. */
  public record PushFactor(String sid, KeyPair keys) {}
}
