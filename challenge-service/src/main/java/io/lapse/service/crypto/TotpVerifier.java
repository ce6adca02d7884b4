package io.lapse.service.crypto;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * RFC 6238 time-based one-time passwords: computes the code of a time step and checks a submitted
 * code within the factor's skew (that many steps in the past and in the future), in constant time.
 */
public final class TotpVerifier {
  private static final int[] POWERS = {
    1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000
  };

  /** The factor's TOTP parameters. */
  public record Params(TotpAlgorithm algorithm, int codeLength, int timeStepSeconds, int skew) {
    public Params {
      if (codeLength < 1 || codeLength > 8) {
        throw new IllegalArgumentException("codeLength must be 1..8, got " + codeLength);
      }
      if (timeStepSeconds < 1) {
        throw new IllegalArgumentException("timeStepSeconds must be positive");
      }
      if (skew < 0) {
        throw new IllegalArgumentException("skew must not be negative");
      }
    }
  }

  private TotpVerifier() {}

  /** The code for the time step that contains {@code at}. */
  public static String codeAt(byte[] secret, Params params, Instant at) {
    return code(secret, params, Math.floorDiv(at.getEpochSecond(), params.timeStepSeconds()));
  }

  /** True if {@code submitted} is the code of a step within the skew window around {@code now}. */
  public static boolean verify(byte[] secret, Params params, String submitted, Instant now) {
    return matchedStepStarts(secret, params, submitted, now).length > 0;
  }

  /**
   * The start, in epoch seconds, of every time step within the skew window around {@code now} whose
   * code is {@code submitted}, oldest first; empty for a wrong code. Usually one step; two when the
   * code repeats within the window. A verifier that accepts each step once (RFC 6238 section 5.2)
   * compares the latest of them with the last step it accepted.
   */
  public static long[] matchedStepStarts(
      byte[] secret, Params params, String submitted, Instant now) {
    if (submitted == null || submitted.length() != params.codeLength()) {
      return new long[0];
    }
    long step = Math.floorDiv(now.getEpochSecond(), params.timeStepSeconds());
    long[] matched = new long[2 * params.skew() + 1];
    int n = 0;
    // Every step of the window is computed, so timing does not tell which one matched.
    for (long s = step - params.skew(); s <= step + params.skew(); s++) {
      boolean match =
          MessageDigest.isEqual(code(secret, params, s).getBytes(), submitted.getBytes());
      matched[n] = s * params.timeStepSeconds();
      n += match ? 1 : 0;
    }
    return Arrays.copyOf(matched, n);
  }

  static String code(byte[] secret, Params params, long step) {
    try {
      Mac mac = Mac.getInstance(params.algorithm().jcaName());
      mac.init(new SecretKeySpec(secret, params.algorithm().jcaName()));
      byte[] hash = mac.doFinal(ByteBuffer.allocate(8).putLong(step).array());
      int offset = hash[hash.length - 1] & 0x0f;
      int binary =
          ((hash[offset] & 0x7f) << 24)
              | ((hash[offset + 1] & 0xff) << 16)
              | ((hash[offset + 2] & 0xff) << 8)
              | (hash[offset + 3] & 0xff);
      int otp = binary % POWERS[params.codeLength()];
      String digits = Integer.toString(otp);
      return "0".repeat(params.codeLength() - digits.length()) + digits;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC unavailable: " + params.algorithm(), e);
    }
  }
}
