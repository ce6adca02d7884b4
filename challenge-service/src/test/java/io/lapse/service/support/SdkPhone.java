package io.lapse.service.support;

import com.fasterxml.jackson.databind.JsonNode;
import io.lapse.examples.DeviceSigner;
import io.lapse.service.domain.Json;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;

/**
 * A phone running Twilio's Verify Android SDK (0.9.0), replayed request for request: the paths,
 * form fields, query parameters and headers of {@code FactorAPIClient}, {@code ChallengeAPIClient}
 * and {@code ServiceAPIClient}, with the headers of {@code RequestHelper} ({@code User-Agent}; POST
 * and DELETE: {@code Accept: application/json}; GET: {@code Accept} and {@code Content-Type} both
 * {@code application/x-www-form-urlencoded}). The enrolment logs in with {@code
 * token:<accessToken>}; every later call with a device token signed by the factor's key ({@link
 * DeviceSigner#sdkToken}). The iOS SDK sends the same fields ({@code apn} for the platform).
 */
public final class SdkPhone {
  private static final String USER_AGENT =
      "Lapse Test App; Android; 1.0; 1; Android 14 (34); Pixel 8; VerifySDK; 0.9.0; 25";
  private static final String FORM = "application/x-www-form-urlencoded";

  private final HttpClient http = HttpClient.newHttpClient();
  private final String base;
  private final String accountSid;
  private final KeyPair keys = DeviceSigner.newKeyPair();
  private String serviceSid;
  private String identity;
  private String factorSid;
  private String credentialSid;

  /** A reply: status, parsed JSON body (null if empty), the signature-fields header. */
  public record Reply(int status, JsonNode json, String signatureFields) {
    public String text(String field) {
      return json == null ? null : json.path(field).asText(null);
    }
  }

  public SdkPhone(String baseUrl, String accountSid) {
    this.base = baseUrl + "/v2/";
    this.accountSid = accountSid;
  }

  public KeyPair keys() {
    return keys;
  }

  public String factorSid() {
    return factorSid;
  }

  /** {@code PushFactory.create}: a new key pair's public key, with the access token's login. */
  public Reply enrol(String accessToken, String serviceSid, String identity, String pushToken) {
    Map<String, String> body = new LinkedHashMap<>();
    body.put("FriendlyName", "Pixel 8");
    body.put("FactorType", "push");
    body.put(
        "Binding.PublicKey", Base64.getEncoder().encodeToString(keys.getPublic().getEncoded()));
    body.put("Binding.Alg", "ES256");
    body.put("Config.SdkVersion", "0.9.0");
    body.put("Config.AppId", "com.example.lapse");
    body.put("Config.NotificationPlatform", "fcm");
    body.put("Config.NotificationToken", pushToken);
    Reply r =
        post(
            "Services/" + serviceSid + "/Entities/" + identity + "/Factors",
            body,
            "token:" + accessToken);
    if (r.status() == 201) {
      this.serviceSid = serviceSid;
      this.identity = identity;
      this.factorSid = r.text("sid");
      this.credentialSid = r.json().path("config").path("credential_sid").asText();
    }
    return r;
  }

  /** {@code PushFactory.verify}: the DER signature over the factor SID. */
  public Reply verify() {
    return post(
        factorPath(), Map.of("AuthPayload", DeviceSigner.derSignature(keys, factorSid)), jwt());
  }

  /** {@code PushFactory.update}: a new FCM token. */
  public Reply updatePushToken(String pushToken) {
    Map<String, String> body = new LinkedHashMap<>();
    body.put("FriendlyName", "Pixel 8");
    body.put("Config.SdkVersion", "0.9.0");
    body.put("Config.AppId", "com.example.lapse");
    body.put("Config.NotificationPlatform", "fcm");
    body.put("Config.NotificationToken", pushToken);
    return post(factorPath(), body, jwt());
  }

  /** {@code ChallengeAPIClient.getAll}: PageSize, FactorSid, Order, then Status if given. */
  public Reply listChallenges(String status) {
    StringJoiner q = new StringJoiner("&");
    q.add("PageSize=10").add("FactorSid=" + factorSid).add("Order=asc");
    if (status != null) {
      q.add("Status=" + status);
    }
    return get(entityPath() + "/Challenges?" + q);
  }

  /** {@code ChallengeAPIClient.get}. */
  public Reply fetchChallenge(String challengeSid) {
    return get(entityPath() + "/Challenges/" + challengeSid);
  }

  /** {@code PushChallengeProcessor}: fetch, sign the listed fields with the status, post. */
  public Reply answer(String challengeSid, String status) {
    Reply fetched = fetchChallenge(challengeSid);
    if (fetched.signatureFields() == null) {
      return fetched;
    }
    var payload = Json.object();
    for (String field : fetched.signatureFields().split(",")) {
      payload.set(field, fetched.json().get(field));
    }
    payload.put("status", status);
    return post(
        entityPath() + "/Challenges/" + challengeSid,
        Map.of("AuthPayload", DeviceSigner.signJws(keys, payload.toString())),
        jwt());
  }

  /** {@code ServiceAPIClient.get}. */
  public Reply fetchService() {
    return get("Services/" + serviceSid);
  }

  /** {@code FactorAPIClient.delete}. */
  public Reply delete() {
    return send(
        request(factorPath(), jwt())
            .header("Accept", "application/json")
            .header("Content-Type", FORM)
            .DELETE()
            .build());
  }

  /** Any call the SDK never makes with an access token, made with one. */
  public Reply getWithToken(String path, String accessToken) {
    return get(path, "token:" + accessToken);
  }

  public Reply postWithToken(String path, Map<String, String> body, String accessToken) {
    return post(path, body, "token:" + accessToken);
  }

  private String entityPath() {
    return "Services/" + serviceSid + "/Entities/" + identity;
  }

  private String factorPath() {
    return entityPath() + "/Factors/" + factorSid;
  }

  private String jwt() {
    return "token:" + DeviceSigner.sdkToken(keys, credentialSid, accountSid, Instant.now());
  }

  private Reply get(String path) {
    return get(path, jwt());
  }

  private Reply get(String path, String credentials) {
    return send(
        request(path, credentials)
            .header("Accept", FORM)
            .header("Content-Type", FORM)
            .GET()
            .build());
  }

  private Reply post(String path, Map<String, String> body, String credentials) {
    StringJoiner form = new StringJoiner("&");
    body.forEach(
        (k, v) ->
            form.add(
                URLEncoder.encode(k, StandardCharsets.UTF_8)
                    + "="
                    + URLEncoder.encode(v, StandardCharsets.UTF_8)));
    return send(
        request(path, credentials)
            .header("Accept", "application/json")
            .header("Content-Type", FORM)
            .POST(HttpRequest.BodyPublishers.ofString(form.toString()))
            .build());
  }

  private HttpRequest.Builder request(String path, String credentials) {
    return HttpRequest.newBuilder(URI.create(base + path))
        .header("User-Agent", USER_AGENT)
        .header(
            "Authorization",
            "Basic "
                + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
  }

  private Reply send(HttpRequest request) {
    try {
      HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
      JsonNode json = r.body().isEmpty() ? null : Json.parse(r.body()).orElse(null);
      return new Reply(
          r.statusCode(),
          json,
          r.headers().firstValue("Twilio-Verify-Signature-Fields").orElse(null));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
