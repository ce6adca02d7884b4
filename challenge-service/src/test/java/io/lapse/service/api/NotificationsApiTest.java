package io.lapse.service.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.lapse.events.v1.NotificationRequested;
import io.lapse.service.support.ApiFixture;
import io.lapse.service.support.HttpTestClient.Reply;
import io.lapse.service.support.Scenario;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class NotificationsApiTest {
  private final ApiFixture api = new ApiFixture();
  private final Scenario scenario = new Scenario(api);
  private final String service = scenario.service();
  private final String identity = Scenario.identity();
  private final String challenges = Scenario.entityPath(service, identity) + "/Challenges";

  @AfterEach
  void close() {
    api.close();
  }

  private String pushChallenge(String platform) {
    Scenario.PushFactor push = scenario.verifiedPush(service, identity, platform);
    return api.post(challenges, "FactorSid", push.sid(), "Details.Message", "Sign in?").text("sid");
  }

  @Test
  void shouldPublishANotificationRequestAndAnswer201() {
    String sid = pushChallenge("fcm");
    Reply r = api.post(challenges + "/" + sid + "/Notifications", "Ttl", "120");

    assertThat(r.status()).isEqualTo(201);
    assertThat(r.text("sid")).matches("NT[0-9a-f]{32}");
    assertThat(r.text("challenge_sid")).isEqualTo(sid);
    assertThat(r.text("priority")).isEqualTo("high");
    assertThat(r.json().path("ttl").asInt()).isEqualTo(120);
    assertThat(r.json().has("url")).isFalse();
    NotificationRequested event =
        (NotificationRequested) api.logs.written("challenge-notifications").get(0).value();
    assertThat(event.getNotificationSid()).isEqualTo(r.text("sid"));
    assertThat(event.getNotificationPlatform()).isEqualTo("fcm");
    assertThat(event.getNotificationToken()).isEqualTo("t".repeat(40));
    assertThat(event.getMessage()).isEqualTo("Sign in?");
  }

  @Test
  void shouldDefaultTtlTo300AndRejectOutOfRange() {
    String sid = pushChallenge("apn");
    assertThat(api.post(challenges + "/" + sid + "/Notifications").json().path("ttl").asInt())
        .isEqualTo(300);
    assertThat(
            api.post(challenges + "/" + sid + "/Notifications", "Ttl", "301")
                .json()
                .path("code")
                .asInt())
        .isEqualTo(60300);
    assertThat(api.post(challenges + "/" + sid + "/Notifications", "Ttl", "-1").status())
        .isEqualTo(400);
    assertThat(api.post(challenges + "/" + sid + "/Notifications", "Ttl", "0").status())
        .isEqualTo(201);
  }

  @Test
  void shouldAllowAtMostThreeNotificationsPerChallenge() {
    String sid = pushChallenge("fcm");
    for (int i = 0; i < 3; i++) {
      assertThat(api.post(challenges + "/" + sid + "/Notifications").status()).isEqualTo(201);
    }
    Reply fourth = api.post(challenges + "/" + sid + "/Notifications");
    assertThat(fourth.status()).isEqualTo(429);
    assertThat(fourth.json().path("code").asInt()).isEqualTo(60309);
    assertThat(api.logs.written("challenge-notifications")).hasSize(3);
  }

  @Test
  void shouldRefusePlatformNoneAndTotp() {
    String sid = pushChallenge("none");
    assertThat(api.post(challenges + "/" + sid + "/Notifications").json().path("code").asInt())
        .isEqualTo(60307);
    Scenario.TotpFactor totp = scenario.verifiedTotp(service, identity);
    String totpSid = api.post(challenges, "FactorSid", totp.sid()).text("sid");
    assertThat(api.post(challenges + "/" + totpSid + "/Notifications").json().path("code").asInt())
        .isEqualTo(60307);
  }

  @Test
  void shouldRefuseAnExpiredChallenge() {
    String sid = pushChallenge("fcm");
    api.clock.advance(Duration.ofMinutes(5));
    Reply r = api.post(challenges + "/" + sid + "/Notifications");
    assertThat(r.status()).isEqualTo(403);
    assertThat(r.json().path("code").asInt()).isEqualTo(60323);
  }

  @Test
  void shouldAnswer404ForAnUnknownChallenge() {
    pushChallenge("fcm");
    Reply r = api.post(challenges + "/YC" + "0".repeat(32) + "/Notifications");
    assertThat(r.status()).isEqualTo(404);
    assertThat(r.json().path("code").asInt()).isEqualTo(20404);
  }
}
