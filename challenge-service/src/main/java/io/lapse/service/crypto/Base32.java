package io.lapse.service.crypto;

import java.io.ByteArrayOutputStream;
import java.util.Locale;

/**
 * RFC 4648 Base32, the encoding of TOTP seeds in {@code otpauth://} URIs and Twilio's {@code
 * binding.secret}. Encodes without padding (as authenticator apps expect); decodes
 * case-insensitively, ignoring padding.
 */
public final class Base32 {
  private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

  private Base32() {}

  public static String encode(byte[] data) {
    StringBuilder out = new StringBuilder((data.length * 8 + 4) / 5);
    int buffer = 0;
    int bits = 0;
    for (byte b : data) {
      buffer = (buffer << 8) | (b & 0xff);
      bits += 8;
      while (bits >= 5) {
        out.append(ALPHABET.charAt((buffer >> (bits - 5)) & 31));
        bits -= 5;
      }
    }
    if (bits > 0) {
      out.append(ALPHABET.charAt((buffer << (5 - bits)) & 31));
    }
    return out.toString();
  }

  /**
   * Decodes Base32 text.
   *
   * @throws IllegalArgumentException if the text holds a character outside the alphabet or is empty
   */
  public static byte[] decode(String text) {
    String s = text.trim().toUpperCase(Locale.ROOT);
    int end = s.length();
    while (end > 0 && s.charAt(end - 1) == '=') {
      end--;
    }
    if (end == 0) {
      throw new IllegalArgumentException("empty Base32 text");
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(end * 5 / 8);
    int buffer = 0;
    int bits = 0;
    for (int i = 0; i < end; i++) {
      int v = ALPHABET.indexOf(s.charAt(i));
      if (v < 0) {
        throw new IllegalArgumentException("not a Base32 character at position " + i);
      }
      buffer = (buffer << 5) | v;
      bits += 5;
      if (bits >= 8) {
        out.write((buffer >> (bits - 8)) & 0xff);
        bits -= 8;
      }
    }
    return out.toByteArray();
  }
}
