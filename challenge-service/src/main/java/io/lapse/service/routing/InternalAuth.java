package io.lapse.service.routing;

import io.lapse.contract.TwilioError;
import io.lapse.service.domain.ApiError;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Authenticates a request one instance forwards to another (docs/decisions/0009), once, and only at
 * the instance it was sent to: header {@value #HEADER} = {@code
 * v3:<instanceId>:<epochMillis>:<nonce>:<mac>}, {@code nonce} 16 random bytes in unpadded Base64url
 * (22 characters), {@code mac} the Base64 of HMAC-SHA256({@code LAPSE_CLUSTER_KEY}, instanceId ‖
 * receiver ‖ millis ‖ nonce ‖ method ‖ path?query ‖ SHA-256(body)), the parts joined by a newline
 * (none of them can hold one, so no two requests share an input). {@code receiver} is the internal
 * address ({@code host:port}, Streams' {@code application.server}) the sender addressed; the
 * receiver puts its own in, so a request captured on its way to one instance and sent to another
 * fails there — the memory of accepted MACs is per instance and could not catch it. Accepted within
 * ±{@link #WINDOW} of this instance's clock, and only the first time: the receiver remembers every
 * MAC it accepted for 2 × {@link #WINDOW} (by then the header is stale anyway) and refuses it
 * again, so a captured request cannot be replayed — a repeated POST would create a second
 * challenge. The forwarder signs every send anew, its retry after a 421 included.
 *
 * <p>{@code v1} (without a nonce) and {@code v2} (without the receiver) are no longer accepted:
 * every instance of a cluster runs the same release, and a receiver still taking them would leave
 * the replay open to whoever had captured one. A rolling upgrade from an earlier release therefore
 * sees its forwards between old and new instances refused (401) until every instance runs this one.
 *
 * <p>The remembered MACs are bounded: at most {@link #MAX_REMEMBERED} (about 10 MB), room for some
 * 1 600 forwards a second to one instance, sustained. A request that would need more is refused 503
 * / 20503 with {@code Retry-After: 1} — it cannot be told from a replay without room to remember it
 * — rather than letting memory grow without bound.
 *
 * <p>It authenticates the peer, never the client: the client's own credentials travel in the
 * forwarded {@code Authorization} header and are checked again by the owner. The internal listener
 * still stays on a private interface.
 */
public final class InternalAuth {
  public static final String HEADER = "Lapse-Internal-Auth";

  /** How far the sender's clock and ours may differ, transit included. */
  public static final Duration WINDOW = Duration.ofSeconds(30);

  /** The minimum key length, as for every other key of the service. */
  public static final int MIN_KEY_BYTES = 32;

  /** How many accepted MACs one instance remembers at most (entries of ~100 bytes). */
  public static final int MAX_REMEMBERED = 100_000;

  private static final Pattern INSTANCE_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  private static final Pattern NONCE = Pattern.compile("[A-Za-z0-9_-]{22}");
  private static final int NONCE_BYTES = 16;
  private static final String VERSION = "v3";

  private final SecretKeySpec key;
  private final Clock clock;
  private final Supplier<String> self;
  private final SecureRandom random = new SecureRandom();
  private final int maxRemembered;

  /**
   * The MACs accepted (their first 128 bits, ample against collisions among so few) and when each
   * may be forgotten, oldest first. Guarded by itself: one short critical section per request.
   */
  private final LinkedHashMap<Key, Long> accepted = new LinkedHashMap<>();

  /**
   * @param self this instance's internal address as the others address it ({@code host:port}); a
   *     supplier because a listener on port 0 knows it only once bound. While it is null every
   *     request is refused.
   */
  public InternalAuth(byte[] clusterKey, Clock clock, Supplier<String> self) {
    this(clusterKey, clock, self, MAX_REMEMBERED);
  }

  /** With another bound on the remembered MACs (tests). */
  public InternalAuth(byte[] clusterKey, Clock clock, Supplier<String> self, int maxRemembered) {
    if (clusterKey.length < MIN_KEY_BYTES) {
      throw new IllegalArgumentException("the cluster key needs at least 32 bytes");
    }
    if (maxRemembered < 1) {
      throw new IllegalArgumentException("maxRemembered must be positive");
    }
    this.key = new SecretKeySpec(clusterKey.clone(), "HmacSHA256");
    this.clock = clock;
    this.self = self;
    this.maxRemembered = maxRemembered;
  }

  /** Whether {@code id} may name an instance in the header. */
  public static boolean isInstanceId(String id) {
    return id != null && INSTANCE_ID.matcher(id).matches();
  }

  /**
   * The header value for a request sent now by {@code instanceId} to the instance at {@code
   * receiver} (its internal {@code host:port}); a new nonce every call.
   */
  public String sign(
      String instanceId, String receiver, String method, String target, byte[] body) {
    if (!isInstanceId(instanceId)) {
      throw new IllegalArgumentException("not an instance id: " + instanceId);
    }
    long millis = clock.millis();
    byte[] nonceBytes = new byte[NONCE_BYTES];
    random.nextBytes(nonceBytes);
    String nonce = Base64.getUrlEncoder().withoutPadding().encodeToString(nonceBytes);
    return String.join(
        ":",
        VERSION,
        instanceId,
        Long.toString(millis),
        nonce,
        Base64.getEncoder()
            .encodeToString(mac(instanceId, receiver, millis, nonce, method, target, body)));
  }

  /**
   * Checks a received request and remembers it, so that the same header is refused next time.
   *
   * @param target the request's raw path and, after {@code ?}, its raw query, as sent
   * @return the sending instance's id
   * @throws ApiError 401 / 20003 when the header is missing or malformed, its time is outside the
   *     window, its MAC does not cover exactly this request sent to this instance, or it was
   *     accepted before; 503 / 20503 when {@link #MAX_REMEMBERED} accepted requests are still
   *     within their window
   */
  public String verify(String header, String method, String target, byte[] body) {
    if (header == null) {
      throw refused("missing " + HEADER);
    }
    String[] parts = header.split(":", -1);
    if (parts.length != 5
        || !parts[0].equals(VERSION)
        || !isInstanceId(parts[1])
        || !NONCE.matcher(parts[3]).matches()) {
      throw refused("malformed " + HEADER);
    }
    long millis;
    byte[] given;
    try {
      millis = Long.parseLong(parts[2]);
      given = Base64.getDecoder().decode(parts[4]);
    } catch (IllegalArgumentException e) {
      throw refused("malformed " + HEADER);
    }
    long now = clock.millis();
    if (Math.abs(now - millis) > WINDOW.toMillis()) {
      throw refused("stale " + HEADER);
    }
    String receiver = self.get();
    if (receiver == null) {
      throw refused("this instance has no internal address yet");
    }
    byte[] expected = mac(parts[1], receiver, millis, parts[3], method, target, body);
    if (!MessageDigest.isEqual(given, expected)) {
      throw refused("invalid " + HEADER);
    }
    // Keyed by the MAC as computed, not as written: Base64 has more than one spelling of it.
    remember(new Key(expected), now);
    return parts[1];
  }

  /** How many accepted MACs are remembered now (expired ones may still be counted). */
  public int remembered() {
    synchronized (accepted) {
      return accepted.size();
    }
  }

  private void remember(Key mac, long now) {
    synchronized (accepted) {
      // Insertion order is acceptance order, so the expired ones are at the head; a clock that
      // stepped back only keeps some a little longer.
      Iterator<Map.Entry<Key, Long>> oldest = accepted.entrySet().iterator();
      while (oldest.hasNext() && oldest.next().getValue() <= now) {
        oldest.remove();
      }
      if (accepted.containsKey(mac)) {
        throw refused("replayed " + HEADER);
      }
      if (accepted.size() >= maxRemembered) {
        throw ApiError.unavailable(
            "too many internal requests within " + WINDOW.toSeconds() + " s");
      }
      accepted.put(mac, now + 2 * WINDOW.toMillis());
    }
  }

  private byte[] mac(
      String instanceId,
      String receiver,
      long millis,
      String nonce,
      String method,
      String target,
      byte[] body) {
    try {
      byte[] bodyHash = MessageDigest.getInstance("SHA-256").digest(body);
      String input =
          String.join(
              "\n",
              instanceId,
              receiver,
              Long.toString(millis),
              nonce,
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

  /** The first 128 bits of an accepted MAC. */
  private record Key(long high, long low) {
    Key(byte[] mac) {
      this(ByteBuffer.wrap(mac).getLong(0), ByteBuffer.wrap(mac).getLong(8));
    }
  }
}
