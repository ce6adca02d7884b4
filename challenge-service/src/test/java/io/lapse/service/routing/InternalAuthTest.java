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

  private final MutableClock clock = new MutableClock(Instant.parse("2026-12-02T10:00:00Z"));
  private final InternalAuth auth = new InternalAuth(KEY, clock);

  @Test
  void shouldAcceptWhatAPeerWithTheKeySigned() {
    String header = auth.sign("lapse-a1", "POST", TARGET, BODY);
    assertThat(header).startsWith("v1:lapse-a1:" + clock.millis() + ":");
    assertThat(auth.verify(header, "POST", TARGET, BODY)).isEqualTo("lapse-a1");
    clock.advance(Duration.ofSeconds(30));
    assertThat(auth.verify(header, "POST", TARGET, BODY)).isEqualTo("lapse-a1");
  }

  @Test
  void shouldRefuseForwardWithoutValidHmac() {
    assertRefused(null, "POST", TARGET, BODY, "missing");
    assertRefused("Basic abc", "POST", TARGET, BODY, "malformed");
    assertRefused("v1:lapse-a1:notanumber:AAAA", "POST", TARGET, BODY, "malformed");
    assertRefused("v1:lapse a1:" + clock.millis() + ":AAAA", "POST", TARGET, BODY, "malformed");
    String forged =
        new InternalAuth("x".repeat(32).getBytes(UTF_8), clock)
            .sign("lapse-a1", "POST", TARGET, BODY);
    assertRefused(forged, "POST", TARGET, BODY, "invalid");
    String header = auth.sign("lapse-a1", "POST", TARGET, BODY);
    // Another instance id, method or target under the same MAC.
    assertRefused(header.replace("lapse-a1", "lapse-b2"), "POST", TARGET, BODY, "invalid");
    assertRefused(header, "DELETE", TARGET, BODY, "invalid");
    assertRefused(header, "POST", TARGET.replace("PageSize=5", "PageSize=6"), BODY, "invalid");
  }

  @Test
  void shouldRefuseForwardWithStaleTimestamp() {
    String header = auth.sign("lapse-a1", "GET", TARGET, new byte[0]);
    clock.advance(Duration.ofSeconds(31));
    assertRefused(header, "GET", TARGET, new byte[0], "stale");
    // From the future as well: a clock ahead by more than the window.
    String ahead =
        new InternalAuth(KEY, new MutableClock(clock.instant().plusSeconds(31)))
            .sign("lapse-a1", "GET", TARGET, new byte[0]);
    assertRefused(ahead, "GET", TARGET, new byte[0], "stale");
  }

  @Test
  void shouldRefuseForwardWithAlteredBody() {
    String header = auth.sign("lapse-a1", "POST", TARGET, BODY);
    byte[] altered = Arrays.copyOf(BODY, BODY.length);
    altered[altered.length - 1] = 'x';
    assertRefused(header, "POST", TARGET, altered, "invalid");
    assertRefused(header, "POST", TARGET, new byte[0], "invalid");
  }

  @Test
  void shouldRefuseAShortKey() {
    assertThatThrownBy(() -> new InternalAuth(new byte[31], clock))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private void assertRefused(String header, String method, String target, byte[] body, String why) {
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
