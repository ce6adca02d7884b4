package io.lapse.config;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * What a log line or an error message must not show: secret values, credentials in URLs and in
 * pass-through variables. Public for the other places that put a configured URL into a message (the
 * registry client, the test kit).
 */
public final class Masking {
  public static final String MASK = "****";

  /**
   * {@code scheme://user:password@} up to the authority's last {@code @}, so that a password with
   * an unencoded {@code @} or a space is masked whole (several URLs may be listed,
   * comma-separated). It may mask more than the user info of malformed text; never less.
   */
  private static final Pattern USER_INFO = Pattern.compile("(?<=://)[^/\\r\\n]+@");

  /**
   * Words that mark a pass-through variable as secret, e.g. {@code
   * SCHEMA_REGISTRY_PROPERTY_BASIC_AUTH_USER_INFO}, {@code KAFKA_PROPERTY_SASL_JAAS_CONFIG}, {@code
   * KAFKA_PROPERTY_SSL_KEY_PASSWORD}, {@code KAFKA_PROPERTY_SSL_KEYSTORE_KEY}.
   */
  private static final List<String> SECRET_WORDS =
      List.of("PASSWORD", "PASSWD", "SECRET", "TOKEN", "JAAS", "USER_INFO", "PRIVATE", "API_KEY");

  private Masking() {}

  /** Replaces the user info of every URL in the text, which may carry a password. */
  public static String maskUserInfo(String text) {
    return USER_INFO.matcher(text).replaceAll(MASK + "@");
  }

  /** Whether a pass-through variable's name says its value is a credential. */
  static boolean isSecretName(String variable) {
    String name = variable.toUpperCase(Locale.ROOT);
    return name.endsWith("_KEY") || SECRET_WORDS.stream().anyMatch(name::contains);
  }
}
