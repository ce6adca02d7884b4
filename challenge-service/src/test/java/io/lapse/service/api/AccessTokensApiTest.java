package io.lapse.service.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.SignedJWT;
import io.lapse.examples.DeviceSigner;
import io.lapse.service.support.ApiFixture;
import io.lapse.service.support.HttpTestClient;
import io.lapse.service.support.HttpTestClient.Reply;
import io.lapse.service.support.Scenario;
import java.security.KeyPair;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code …/AccessTokens}: the fields of Twilio's spec, the parameter checks, and what a token lets
 * its holder do: enrol one push factor for its identity and service before its TTL, nothing else.
 */
class AccessTokensApiTest {
  private final ApiFixture api = new ApiFixture();
  private final Scenario scenario = new Scenario(api);
  private final String service = scenario.service();
  private final String identity = Scenario.identity();
  private final String entity = Scenario.entityPath(service, identity);

  @AfterEach
  void close() {
    api.close();
  }

  private Reply createToken(String... extra) {
    String[] form = new String[4 + extra.length];
    form[0] = "Identity";
    form[1] = identity;
    form[2] = "FactorType";
    form[3] = "push";
    System.arraycopy(extra, 0, form, 4, extra.length);
    return api.post("/v2/Services/" + service + "/AccessTokens", form);
  }

  private String token(String... extra) {
    Reply r = createToken(extra);
    assertThat(r.status()).as(String.valueOf(r.json())).isEqualTo(201);
    return r.text("token");
  }

  private HttpTestClient phone(String accessToken) {
    return new HttpTestClient(api.baseUrl(), "token", accessToken);
  }

  private static String[] enrolment(KeyPair keys) {
    return new String[] {
      "FriendlyName", "Pixel 8",
      "FactorType", "push",
      "Binding.PublicKey", Base64.getEncoder().encodeToString(keys.getPublic().getEncoded()),
      "Binding.Alg", "ES256",
      "Config.SdkVersion", "0.9.0",
      "Config.AppId", "com.example.lapse",
      "Config.NotificationPlatform", "fcm",
      "Config.NotificationToken", "f".repeat(40)
    };
  }

  private static void assertRefused(Reply r) {
    assertThat(r.status()).as(String.valueOf(r.json())).isEqualTo(401);
    assertThat(r.json().path("code").asInt()).isEqualTo(20003);
  }

  @Test
  void shouldAnswerWithTheFieldsOfTwiliosSpec() throws Exception {
    Reply r = createToken("FactorFriendlyName", "John's phone", "Ttl", "300");

    assertThat(r.status()).isEqualTo(201);
    assertThat(r.json().fieldNames())
        .toIterable()
        .containsExactlyInAnyOrder(
            "sid",
            "account_sid",
            "service_sid",
            "entity_identity",
            "factor_type",
            "factor_friendly_name",
            "token",
            "url",
            "ttl",
            "date_created");
    assertThat(r.text("sid")).matches("YK[0-9a-f]{32}");
    assertThat(r.text("account_sid")).isEqualTo(ApiFixture.ACCOUNT_SID);
    assertThat(r.text("entity_identity")).isEqualTo(identity);
    assertThat(r.text("factor_type")).isEqualTo("push");
    assertThat(r.text("factor_friendly_name")).isEqualTo("John's phone");
    assertThat(r.json().path("ttl").asInt()).isEqualTo(300);
    assertThat(r.text("url"))
        .endsWith("/v2/Services/" + service + "/AccessTokens/" + r.text("sid"));
    SignedJWT jwt = SignedJWT.parse(r.text("token"));
    assertThat(jwt.getHeader().getContentType()).isEqualTo("twilio-fpa;v=1");
    assertThat(jwt.getJWTClaimsSet().getJWTID()).isEqualTo(r.text("sid"));
    assertThat(jwt.getJWTClaimsSet().getSubject()).isEqualTo(ApiFixture.ACCOUNT_SID);
    assertThat(
            jwt.getJWTClaimsSet().getExpirationTime().getTime()
                - jwt.getJWTClaimsSet().getIssueTime().getTime())
        .isEqualTo(300_000L);

    Reply fetched = api.get("/v2/Services/" + service + "/AccessTokens/" + r.text("sid"));
    assertThat(fetched.status()).isEqualTo(200);
    assertThat(fetched.json()).isEqualTo(r.json());
  }

  @Test
  void shouldDefaultTheTtlToSixtySeconds() {
    assertThat(createToken().json().path("ttl").asInt()).isEqualTo(60);
    assertThat(createToken().json().path("factor_friendly_name").isNull()).isTrue();
  }

  @Test
  void shouldRefuseBadParameters() {
    for (String ttl : new String[] {"59", "301", "abc"}) {
      Reply r = createToken("Ttl", ttl);
      assertThat(r.status()).as(ttl).isEqualTo(400);
      assertThat(r.json().path("code").asInt()).isEqualTo(60300);
    }
    assertThat(
            api.post(
                    "/v2/Services/" + service + "/AccessTokens",
                    "Identity",
                    identity,
                    "FactorType",
                    "totp")
                .status())
        .isEqualTo(400);
    assertThat(api.post("/v2/Services/" + service + "/AccessTokens", "FactorType", "push").status())
        .isEqualTo(400);
    assertThat(
            api.post(
                    "/v2/Services/VA" + "0".repeat(32) + "/AccessTokens",
                    "Identity",
                    identity,
                    "FactorType",
                    "push")
                .status())
        .isEqualTo(404);
    assertThat(api.get("/v2/Services/" + service + "/AccessTokens/YK" + "0".repeat(32)).status())
        .isEqualTo(404);
  }

  @Test
  void shouldEnrolOnePushFactorWithTheToken() {
    Reply r = phone(token()).post(entity + "/Factors", enrolment(DeviceSigner.newKeyPair()));

    assertThat(r.status()).as(String.valueOf(r.json())).isEqualTo(201);
    assertThat(r.text("status")).isEqualTo("unverified");
    assertThat(r.text("identity")).isEqualTo(identity);
    assertThat(api.get(entity + "/Factors/" + r.text("sid")).status()).isEqualTo(200);
  }

  @Test
  void shouldRefuseASecondEnrolmentWithTheSameToken() {
    String token = token();
    assertThat(
            phone(token).post(entity + "/Factors", enrolment(DeviceSigner.newKeyPair())).status())
        .isEqualTo(201);

    Reply again = phone(token).post(entity + "/Factors", enrolment(DeviceSigner.newKeyPair()));

    assertThat(again.status()).isEqualTo(403);
    assertThat(again.json().path("code").asInt()).isEqualTo(60313);
  }

  @Test
  void shouldRefuseTheTokenAgainAfterItsFactorWasDeleted() {
    String token = token();
    Reply first = phone(token).post(entity + "/Factors", enrolment(DeviceSigner.newKeyPair()));
    assertThat(api.delete(entity + "/Factors/" + first.text("sid")).status()).isEqualTo(204);

    Reply again = phone(token).post(entity + "/Factors", enrolment(DeviceSigner.newKeyPair()));

    assertThat(again.json().path("code").asInt()).isEqualTo(60313);
  }

  @Test
  void shouldRefuseTheTokenOnceItsTtlHasPassed() {
    String token = token("Ttl", "120");
    api.clock.advance(Duration.ofSeconds(120));

    assertRefused(phone(token).post(entity + "/Factors", enrolment(DeviceSigner.newKeyPair())));
  }

  @Test
  void shouldRefuseTheTokenForAnotherIdentityOrServiceOrFactorType() {
    String token = token();
    String otherService = scenario.service();

    assertRefused(
        phone(token)
            .post(
                Scenario.entityPath(service, Scenario.identity()) + "/Factors",
                enrolment(DeviceSigner.newKeyPair())));
    assertRefused(
        phone(token)
            .post(
                Scenario.entityPath(otherService, identity) + "/Factors",
                enrolment(DeviceSigner.newKeyPair())));
    String[] totp = {"FriendlyName", "x", "FactorType", "totp"};
    assertRefused(phone(token).post(entity + "/Factors", totp));
  }

  @Test
  void shouldRefuseTheTokenOnEveryOtherRoute() {
    String token = token();
    HttpTestClient phone = phone(token);
    Reply enrolled = phone(token()).post(entity + "/Factors", enrolment(DeviceSigner.newKeyPair()));
    String factor = entity + "/Factors/" + enrolled.text("sid");

    assertRefused(phone.get("/v2/Services"));
    assertRefused(phone.get("/v2/Services/" + service));
    assertRefused(phone.post("/v2/Services", "FriendlyName", "x"));
    assertRefused(phone.get(entity));
    assertRefused(phone.post("/v2/Services/" + service + "/Entities", "Identity", "x"));
    assertRefused(phone.get(entity + "/Factors"));
    assertRefused(phone.get(factor));
    assertRefused(phone.post(factor, "FriendlyName", "x"));
    assertRefused(phone.delete(factor));
    assertRefused(phone.get(entity + "/Challenges"));
    assertRefused(phone.post(entity + "/Challenges", "FactorSid", enrolled.text("sid")));
    assertRefused(
        phone.post(
            "/v2/Services/" + service + "/AccessTokens",
            "Identity",
            identity,
            "FactorType",
            "push"));
    assertRefused(phone.get("/v2/Services/" + service + "/AccessTokens/YK" + "0".repeat(32)));
    assertRefused(phone.post(entity + "/Factors/", enrolment(DeviceSigner.newKeyPair())));
  }

  @Test
  void shouldRefuseATokenSignedWithAnotherKey() throws Exception {
    String token = token();
    // The same claims under a header that names no key of ours: the signature no longer matches.
    String[] parts = token.split("\\.");
    String forged =
        parts[0]
            + "."
            + parts[1]
            + "."
            + Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[32]);

    assertRefused(phone(forged).post(entity + "/Factors", enrolment(DeviceSigner.newKeyPair())));
  }
}
