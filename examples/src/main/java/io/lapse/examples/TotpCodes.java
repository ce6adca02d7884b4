package io.lapse.examples;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * What an authenticator app does: the RFC 6238 code of a Base32 secret at an instant (HMAC-SHA1,
 * 30-second steps, 6 digits by default). The walk-through uses it in place of a phone.
 */
public final class TotpCodes {
  private static final String BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

  private TotpCodes() {}

  /** The 6-digit SHA-1 code of the secret for the 30-second step containing {@code at}. */
  public static String code(String base32Secret, Instant at) {
    return code(base32Secret, at, 6, 30, "HmacSHA1");
  }

  /** The code for explicit parameters ({@code hmac}: HmacSHA1, HmacSHA256 or HmacSHA512). */
  public static String code(
      String base32Secret, Instant at, int digits, int stepSeconds, String hmac) {
    try {
      Mac mac = Mac.getInstance(hmac);
      mac.init(new SecretKeySpec(decodeBase32(base32Secret), hmac));
      byte[] hash =
          mac.doFinal(ByteBuffer.allocate(8).putLong(at.getEpochSecond() / stepSeconds).array());
      int offset = hash[hash.length - 1] & 0x0f;
      int binary = ByteBuffer.wrap(hash, offset, 4).getInt() & 0x7fffffff;
      String code = Integer.toString(binary % (int) Math.pow(10, digits));
      return "0".repeat(digits - code.length()) + code;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC unavailable: " + hmac, e);
    }
  }

  static byte[] decodeBase32(String secret) {
    String s = secret.replace("=", "").replace(" ", "").toUpperCase(Locale.ROOT);
    ByteBuffer out = ByteBuffer.allocate(s.length() * 5 / 8);
    int buffer = 0;
    int bits = 0;
    for (char c : s.toCharArray()) {
      int value = BASE32.indexOf(c);
      if (value < 0) {
        throw new IllegalArgumentException("Not a Base32 secret: " + secret);
      }
      buffer = (buffer << 5) | value;
      bits += 5;
      if (bits >= 8) {
        out.put((byte) (buffer >> (bits - 8)));
        bits -= 8;
      }
    }
    return out.array();
  }

  /** {@code java TotpCodes SECRET}: prints the current code. */
  public static void main(String[] args) {
    if (args.length != 1) {
      System.err.println("usage: TotpCodes BASE32_SECRET");
      return;
    }
    System.out.println(code(args[0], Instant.now()));
  }
}
