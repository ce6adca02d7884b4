package io.lapse.service.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.lapse.service.domain.Json;
import io.lapse.service.support.ApiFixture;
import io.lapse.service.support.HttpTestClient.Reply;
import io.lapse.service.support.RawHttp;
import io.lapse.service.support.Scenario;
import io.lapse.state.v1.FactorSnapshot;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Bad input over real HTTP gets a 4xx in Twilio's error shape, never a 5xx: bodies of another type
 * (415), bodies over the cap, declared or chunked (413), TOTP secrets under 128 bits (400), and the
 * refusals of the HTTP server itself.
 */
class BadInputApiTest {
  private final ApiFixture api = new ApiFixture();
  private final RawHttp raw = new RawHttp(api.baseUrl());
  private final HttpClient http = HttpClient.newHttpClient();
  private final String basic =
      "Basic "
          + Base64.getEncoder()
              .encodeToString(
                  (ApiFixture.ACCOUNT_SID + ":" + ApiFixture.AUTH_TOKEN)
                      .getBytes(StandardCharsets.UTF_8));

  @AfterEach
  void close() {
    api.close();
  }

  private record Answer(int status, JsonNode json, String body) {}

  private Answer post(String path, String contentType, BodyPublisher body) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(api.url(path))).header("Authorization", basic).POST(body);
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return new Answer(r.statusCode(), Json.parse(r.body()).orElse(null), r.body());
  }

  private static void assertTwilioError(Answer a, int status, int code) {
    assertThat(a.status()).as(a.body()).isEqualTo(status);
    assertTwilioShape(a.json(), status, code);
  }

  private static void assertTwilioShape(JsonNode json, int status, int code) {
    assertThat(json).as("a JSON body").isNotNull();
    assertThat(json.path("code").asInt()).isEqualTo(code);
    assertThat(json.path("status").asInt()).isEqualTo(status);
    assertThat(json.path("more_info").asText())
        .isEqualTo("https://www.twilio.com/docs/errors/" + code);
    assertThat(json.path("message").asText()).isNotBlank().doesNotContain("Exception");
  }

  @Test
  void shouldAnswer415ForAMultipartBodyWithABadBoundary() throws Exception {
    Answer a =
        post(
            "/v2/Services",
            "multipart/form-data; boundary=",
            HttpRequest.BodyPublishers.ofString("--x\r\nContent-Disposition: form-data\r\n\r\nz"));

    assertTwilioError(a, 415, 20415);
  }

  @Test
  void shouldAnswer415ForJsonXmlOrUntypedBodies() throws Exception {
    assertTwilioError(
        post(
            "/v2/Services",
            "application/json",
            HttpRequest.BodyPublishers.ofString("{\"FriendlyName\":\"x\"}")),
        415,
        20415);
    assertTwilioError(
        post("/v2/Services", "text/xml", HttpRequest.BodyPublishers.ofString("<x/>")), 415, 20415);
    assertTwilioError(
        post("/v2/Services", null, HttpRequest.BodyPublishers.ofString("FriendlyName=x")),
        415,
        20415);
    assertTwilioError(
        post(
            "/v2/Services",
            "application/x-www-form-urlencoded; charset=ISO-8859-1",
            HttpRequest.BodyPublishers.ofString("FriendlyName=x")),
        415,
        20415);
  }

  @Test
  void shouldReadFormBodiesAsTheSdksSendThem() throws Exception {
    Answer plain =
        post(
            "/v2/Services",
            "application/x-www-form-urlencoded",
            HttpRequest.BodyPublishers.ofString("FriendlyName=plain"));
    Answer utf8 =
        post(
            "/v2/Services",
            "Application/X-WWW-Form-Urlencoded; charset=utf-8",
            HttpRequest.BodyPublishers.ofString("FriendlyName=utf8"));
    String sid = plain.json().path("sid").asText();
    Answer emptyUntyped = post("/v2/Services/" + sid, null, HttpRequest.BodyPublishers.noBody());

    assertThat(plain.status()).isEqualTo(201);
    assertThat(utf8.status()).isEqualTo(201);
    assertThat(emptyUntyped.status()).as(emptyUntyped.body()).isEqualTo(200);
  }

  @Test
  void shouldAnswer413ForABodyOverTheCapWithAContentLength() throws Exception {
    String body = "FriendlyName=" + "x".repeat(HttpApi.MAX_BODY_BYTES);

    Answer a =
        post(
            "/v2/Services",
            "application/x-www-form-urlencoded",
            HttpRequest.BodyPublishers.ofString(body));

    assertTwilioError(a, 413, 20413);
  }

  @Test
  void shouldAnswer413ForAChunkedBodyOverTheCap() throws Exception {
    byte[] chunk = "x".repeat(8192).getBytes(StandardCharsets.US_ASCII);
    List<InputStream> parts = new java.util.ArrayList<>();
    parts.add(new ByteArrayInputStream("FriendlyName=".getBytes(StandardCharsets.US_ASCII)));
    for (int i = 0; i < HttpApi.MAX_BODY_BYTES / chunk.length + 4; i++) {
      parts.add(new ByteArrayInputStream(chunk));
    }

    // ofInputStream has no known length: the client sends Transfer-Encoding: chunked.
    Answer a =
        post(
            "/v2/Services",
            "application/x-www-form-urlencoded",
            HttpRequest.BodyPublishers.ofInputStream(
                () -> new SequenceInputStream(Collections.enumeration(parts))));

    assertTwilioError(a, 413, 20413);
    assertThat(api.get("/v2/Services").json().path("services")).isEmpty();
  }

  @Test
  void shouldReadAChunkedBodyWithinTheCap() throws Exception {
    Answer a =
        post(
            "/v2/Services",
            "application/x-www-form-urlencoded",
            HttpRequest.BodyPublishers.ofInputStream(
                () -> new ByteArrayInputStream("FriendlyName=chunked".getBytes())));

    assertThat(a.status()).isEqualTo(201);
    assertThat(a.json().path("friendly_name").asText()).isEqualTo("chunked");
  }

  @Test
  void shouldAnswerAParameterOverItsLengthWith400NotTheCap() throws Exception {
    Answer a =
        post(
            "/v2/Services",
            "application/x-www-form-urlencoded",
            HttpRequest.BodyPublishers.ofByteArrays(
                List.of(
                    "FriendlyName=".getBytes(),
                    "y".repeat(HttpApi.MAX_BODY_BYTES - 100).getBytes())));

    assertTwilioError(a, 400, 60300);
  }

  @Test
  void shouldRefuseATotpSecretUnder128BitsAtCreation() {
    Scenario scenario = new Scenario(api);
    String service = scenario.service();
    String factors = Scenario.entityPath(service, Scenario.identity()) + "/Factors";

    Reply one = api.post(factors, "FriendlyName", "f", "FactorType", "totp", "Binding.Secret", "A");
    Reply under =
        api.post(
            factors, "FriendlyName", "f", "FactorType", "totp", "Binding.Secret", "A".repeat(25));
    Reply enough =
        api.post(
            factors, "FriendlyName", "f", "FactorType", "totp", "Binding.Secret", "A".repeat(26));

    assertThat(one.status()).isEqualTo(400);
    assertThat(one.json().path("code").asInt()).isEqualTo(60314);
    assertThat(under.status()).isEqualTo(400);
    assertThat(under.json().path("code").asInt()).isEqualTo(60314);
    assertThat(enough.status()).isEqualTo(201);
  }

  @Test
  void shouldAnswerAnUndecryptableTotpSeedWithAClearErrorAndStillEnrolOtherFactors() {
    Scenario scenario = new Scenario(api);
    String service = scenario.service();
    String identity = Scenario.identity();
    String entity = Scenario.entityPath(service, identity);
    Scenario.TotpFactor totp = scenario.verifiedTotp(service, identity);
    String challenge =
        entity
            + "/Challenges/"
            + api.post(entity + "/Challenges", "FactorSid", totp.sid()).text("sid");
    FactorSnapshot stored = api.domain.catalog().factors().get(totp.sid()).orElseThrow();
    ByteBuffer original = stored.getTotpSecretCiphertext().duplicate();
    byte[] sealed = new byte[original.remaining()];
    original.get(sealed);
    sealed[sealed.length - 1] ^= 1;
    api.domain
        .catalog()
        .factors()
        .apply(
            totp.sid(),
            Long.MAX_VALUE,
            FactorSnapshot.newBuilder(stored)
                .setTotpSecretCiphertext(ByteBuffer.wrap(sealed))
                .build());

    Reply verify = api.post(challenge, "AuthPayload", totp.codeNow());
    Reply another =
        api.post(
            entity + "/Factors",
            "FriendlyName",
            "second",
            "FactorType",
            "totp",
            "Binding.Secret",
            "B".repeat(32));

    assertThat(verify.status()).isEqualTo(500);
    assertThat(verify.json().path("code").asInt()).isEqualTo(20500);
    assertThat(verify.text("message")).contains("TOTP seed cannot be decrypted");
    assertThat(another.status()).isEqualTo(201);
  }

  @Test
  void shouldAnswerHeadersOverTheLimitWith431InTwilioShape() {
    RawHttp.Answer a =
        raw.send(
            "GET /v2/Services HTTP/1.1\r\nHost: x\r\nX-Big: "
                + "a".repeat(20_000)
                + "\r\nConnection: close\r\n\r\n");

    assertThat(a.status()).isEqualTo(431);
    assertThat(a.head()).containsIgnoringCase("Content-Type: application/json");
    assertTwilioShape(a.json(), 431, 20431);
  }

  @Test
  void shouldAnswerBadOrOverlongUrisAndGarbageInTwilioShape() {
    RawHttp.Answer badEscape =
        raw.send("GET /v2/%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    RawHttp.Answer tooLong =
        raw.send(
            "GET /v2/" + "a".repeat(20_000) + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    RawHttp.Answer garbage = raw.send("GARBAGE\r\n\r\n");
    RawHttp.Answer badLength =
        raw.send(
            "POST /v2/Services HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n"
                + "Connection: close\r\n\r\n");

    assertTwilioShape(badEscape.json(), 400, 60306);
    assertThat(badEscape.status()).isEqualTo(400);
    assertTwilioShape(tooLong.json(), 414, 20414);
    assertThat(tooLong.status()).isEqualTo(414);
    assertTwilioShape(garbage.json(), 400, 60306);
    assertTwilioShape(badLength.json(), 400, 60306);
  }

  @Test
  void shouldAnswerAMalformedEscapeInAPathParameterWith400NotAFault() {
    RawHttp.Answer a =
        raw.send(
            "POST /v2/Services/VA%<d HTTP/1.1\r\nHost: x\r\nAuthorization: "
                + basic
                + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");

    assertThat(a.status()).isEqualTo(400);
    assertTwilioShape(a.json(), 400, 60306);
  }

  @Test
  void shouldAnswerAnUnknownOrUnsupportedMethodWith405InTwilioShape() {
    String auth = "Authorization: " + basic + "\r\n";
    RawHttp.Answer unknown =
        raw.send("FOO /v2/Services HTTP/1.1\r\nHost: x\r\n" + auth + "Connection: close\r\n\r\n");
    RawHttp.Answer put =
        raw.send(
            "PUT /v2/Services HTTP/1.1\r\nHost: x\r\n"
                + auth
                + "Content-Length: 0\r\nConnection: close\r\n\r\n");

    assertThat(unknown.status()).isEqualTo(405);
    assertTwilioShape(unknown.json(), 405, 20405);
    assertThat(put.status()).isEqualTo(405);
    assertTwilioShape(put.json(), 405, 20405);
  }
}
