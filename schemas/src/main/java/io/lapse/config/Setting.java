package io.lapse.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One environment variable: name, type, default (or required), rules, documentation. Immutable;
 * each call of the fluent methods returns a refined copy, so a declaration reads as one expression:
 *
 * <pre>{@code
 * Setting<Integer> HTTP_PORT =
 *     Setting.port("HTTP_PORT").defaultsTo(8080).doc("API port (0 picks a free one)");
 * }</pre>
 *
 * @param <T> the typed value
 */
public final class Setting<T> implements Declaration {
  private final String name;
  private final ConfigType<T> type;
  private final T defaultValue;
  private final boolean required;
  private final String whenUnset;
  private final List<Rule<? super T>> rules;
  private final String doc;

  private Setting(
      String name,
      ConfigType<T> type,
      T defaultValue,
      boolean required,
      String whenUnset,
      List<Rule<? super T>> rules,
      String doc) {
    this.name = Objects.requireNonNull(name);
    this.type = Objects.requireNonNull(type);
    this.defaultValue = defaultValue;
    this.required = required;
    this.whenUnset = whenUnset;
    this.rules = List.copyOf(rules);
    this.doc = doc;
  }

  /** A setting of any type, optional and without default until refined. */
  public static <T> Setting<T> of(String name, ConfigType<T> type) {
    return new Setting<>(name, type, null, false, null, List.of(), "");
  }

  public static Setting<String> string(String name) {
    return of(name, ConfigType.STRING);
  }

  /** A secret text: never printed, not in the log and not in error messages. */
  public static Setting<String> password(String name) {
    return of(name, ConfigType.PASSWORD);
  }

  public static Setting<Integer> integer(String name) {
    return of(name, ConfigType.INT);
  }

  public static Setting<Long> longInteger(String name) {
    return of(name, ConfigType.LONG);
  }

  /** A TCP port, 0 to 65535 (0: the system picks a free one). */
  public static Setting<Integer> port(String name) {
    return integer(name).validate(Rule.between(0, 65535));
  }

  public static Setting<Duration> millis(String name) {
    return of(name, ConfigType.DURATION_MS);
  }

  public static Setting<Duration> seconds(String name) {
    return of(name, ConfigType.DURATION_SECONDS);
  }

  public static Setting<Boolean> bool(String name) {
    return of(name, ConfigType.BOOLEAN);
  }

  public static Setting<Path> path(String name) {
    return of(name, ConfigType.PATH);
  }

  public static <E extends Enum<E>> Setting<E> oneOf(String name, Class<E> type) {
    return of(name, ConfigType.oneOf(type));
  }

  /** The value when the variable is unset or blank. */
  public Setting<T> defaultsTo(T value) {
    return new Setting<>(
        name, type, Objects.requireNonNull(value), required, whenUnset, rules, doc);
  }

  /** The process refuses to start without it. */
  public Setting<T> required() {
    return new Setting<>(name, type, defaultValue, true, whenUnset, rules, doc);
  }

  /**
   * What the documentation's default column says instead of the default value, in Markdown: what
   * happens when the variable is unset ({@code "generated and printed"}), or a default that depends
   * on the machine ({@code "`~/.lapse/state`"}).
   */
  public Setting<T> whenUnset(String markdown) {
    return new Setting<>(name, type, defaultValue, required, markdown, rules, doc);
  }

  /** Adds a rule every value (parsed, default or programmatic) must meet. */
  public Setting<T> validate(Rule<? super T> rule) {
    List<Rule<? super T>> more = new ArrayList<>(rules);
    more.add(rule);
    return new Setting<>(name, type, defaultValue, required, whenUnset, more, doc);
  }

  /** The meaning, in Markdown: the README's table shows it as written here. */
  public Setting<T> doc(String markdown) {
    return new Setting<>(name, type, defaultValue, required, whenUnset, rules, markdown);
  }

  @Override
  public String name() {
    return name;
  }

  public ConfigType<T> type() {
    return type;
  }

  /** The default value, or null if there is none. */
  public T defaultValue() {
    return defaultValue;
  }

  public boolean isRequired() {
    return required;
  }

  @Override
  public String doc() {
    return doc;
  }

  @Override
  public String markdownDefault() {
    if (required) {
      return "**required**";
    }
    if (whenUnset != null) {
      return whenUnset;
    }
    return defaultValue == null ? "none" : "`" + type.format(defaultValue) + "`";
  }

  /**
   * Returns the value if it meets every rule.
   *
   * @throws InvalidConfigException naming this variable and the rule it breaks
   */
  public T check(T value) {
    if (value == null) {
      throw new InvalidConfigException(name + " must be set");
    }
    for (Rule<? super T> rule : rules) {
      if (!rule.accepts(value)) {
        throw new InvalidConfigException(name + " " + rule.requirement() + ", got " + show(value));
      }
    }
    return value;
  }

  /**
   * Parses a non-blank text and checks the rules.
   *
   * @throws InvalidConfigException naming this variable (and the text, unless it is a secret)
   */
  T parse(String text) {
    T value;
    try {
      value = type.parse(text);
    } catch (IllegalArgumentException e) {
      throw new InvalidConfigException(
          name
              + " must be "
              + type.description()
              + (type.isSecret() ? "" : ", got \"" + Masking.maskUserInfo(text) + "\""));
    }
    return check(value);
  }

  /** The value as the log shows it: secrets masked, credentials in URLs masked. */
  String show(T value) {
    return type.isSecret() ? Masking.MASK : Masking.maskUserInfo(type.format(value));
  }

  @Override
  public String toString() {
    return name;
  }
}
