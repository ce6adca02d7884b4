package io.lapse.service.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.lapse.service.support.ApiFixture;
import io.lapse.service.support.HttpTestClient.Reply;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AuthAndErrorsApiTest {
  private final ApiFixture api = new ApiFixture();

  @AfterEach
  void close() {
    api.close();
  }

  @Test
  void shouldAnswer401WithTwilioBodyAndDateHeaderWithoutCredentials() {
    Reply r = api.getWithAuthorization("/v2/Services", null);

    assertThat(r.status()).isEqualTo(401);
    assertThat(r.json().path("code").asInt()).isEqualTo(20003);
    assertThat(r.json().path("status").asInt()).isEqualTo(401);
    assertThat(r.text("more_info")).isEqualTo("https://www.twilio.com/docs/errors/20003");
    assertThat(r.headers().firstValue("Date")).contains("Fri, 1 May 2026 12:00:00 GMT");
    assertThat(r.headers().firstValue("WWW-Authenticate")).isPresent();
  }

  @Test
  void shouldAnswer401ForAWrongTokenOrGarbage() {
    String wrong =
        "Basic "
            + Base64.getEncoder()
                .encodeToString(
                    (ApiFixture.ACCOUNT_SID + ":nope").getBytes(StandardCharsets.UTF_8));
    assertThat(api.getWithAuthorization("/v2/Services", wrong).status()).isEqualTo(401);
    assertThat(api.getWithAuthorization("/v2/Services", "Basic ***").status()).isEqualTo(401);
    assertThat(api.getWithAuthorization("/v2/Services", "Bearer x").status()).isEqualTo(401);
  }

  @Test
  void shouldServeHealthWithoutCredentials() {
    Reply r = api.getWithAuthorization("/health", null);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.text("status")).isEqualTo("UP");
  }

  @Test
  void shouldExposeRequestTimersOnMetrics() throws Exception {
    api.get("/v2/Services");
    var http = java.net.http.HttpClient.newHttpClient();
    var res =
        http.send(
            java.net.http.HttpRequest.newBuilder(java.net.URI.create(api.url("/metrics"))).build(),
            java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(res.statusCode()).isEqualTo(200);
    assertThat(res.body())
        .contains(
            "lapse_http_server_requests_seconds_count{method=\"GET\",route=\"/v2/Services\",status=\"200\"}");
  }

  @Test
  void shouldAnswerUnknownPathsWithTwilio404Body() {
    Reply r = api.get("/v2/Nothing/Here");
    assertThat(r.status()).isEqualTo(404);
    assertThat(r.json().path("code").asInt()).isEqualTo(20404);
    assertThat(r.text("message")).contains("/Nothing/Here");
  }

  @Test
  void shouldAnswerMalformedFormEncodingWith400NotAStackTrace() throws Exception {
    var http = java.net.http.HttpClient.newHttpClient();
    String basic =
        Base64.getEncoder()
            .encodeToString(
                (ApiFixture.ACCOUNT_SID + ":" + ApiFixture.AUTH_TOKEN)
                    .getBytes(StandardCharsets.UTF_8));
    var res =
        http.send(
            java.net.http.HttpRequest.newBuilder(java.net.URI.create(api.url("/v2/Services")))
                .header("Authorization", "Basic " + basic)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("FriendlyName=%zz"))
                .build(),
            java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(res.statusCode()).isEqualTo(400);
    assertThat(res.body()).contains("\"code\":60300").doesNotContain("Exception");
  }

  @Test
  void shouldAnswer503InTwilioShapeWhenTheEventLogCannotBeWritten() {
    api.logs.failWrites();

    Reply r = api.post("/v2/Services", "FriendlyName", "Test service");

    assertThat(r.status()).isEqualTo(503);
    assertThat(r.json().toString())
        .isEqualTo(
            "{\"code\":20503,\"message\":\"Service unavailable: the event log could not be"
                + " written\",\"more_info\":\"https://www.twilio.com/docs/errors/20503\","
                + "\"status\":503}");
  }
}
