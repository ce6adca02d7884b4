package io.lapse.service.domain;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** Twilio SIDs: a two-letter prefix and 32 hex digits. Generation and validation. */
public final class Sids {
  public static final String ACCOUNT = "AC";
  public static final String SERVICE = "VA";
  public static final String ENTITY = "YE";
  public static final String FACTOR = "YF";
  public static final String CHALLENGE = "YC";
  public static final String NOTIFICATION = "NT";
  public static final String CREDENTIAL = "CR";

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final HexFormat HEX = HexFormat.of();

  private Sids() {}

  public static String random(String prefix) {
    byte[] b = new byte[16];
    RANDOM.nextBytes(b);
    return prefix + HEX.formatHex(b);
  }

  /** True if {@code value} is {@code prefix} followed by 32 hex digits (either case). */
  public static boolean isValid(String prefix, String value) {
    return value != null && patternFor(prefix).matcher(value).matches();
  }

  private static Pattern patternFor(String prefix) {
    return Pattern.compile("^" + Pattern.quote(prefix) + "[0-9a-fA-F]{32}$");
  }
}
