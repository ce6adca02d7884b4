package io.lapse.service.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lapse.infra.KafkaBroker;
import io.lapse.infra.SchemaRegistry;
import io.lapse.service.support.Browser;
import io.lapse.service.support.HttpTestClient;
import io.lapse.service.support.HttpTestClient.Reply;
import io.lapse.service.support.LapseSystem;
import io.lapse.service.support.Scenario;
import io.lapse.testkit.LapseIntegration;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * The authenticator page in headless Chromium against the running system (real broker, registry,
 * entity tasks and expiry processor): a person pastes an access token, the page enrols and verifies
 * a push factor with a non-extractable WebCrypto key, then approves one challenge, denies one after
 * a reload (the key comes back from IndexedDB), and is too late for two more: Twilio's 60323
 * "Challenge expired", once because the person answered after the expiry and once because the
 * answer, sent in time, reached the service after it. The outcomes are checked through the API with
 * the account's credentials, not only on the page. Skipped when Debian's chromium and
 * chromium-driver are absent, unless {@code LAPSE_REQUIRE_BROWSER} is set (as {@code .ci/run} does
 * once it has installed them).
 */
@LapseIntegration
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuthenticatorPageIT {
  private static final Duration PAGE = Duration.ofSeconds(30);

  private Browser browser;
  private LapseSystem system;
  private HttpTestClient backend;
  private String service;

  @BeforeAll
  void start(KafkaBroker broker, SchemaRegistry registry) {
    Browser.assumePresent();
    system = new LapseSystem(broker, registry);
    backend = system.http();
    service = backend.post("/v2/Services", "FriendlyName", "Browser app").text("sid");
    browser = Browser.start();
  }

  @AfterAll
  void stop() {
    if (browser != null) {
      browser.close();
    }
    if (system != null) {
      system.close();
    }
  }

  private String challenge(String identity, String factorSid, String message, Instant expires) {
    Reply r =
        backend.post(
            Scenario.entityPath(service, identity) + "/Challenges",
            "FactorSid",
            factorSid,
            "ExpirationDate",
            expires.truncatedTo(ChronoUnit.SECONDS).toString(),
            "Details.Message",
            message,
            "Details.Fields",
            "{\"label\":\"Location\",\"value\":\"Berlin, DE\"}",
            "Details.Fields",
            "{\"label\":\"Browser\",\"value\":\"Firefox on Linux\"}");
    assertThat(r.status()).as(String.valueOf(r.json())).isEqualTo(201);
    return r.text("sid");
  }

  private String statusOf(String identity, String challengeSid) {
    return backend
        .get(Scenario.entityPath(service, identity) + "/Challenges/" + challengeSid)
        .text("status");
  }

  private WebElement card(String challengeSid) {
    By card = By.cssSelector("li.challenge[data-sid='" + challengeSid + "']");
    browser.await(PAGE, d -> !d.findElements(card).isEmpty());
    return browser.driver().findElement(card);
  }

  private void awaitOutcome(String challengeSid, String outcome) {
    browser.await(
        PAGE,
        d ->
            outcome.equals(
                d.findElement(By.cssSelector("li.challenge[data-sid='" + challengeSid + "']"))
                    .getAttribute("data-outcome")));
  }

  /**
   * A slow network, played in the page: the page's POSTs to this challenge wait until the test
   * calls {@code window.releasePost()} ({@code window.heldPost} says one is waiting). Only the
   * timing changes; the request is the page's own. (WebDriver's scripts run outside the page's
   * Content-Security-Policy.)
   */
  private void holdPostsTo(String challengeSid) {
    browser.run(
        """
        const sid = arguments[0];
        const send = window.fetch;
        const gate = new Promise((release) => { window.releasePost = release; });
        window.fetch = (url, init) => {
          if (init && init.method === 'POST' && String(url).endsWith('/Challenges/' + sid)) {
            window.heldPost = true;
            return gate.then(() => send(url, init));
          }
          return send(url, init);
        };
        return true;
        """,
        challengeSid);
  }

  @Test
  void shouldEnrolApproveDenyAndBeTooLateInChromium() {
    String identity = Scenario.identity();
    Reply token =
        backend.post(
            "/v2/Services/" + service + "/AccessTokens",
            "Identity",
            identity,
            "FactorType",
            "push",
            "FactorFriendlyName",
            "Chromium",
            "Ttl",
            "300");
    assertThat(token.status()).as(String.valueOf(token.json())).isEqualTo(201);

    // Enrol: paste the token, as a person would.
    browser.open(system.service.baseUrl() + "/authenticator/");
    browser.driver().findElement(By.id("token")).sendKeys(token.text("token"));
    browser.screenshot("1-enrol");
    browser.driver().findElement(By.id("enrol")).click();
    browser.await(
        PAGE, d -> "verified".equals(d.findElement(By.id("factor-status")).getText().trim()));
    String factorSid = browser.driver().findElement(By.id("factor-sid")).getText().trim();
    assertThat(factorSid).startsWith("YF");
    Reply factor = backend.get(Scenario.entityPath(service, identity) + "/Factors/" + factorSid);
    assertThat(factor.text("status")).isEqualTo("verified");
    assertThat(factor.text("factor_type")).isEqualTo("push");
    assertThat(factor.text("friendly_name")).isEqualTo("Chromium");
    assertThat(factor.json().path("config").path("notification_platform").asText())
        .isEqualTo("none");

    // The key in IndexedDB is a CryptoKey the page can sign with and nobody can export.
    Object key =
        browser.script(
            """
            const done = arguments[arguments.length - 1];
            const open = indexedDB.open('lapse-authenticator', 1);
            open.onsuccess = () => {
              const get = open.result.transaction('factor').objectStore('factor').get('current');
              get.onsuccess = async () => {
                const k = get.result.privateKey;
                let exported = 'no';
                try { await crypto.subtle.exportKey('pkcs8', k); exported = 'yes'; } catch (e) {}
                done({type: k.type, extractable: k.extractable, curve: k.algorithm.namedCurve,
                      exported: exported});
              };
            };
            """);
    assertThat(key)
        .isEqualTo(
            Map.of("type", "private", "extractable", false, "curve", "P-256", "exported", "no"));

    // Approve: the card appears by polling, with a live countdown.
    Instant inFiveMinutes = Instant.now().plus(Duration.ofMinutes(5));
    String approveMe = challenge(identity, factorSid, "Sign in to Lapse Bank?", inFiveMinutes);
    WebElement approveCard = card(approveMe);
    assertThat(approveCard.findElement(By.className("message")).getText())
        .isEqualTo("Sign in to Lapse Bank?");
    assertThat(approveCard.findElement(By.className("fields")).getText())
        .contains("Location", "Berlin, DE");
    String before = approveCard.findElement(By.className("countdown")).getText();
    assertThat(before).matches("Expires in [45]:\\d\\d");
    browser.await(
        PAGE, d -> !approveCard.findElement(By.className("countdown")).getText().equals(before));
    browser.screenshot("2-pending");
    approveCard.findElement(By.className("approve")).click();
    awaitOutcome(approveMe, "approved");
    assertThat(approveCard.findElement(By.className("outcome")).getText()).isEqualTo("Approved.");
    assertThat(statusOf(identity, approveMe)).isEqualTo("approved");
    browser.screenshot("3-approved");

    // Deny, after a reload: the factor and its key come back from IndexedDB.
    browser.open(system.service.baseUrl() + "/authenticator");
    browser.await(
        PAGE, d -> "verified".equals(d.findElement(By.id("factor-status")).getText().trim()));
    String denyMe = challenge(identity, factorSid, "Sign in from Lagos?", inFiveMinutes);
    card(denyMe).findElement(By.className("deny")).click();
    awaitOutcome(denyMe, "denied");
    assertThat(statusOf(identity, denyMe)).isEqualTo("denied");

    // Too late, twice. A slow person: the countdown reaches zero, the system expires the
    // challenge, then the person answers (the page's fetch already says "expired"). A slow
    // network: the person answers in time, the page fetches the challenge while it is pending and
    // signs, but its POST reaches the service only after the expiry, which refuses it with 60323.
    Instant soon = Instant.now().plusSeconds(15);
    String slowPerson = challenge(identity, factorSid, "Sign in from Oslo?", soon);
    String slowNetwork = challenge(identity, factorSid, "Sign in from Lima?", soon);
    holdPostsTo(slowNetwork);
    card(slowNetwork).findElement(By.className("approve")).click();
    browser.await(PAGE, d -> Boolean.TRUE.equals(browser.run("return window.heldPost === true")));
    WebElement lateCard = card(slowPerson);
    for (String sid : new String[] {slowPerson, slowNetwork}) {
      await("the expiry processor expires " + sid)
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(250))
          .until(() -> statusOf(identity, sid), "expired"::equals);
    }
    browser.run("window.releasePost(); return true");
    awaitOutcome(slowNetwork, "expired");
    assertThat(card(slowNetwork).findElement(By.className("outcome")).getText())
        .isEqualTo("Challenge expired (60323): the answer came too late.");

    browser.await(
        PAGE, d -> "Time is up".equals(lateCard.findElement(By.className("countdown")).getText()));
    lateCard.findElement(By.className("approve")).click();
    awaitOutcome(slowPerson, "expired");
    assertThat(lateCard.findElement(By.className("outcome")).getText())
        .isEqualTo("Challenge expired (60323): the answer came too late.");
    assertThat(statusOf(identity, slowPerson)).isEqualTo("expired");
    assertThat(statusOf(identity, slowNetwork)).isEqualTo("expired");
    // Both late cards in view: they are the last two of the list.
    browser.run("window.scrollTo(0, document.body.scrollHeight); return true");
    browser.screenshot("4-expired");

    assertThat(browser.driver().findElement(By.id("problem")).isDisplayed()).isFalse();
  }
}
