package io.lapse.service.crypto;

import java.util.Locale;
import java.util.Optional;

/** The HMAC behind a TOTP factor ({@code Config.Alg}): Twilio's lower-case names and the JCA's. */
public enum TotpAlgorithm {
  SHA1("sha1", "HmacSHA1", "SHA1"),
  SHA256("sha256", "HmacSHA256", "SHA256"),
  SHA512("sha512", "HmacSHA512", "SHA512");

  private final String twilioName;
  private final String jcaName;
  private final String uriName;

  TotpAlgorithm(String twilioName, String jcaName, String uriName) {
    this.twilioName = twilioName;
    this.jcaName = jcaName;
    this.uriName = uriName;
  }

  /** The API's value ({@code sha1}, {@code sha256}, {@code sha512}). */
  public String twilioName() {
    return twilioName;
  }

  String jcaName() {
    return jcaName;
  }

  /** The {@code algorithm} parameter of the {@code otpauth://} key URI. */
  public String uriName() {
    return uriName;
  }

  public static Optional<TotpAlgorithm> fromTwilioName(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    for (TotpAlgorithm a : values()) {
      if (a.twilioName.equals(n)) {
        return Optional.of(a);
      }
    }
    return Optional.empty();
  }
}
