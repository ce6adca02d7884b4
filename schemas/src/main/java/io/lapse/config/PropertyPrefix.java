package io.lapse.config;

import java.util.Locale;
import java.util.Objects;

/**
 * A family of pass-through variables: every {@code <prefix><NAME>} becomes a client property, e.g.
 * {@code KAFKA_PROPERTY_MAX_POLL_RECORDS=500} becomes {@code max.poll.records=500} (lower case,
 * underscores become dots). In the start-up log a value is masked when its name marks it as a
 * credential ({@code …PASSWORD}, {@code …JAAS_CONFIG}, {@code …USER_INFO}, {@code …_KEY}, …).
 *
 * @param prefix e.g. {@code KAFKA_PROPERTY_}
 * @param doc the meaning, in Markdown
 */
public record PropertyPrefix(String prefix, String doc) implements Declaration {
  public PropertyPrefix {
    Objects.requireNonNull(prefix);
    Objects.requireNonNull(doc);
  }

  public static PropertyPrefix of(String prefix, String doc) {
    return new PropertyPrefix(prefix, doc);
  }

  @Override
  public String name() {
    return prefix + "<NAME>";
  }

  @Override
  public String markdownDefault() {
    return "none";
  }

  boolean matches(String variable) {
    return variable.startsWith(prefix) && variable.length() > prefix.length();
  }

  /** {@code KAFKA_PROPERTY_MAX_POLL_RECORDS} → {@code max.poll.records}. */
  String propertyName(String variable) {
    return variable.substring(prefix.length()).toLowerCase(Locale.ROOT).replace('_', '.');
  }
}
