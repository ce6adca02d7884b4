package io.lapse.service.routing;

import io.lapse.contract.TwilioError;
import io.lapse.service.domain.ApiError;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Authenticates a request one instance forwards to another (docs/decisions/0009): header {@value
 * #HEADER} = {@code v1:<instanceId>:<epochMillis>:<mac>}, {@code mac} the Base64 of
 * HMAC-SHA256({@code LAPSE_CLUSTER_KEY}, instanceId ‖ millis ‖ method ‖ path?query ‖
 * SHA-256(body)), the parts joined by a newline (none of them can hold one, so no two requests
 * share an input). Accepted within ±{@link #WINDOW} of this instance's clock.
 *
 * <p>It authenticates the peer, never the client: the client's own credentials travel in the
 * forwarded {@code Authorization} header and are checked again by the owner. A captured request
 * could be replayed within the window by whoever can reach the internal listener, which is why that
 * listener stays on a private interface.
 */
public final class InternalAuth {
  public static final String HEADER = "Lapse-Internal-Auth";

  /** How far the sender's clock and ours may differ, transit included. */
  public static final Duration WINDOW = Duration.ofSeconds(30);

  /** The minimum key length, as for every other key of the service. */
  public static final int MIN_KEY_BYTES = 32;

  private static final Pattern INSTANCE_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  private static final String VERSION = "v1";

  private final SecretKeySpec key;
  private final Clock clock;

  public InternalAuth(byte[] clusterKey, Clock clock) {
    if (clusterKey.length < MIN_KEY_BYTES) {
      throw new IllegalArgumentException("the cluster key needs at least 32 bytes");
    }
    this.key = new SecretKeySpec(clusterKey.clone(), "HmacSHA256");
    this.clock = clock;
  }

  /** Whether {@code id} may name an instance in the header. */
  public static boolean isInstanceId(String id) {
    return id != null && INSTANCE_ID.matcher(id).matches();
  }

  /** The header value for a request sent now by {@code instanceId}. */
  public String sign(String instanceId, String method, String target, byte[] body) {
    if (!isInstanceId(instanceId)) {
      throw new IllegalArgumentException("not an instance id: " + instanceId);
    }
    long millis = clock.millis();
    return VERSION
        + ":"
        + instanceId
        + ":"
        + millis
        + ":"
        + Base64.getEncoder().encodeToString(mac(instanceId, millis, method, target, body));
  }

  /**
   * Checks a received request.
   *
   * @param target the request's raw path and, after {@code ?}, its raw query, as sent
   * @return the sending instance's id
   * @throws ApiError 401 / 20003 when the header is missing or malformed, its time is outside the
   *     window, or its MAC does not cover exactly this request
   */
  public String verify(String header, String method, String target, byte[] body) {
    if (header == null) {
      throw refused("missing " + HEADER);
    }
    String[] parts = header.split(":", -1);
    if (parts.length != 4 || !parts[0].equals(VERSION) || !isInstanceId(parts[1])) {
      throw refused("malformed " + HEADER);
    }
    long millis;
    byte[] given;
    try {
      millis = Long.parseLong(parts[2]);
      given = Base64.getDecoder().decode(parts[3]);
    } catch (IllegalArgumentException e) {
      throw refused("malformed " + HEADER);
    }
    if (Math.abs(clock.millis() - millis) > WINDOW.toMillis()) {
      throw refused("stale " + HEADER);
    }
    if (!MessageDigest.isEqual(given, mac(parts[1], millis, method, target, body))) {
      throw refused("invalid " + HEADER);
    }
    return parts[1];
  }

  private byte[] mac(String instanceId, long millis, String method, String target, byte[] body) {
    try {
      byte[] bodyHash = MessageDigest.getInstance("SHA-256").digest(body);
      String input =
          String.join(
              "\n",
              instanceId,
              Long.toString(millis),
              method,
              target,
              HexFormat.of().formatHex(bodyHash));
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      return mac.doFinal(input.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 and SHA-256 are part of every JDK", e);
    }
  }

  private static ApiError refused(String why) {
    return new ApiError(
        TwilioError.AUTHENTICATION_FAILED,
        TwilioError.AUTHENTICATION_FAILED.message() + ": " + why);
  }
}
