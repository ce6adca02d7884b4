package io.lapse.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * How a setting's text becomes a typed value and back: the parser, the formatter (for defaults in
 * the documentation and values in the log), and whether the value is a secret that is never
 * printed.
 *
 * @param <T> the typed value
 */
public final class ConfigType<T> {
  /** Text as given (surrounding white space removed). */
  public static final ConfigType<String> STRING = of("text", String::strip, s -> s);

  /** A secret text, kept exactly as given and never printed. */
  public static final ConfigType<String> PASSWORD = secret("text", s -> s);

  public static final ConfigType<Integer> INT =
      of("an integer", s -> Integer.parseInt(s.strip()), String::valueOf);

  public static final ConfigType<Long> LONG =
      of("an integer", s -> Long.parseLong(s.strip()), String::valueOf);

  /** A whole number of milliseconds (the variable's name ends in {@code _MS}). */
  public static final ConfigType<Duration> DURATION_MS =
      of(
          "a whole number of milliseconds",
          s -> Duration.ofMillis(Long.parseLong(s.strip())),
          d -> String.valueOf(d.toMillis()));

  /** A whole number of seconds (the variable's name ends in {@code _SECONDS}). */
  public static final ConfigType<Duration> DURATION_SECONDS =
      of(
          "a whole number of seconds",
          s -> Duration.ofSeconds(Long.parseLong(s.strip())),
          d -> String.valueOf(d.toSeconds()));

  /** {@code true} or {@code false}, in any case; anything else is an error, not false. */
  public static final ConfigType<Boolean> BOOLEAN =
      of("true or false", ConfigType::parseBoolean, String::valueOf);

  public static final ConfigType<Path> PATH = of("a path", s -> Path.of(s.strip()), Path::toString);

  private final String description;
  private final Function<String, ? extends T> parser;
  private final Function<? super T, String> formatter;
  private final boolean secret;

  private ConfigType(
      String description,
      Function<String, ? extends T> parser,
      Function<? super T, String> formatter,
      boolean secret) {
    this.description = Objects.requireNonNull(description);
    this.parser = Objects.requireNonNull(parser);
    this.formatter = Objects.requireNonNull(formatter);
    this.secret = secret;
  }

  /**
   * A type of its own.
   *
   * @param description what a valid text is, completing "must be …" (e.g. {@code "an integer"})
   * @param parser turns the text into the value; any exception it throws means "invalid"
   * @param formatter turns a value back into the text that parses to it
   */
  public static <T> ConfigType<T> of(
      String description,
      Function<String, ? extends T> parser,
      Function<? super T, String> formatter) {
    return new ConfigType<>(description, parser, formatter, false);
  }

  /** A secret type: its values and invalid texts never appear in logs or error messages. */
  public static <T> ConfigType<T> secret(String description, Function<String, ? extends T> parser) {
    return new ConfigType<>(description, parser, v -> Masking.MASK, true);
  }

  /** One of an enum's constants, written in lower case and read in any case. */
  public static <E extends Enum<E>> ConfigType<E> oneOf(Class<E> type) {
    String names =
        Arrays.stream(type.getEnumConstants())
            .map(ConfigType::lowerName)
            .collect(Collectors.joining(", "));
    return of(
        "one of " + names,
        s -> Enum.valueOf(type, s.strip().toUpperCase(Locale.ROOT)),
        ConfigType::lowerName);
  }

  /** Completes "must be …" in an error message. */
  public String description() {
    return description;
  }

  public boolean isSecret() {
    return secret;
  }

  /**
   * Parses a non-blank text.
   *
   * @throws IllegalArgumentException whatever the parser rejects (the caller names the variable)
   */
  T parse(String text) {
    T value;
    try {
      value = parser.apply(text);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(description, e);
    }
    if (value == null) {
      throw new IllegalArgumentException(description);
    }
    return value;
  }

  /** The text of a value as a user would write it ({@link Masking#MASK} for a secret). */
  String format(T value) {
    return formatter.apply(value);
  }

  private static boolean parseBoolean(String text) {
    String s = text.strip();
    if (s.equalsIgnoreCase("true")) {
      return true;
    }
    if (s.equalsIgnoreCase("false")) {
      return false;
    }
    throw new IllegalArgumentException(s);
  }

  private static String lowerName(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT);
  }
}
