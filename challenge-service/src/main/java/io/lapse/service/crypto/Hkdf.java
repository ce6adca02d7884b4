package io.lapse.service.crypto;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HKDF-SHA256 (RFC 5869): derives keys of distinct purposes from one secret, so one configured
 * secret serves several uses without a key ever being used for two of them (each use names its own
 * {@code info} label).
 */
public final class Hkdf {
  private static final String HMAC = "HmacSHA256";
  private static final int HASH_BYTES = 32;

  private Hkdf() {}

  /** A key of {@code length} bytes for the purpose {@code info}, with no salt (RFC 5869 §2.2). */
  public static byte[] derive(byte[] secret, String info, int length) {
    return derive(new byte[HASH_BYTES], secret, info.getBytes(StandardCharsets.UTF_8), length);
  }

  /** Extract-then-expand, as RFC 5869 §2 (its test vectors hold for this method). */
  public static byte[] derive(byte[] salt, byte[] secret, byte[] info, int length) {
    if (length < 1 || length > 255 * HASH_BYTES) {
      throw new IllegalArgumentException("HKDF-SHA256 length " + length);
    }
    byte[] prk = hmac(salt.length == 0 ? new byte[HASH_BYTES] : salt, secret);
    ByteArrayOutputStream okm = new ByteArrayOutputStream(length + HASH_BYTES);
    byte[] t = new byte[0];
    for (int i = 1; okm.size() < length; i++) {
      byte[] input = new byte[t.length + info.length + 1];
      System.arraycopy(t, 0, input, 0, t.length);
      System.arraycopy(info, 0, input, t.length, info.length);
      input[input.length - 1] = (byte) i;
      t = hmac(prk, input);
      okm.write(t, 0, t.length);
    }
    byte[] out = new byte[length];
    System.arraycopy(okm.toByteArray(), 0, out, 0, length);
    return out;
  }

  private static byte[] hmac(byte[] key, byte[] data) {
    try {
      Mac mac = Mac.getInstance(HMAC);
      mac.init(new SecretKeySpec(key, HMAC));
      return mac.doFinal(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA256 is unavailable", e);
    }
  }
}
