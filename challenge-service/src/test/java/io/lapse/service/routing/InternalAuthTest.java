package io.lapse.service.routing;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lapse.service.domain.ApiError;
import io.lapse.service.support.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class InternalAuthTest {
  private static final byte[] KEY = "k".repeat(32).getBytes(UTF_8);
  private static final String TARGET = "/v2/Services/VA1/Entities/alice-0001/Factors?PageSize=5";
  private static final byte[] BODY = "FriendlyName=phone&FactorType=totp".getBytes(UTF_8);
  private static final String SELF = "127.0.0.1:41001";

  private final MutableClock clock = new MutableClock(Instant.parse("2026-12-02T10:00:00Z"));
  private final InternalAuth auth = new InternalAuth(KEY, clock, () -> SELF);

  @Test
  void shouldAcceptWhatAPeerWithTheKeySigned() {
    String header = auth.sign("lapse-a1", SELF, "POST", TARGET, BODY);
    assertThat(header)
        .matches("v3:lapse-a1:" + clock.millis() + ":[A-Za-z0-9_-]{22}:[A-Za-z0-9+/]{43}=");
    assertThat(auth.verify(header, "POST", TARGET, BODY)).isEqualTo("lapse-a1");
    // As late as the window allows, by a receiver that has not seen it.
    clock.advance(Duration.ofSeconds(30));
    assertThat(new InternalAuth(KEY, clock, () -> SELF).verify(header, "POST", TARGET, BODY))
        .isEqualTo("lapse-a1");
  }

  @Test
  void shouldRefuseReplayedForward() {
    String header = auth.sign("lapse-a1", SELF, "POST", TARGET, BODY);
    assertThat(auth.verify(header, "POST", TARGET, BODY)).isEqualTo("lapse-a1");
    assertRefused(header, "POST", TARGET, BODY, "replayed");
    clock.advance(Duration.ofSeconds(29));
    assertRefused(header, "POST", TARGET, BODY, "replayed");
    // Another spelling of the same MAC (no padding) is the same request.
    assertRefused(header.substring(0, header.length() - 1), "POST", TARGET, BODY, "replayed");
    assertThat(auth.remembered()).isOne();
  }

  @Test
  void shouldAcceptDistinctRequestsEvenWhenIdentical() {
    // The same request signed twice in the same millisecond (a retry after a 421): two nonces.
    String first = auth.sign("lapse-a1", SELF, "POST", TARGET, BODY);
    String second = auth.sign("lapse-a1", SELF, "POST", TARGET, BODY);
    assertThat(second).isNotEqualTo(first);
    assertThat(auth.verify(first, "POST", TARGET, BODY)).isEqualTo("lapse-a1");
    assertThat(auth.verify(second, "POST", TARGET, BODY)).isEqualTo("lapse-a1");
    for (int i = 0; i < 100; i++) {
      auth.verify(
          auth.sign("lapse-b" + i, SELF, "GET", TARGET, new byte[0]), "GET", TARGET, new byte[0]);
    }
    assertThat(auth.remembered()).isEqualTo(102);
  }

  @Test
  void shouldRefuseAnotherNonceUnderTheSameMac() {
    String header = auth.sign("lapse-a1", SELF, "POST", TARGET, BODY);
    String[] parts = header.split(":");
    parts[3] =
        parts[3].charAt(0) == 'A' ? "B" + parts[3].substring(1) : "A" + parts[3].substring(1);
    assertRefused(String.join(":", parts), "POST", TARGET, BODY, "invalid");
    // And a nonce that is not one: too short, or with the separator's neighbours.
    parts = header.split(":");
    assertRefused(
        String.join(":", parts[0], parts[1], parts[2], "abc", parts[4]),
        "POST",
        TARGET,
        BODY,
        "malformed");
    assertRefused(
        String.join(":", parts[0], parts[1], parts[2], parts[4]),
        "POST",
        TARGET,
        BODY,
        "malformed");
  }

  @Test
  void shouldForgetAcceptedForwardsAfterTwiceTheWindow() {
    auth.verify(
        auth.sign("lapse-a1", SELF, "GET", TARGET, new byte[0]), "GET", TARGET, new byte[0]);
    clock.advance(Duration.ofSeconds(59));
    auth.verify(
        auth.sign("lapse-a1", SELF, "GET", TARGET, new byte[0]), "GET", TARGET, new byte[0]);
    assertThat(auth.remembered()).isEqualTo(2);
    clock.advance(Duration.ofSeconds(1));
    auth.verify(
        auth.sign("lapse-a1", SELF, "GET", TARGET, new byte[0]), "GET", TARGET, new byte[0]);
    assertThat(auth.remembered()).as("the first one forgotten at 60 s").isEqualTo(2);
    clock.advance(Duration.ofSeconds(60));
    auth.verify(
        auth.sign("lapse-a1", SELF, "GET", TARGET, new byte[0]), "GET", TARGET, new byte[0]);
    assertThat(auth.remembered()).isOne();
  }

  @Test
  void shouldRefuseRatherThanGrowBeyondTheCap() {
    InternalAuth small = new InternalAuth(KEY, clock, () -> SELF, 3);
    String first = small.sign("lapse-a1", SELF, "POST", TARGET, BODY);
    small.verify(first, "POST", TARGET, BODY);
    for (int i = 0; i < 2; i++) {
      small.verify(
          small.sign("lapse-a1", SELF, "GET", TARGET, new byte[0]), "GET", TARGET, new byte[0]);
    }
    String fourth = small.sign("lapse-a1", SELF, "GET", TARGET, new byte[0]);
    assertThatThrownBy(() -> small.verify(fourth, "GET", TARGET, new byte[0]))
        .isInstanceOfSatisfying(
            ApiError.class,
            e -> {
              assertThat(e.status()).isEqualTo(503);
              assertThat(e.code()).isEqualTo(20503);
              assertThat(e.retryAfterSeconds()).isEqualTo(1);
            })
        .hasMessageContaining("too many internal requests");
    assertThat(small.remembered()).isEqualTo(3);
    // A replay is still told apart at the cap: refused as one, not as "busy".
    assertRefused(small, first, "POST", TARGET, BODY, "replayed");

    // Once the remembered ones expire there is room again; the refused one is stale by then,
    // never accepted late.
    clock.advance(Duration.ofSeconds(60));
    small.verify(
        small.sign("lapse-a1", SELF, "GET", TARGET, new byte[0]), "GET", TARGET, new byte[0]);
    assertThat(small.remembered()).as("the three expired ones made room").isOne();
    assertRefused(small, fourth, "GET", TARGET, new byte[0], "stale");
  }

  @Test
  void shouldNoLongerAcceptEarlierVersions() {
    String v3 = auth.sign("lapse-a1", SELF, "GET", TARGET, new byte[0]);
    String[] parts = v3.split(":");
    assertRefused(
        String.join(":", "v1", parts[1], parts[2], parts[4]),
        "GET",
        TARGET,
        new byte[0],
        "malformed");
    assertRefused(v3.replaceFirst("v3", "v1"), "GET", TARGET, new byte[0], "malformed");
    assertRefused(v3.replaceFirst("v3", "v2"), "GET", TARGET, new byte[0], "malformed");
  }

  @Test
  void shouldRefuseForwardSentToAnotherInstance() {
    // Captured on its way to SELF and sent to a peer within the window: that peer has never seen
    // it, so only the receiver in the MAC stops it.
    String header = auth.sign("lapse-a1", SELF, "POST", TARGET, BODY);
    InternalAuth peer = new InternalAuth(KEY, clock, () -> "127.0.0.1:41002");
    assertRefused(peer, header, "POST", TARGET, BODY, "invalid");
    assertThat(peer.remembered()).isZero();
    // An instance that does not know its address yet refuses everything.
    InternalAuth unbound = new InternalAuth(KEY, clock, () -> null);
    assertRefused(unbound, header, "POST", TARGET, BODY, "no internal address");
    // The instance it was meant for still takes it, once.
    assertThat(auth.verify(header, "POST", TARGET, BODY)).isEqualTo("lapse-a1");
  }

  @Test
  void shouldRefuseForwardWithoutValidHmac() {
    assertRefused(null, "POST", TARGET, BODY, "missing");
    assertRefused("Basic abc", "POST", TARGET, BODY, "malformed");
    String nonce = "A".repeat(22);
    assertRefused("v3:lapse-a1:notanumber:" + nonce + ":AAAA", "POST", TARGET, BODY, "malformed");
    assertRefused(
        "v3:lapse a1:" + clock.millis() + ":" + nonce + ":AAAA", "POST", TARGET, BODY, "malformed");
    assertRefused(
        "v3:lapse-a1:" + clock.millis() + ":" + nonce + ":!!", "POST", TARGET, BODY, "malformed");
    String forged =
        new InternalAuth("x".repeat(32).getBytes(UTF_8), clock, () -> SELF)
            .sign("lapse-a1", SELF, "POST", TARGET, BODY);
    assertRefused(forged, "POST", TARGET, BODY, "invalid");
    String header = auth.sign("lapse-a1", SELF, "POST", TARGET, BODY);
    // Another instance id, method or target under the same MAC.
    assertRefused(header.replace("lapse-a1", "lapse-b2"), "POST", TARGET, BODY, "invalid");
    assertRefused(header, "DELETE", TARGET, BODY, "invalid");
    assertRefused(header, "POST", TARGET.replace("PageSize=5", "PageSize=6"), BODY, "invalid");
  }

  @Test
  void shouldRefuseForwardWithStaleTimestamp() {
    String header = auth.sign("lapse-a1", SELF, "GET", TARGET, new byte[0]);
    clock.advance(Duration.ofSeconds(31));
    assertRefused(header, "GET", TARGET, new byte[0], "stale");
    // From the future as well: a clock ahead by more than the window.
    String ahead =
        new InternalAuth(KEY, new MutableClock(clock.instant().plusSeconds(31)), () -> SELF)
            .sign("lapse-a1", SELF, "GET", TARGET, new byte[0]);
    assertRefused(ahead, "GET", TARGET, new byte[0], "stale");
  }

  @Test
  void shouldRefuseForwardWithAlteredBody() {
    String header = auth.sign("lapse-a1", SELF, "POST", TARGET, BODY);
    byte[] altered = Arrays.copyOf(BODY, BODY.length);
    altered[altered.length - 1] = 'x';
    assertRefused(header, "POST", TARGET, altered, "invalid");
    assertRefused(header, "POST", TARGET, new byte[0], "invalid");
  }

  @Test
  void shouldRefuseAShortKey() {
    assertThatThrownBy(() -> new InternalAuth(new byte[31], clock, () -> SELF))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private void assertRefused(String header, String method, String target, byte[] body, String why) {
    assertRefused(auth, header, method, target, body, why);
  }

  private static void assertRefused(
      InternalAuth auth, String header, String method, String target, byte[] body, String why) {
    assertThatThrownBy(() -> auth.verify(header, method, target, body))
        .isInstanceOfSatisfying(
            ApiError.class,
            e -> {
              assertThat(e.status()).isEqualTo(401);
              assertThat(e.code()).isEqualTo(20003);
            })
        .hasMessageContaining(why);
  }
}
