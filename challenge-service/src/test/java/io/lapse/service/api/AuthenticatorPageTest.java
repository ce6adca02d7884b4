package io.lapse.service.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.lapse.service.support.ApiFixture;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * How the authenticator page is served (decision 0024): without credentials, from the jar, every
 * file under the strict Content-Security-Policy, and nothing in it that the policy would have to
 * allow (inline script, inline style, event-handler attributes) or that must not be public. What
 * the page does is {@code AuthenticatorPageIT}'s, in Chromium.
 */
class AuthenticatorPageTest {
  private final ApiFixture api = new ApiFixture();
  private final HttpClient http = HttpClient.newHttpClient();

  @AfterEach
  void close() {
    api.close();
  }

  private HttpResponse<String> get(String path) {
    try {
      return http.send(
          HttpRequest.newBuilder(URI.create(api.url(path))).GET().build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static String resource(String name) throws IOException {
    try (InputStream in = AuthenticatorPage.class.getResourceAsStream("/authenticator/" + name)) {
      assertThat(in).as(name + " in the jar").isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/authenticator/",
        "/authenticator/index.html",
        "/authenticator/app.js",
        "/authenticator/app.css"
      })
  void shouldServeEveryFileWithoutCredentialsUnderTheStrictPolicy(String path) {
    HttpResponse<String> r = get(path);

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Security-Policy"))
        .contains(
            "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
                + "img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
    assertThat(r.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
    assertThat(r.headers().firstValue("Referrer-Policy")).contains("no-referrer");
    String type = r.headers().firstValue("Content-Type").orElse("");
    if (path.endsWith(".js")) {
      assertThat(type).startsWith("text/javascript");
    } else if (path.endsWith(".css")) {
      assertThat(type).startsWith("text/css");
    } else {
      assertThat(type).startsWith("text/html");
      assertThat(r.body()).contains("<title>Lapse Authenticator</title>");
    }
  }

  @Test
  void shouldSendThePathWithoutItsSlashToThePage() {
    HttpResponse<String> r = get("/authenticator");

    assertThat(r.statusCode()).isEqualTo(302);
    assertThat(r.headers().firstValue("Location")).contains(api.url("/authenticator/"));
  }

  @Test
  void shouldAnswer404ForAnythingElseUnderThePage() {
    assertThat(get("/authenticator/nothing.js").statusCode()).isEqualTo(404);
    assertThat(get("/authenticator/../lapse-service-logback.xml").statusCode()).isEqualTo(404);
    assertThat(get("/authenticator/%2e%2e/lapse-service-logback.xml").statusCode()).isIn(400, 404);
    assertThat(get("/lapse-service-logback.xml").statusCode()).isEqualTo(404);
  }

  @Test
  void shouldNeedNothingThePolicyForbids() throws IOException {
    String html = resource("index.html");

    // Every script is a file of this origin; there is no inline script, style or handler.
    assertThat(Pattern.compile("<script(?![^>]*\\ssrc=\"/authenticator/)").matcher(html).find())
        .as("a <script> without src")
        .isFalse();
    assertThat(html).doesNotContain("<style", " style=", "javascript:");
    assertThat(Pattern.compile("\\son[a-z]+=", Pattern.CASE_INSENSITIVE).matcher(html).find())
        .as("an inline event handler")
        .isFalse();
    // No markup from strings: challenge details are the backend's text.
    assertThat(resource("app.js"))
        .doesNotContain("innerHTML", "outerHTML", "eval(", "document.write");
    assertThat(resource("app.css")).doesNotContain("url(http", "@import");
  }

  @Test
  void shouldHoldNoSecretAndKeepTheKeyNonExtractable() throws IOException {
    String page = resource("index.html") + resource("app.js");

    assertThat(page).doesNotContain(ApiFixture.ACCOUNT_SID, ApiFixture.AUTH_TOKEN);
    // No account, API key, service or factor SID, no token: it learns all of them at run time.
    assertThat(Pattern.compile("\\b(AC|SK|VA|YF|YK)[0-9a-f]{32}\\b|eyJ").matcher(page).find())
        .as("a SID or a JWT in the page")
        .isFalse();
    // generateKey(algorithm, extractable = false, usages): the private key can sign, not leave.
    assertThat(resource("app.js"))
        .contains("crypto.subtle.generateKey(ECDSA, false, ['sign', 'verify'])")
        .contains("namedCurve: 'P-256'");
  }

  @Test
  void shouldTimeThePageUnderOneRouteLabel() {
    get("/authenticator/");
    get("/authenticator/app.js");
    get("/authenticator/no-such-file-1");
    get("/authenticator/no-such-file-2");

    String metrics = get("/metrics").body();
    assertThat(metrics)
        .contains("route=\"/authenticator\",status=\"200\"")
        .contains("route=\"/authenticator\",status=\"404\"")
        .doesNotContain("no-such-file");
  }

  @Test
  void shouldLeaveTheApiBehindItsCredentials() {
    assertThat(get("/v2/Services").statusCode()).isEqualTo(401);
  }
}
