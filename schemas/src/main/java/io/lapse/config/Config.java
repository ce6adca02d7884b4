package io.lapse.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The typed values of one {@link ConfigDef}, parsed from an environment: the declared default where
 * a variable is unset. Its {@link #toString()} is the effective configuration for the start-up log,
 * with secrets and credentials masked.
 */
public final class Config {
  private final ConfigDef definition;
  private final Map<Setting<?>, Object> values;
  private final Map<PropertyPrefix, Map<String, String>> passThrough;

  Config(
      ConfigDef definition,
      Map<Setting<?>, Object> values,
      Map<PropertyPrefix, Map<String, String>> passThrough) {
    this.definition = definition;
    this.values = Map.copyOf(values);
    Map<PropertyPrefix, Map<String, String>> copy = new LinkedHashMap<>();
    // Sorted, so the log lists pass-through variables in a stable order.
    passThrough.forEach(
        (p, entries) -> copy.put(p, Collections.unmodifiableMap(new TreeMap<>(entries))));
    this.passThrough = Map.copyOf(copy);
  }

  public ConfigDef definition() {
    return definition;
  }

  /**
   * The value of a setting: as given, or its default.
   *
   * @throws IllegalStateException if the setting is optional, has no default and is unset (use
   *     {@link #find})
   */
  public <T> T get(Setting<T> setting) {
    return find(setting)
        .orElseThrow(() -> new IllegalStateException(setting.name() + " is not set"));
  }

  /** The value of a setting, empty if it is unset and has no default. */
  public <T> Optional<T> find(Setting<T> setting) {
    requireDeclared(setting);
    @SuppressWarnings("unchecked") // put only by parse or with, from the setting's own type
    T value = (T) values.get(setting);
    return Optional.ofNullable(value);
  }

  /** The client properties a pass-through family sets, e.g. {@code max.poll.records=500}. */
  public Map<String, String> properties(PropertyPrefix prefix) {
    Map<String, String> entries = passThrough.get(prefix);
    if (entries == null) {
      throw new IllegalArgumentException(prefix.name() + " is not declared in " + definition);
    }
    Map<String, String> props = new HashMap<>();
    entries.forEach((variable, value) -> props.put(prefix.propertyName(variable), value));
    return Map.copyOf(props);
  }

  /**
   * A copy with one value replaced, e.g. a credential generated because none was given.
   *
   * @throws InvalidConfigException if the value breaks the setting's rules
   */
  public <T> Config with(Setting<T> setting, T value) {
    requireDeclared(setting);
    Map<Setting<?>, Object> changed = new HashMap<>(values);
    changed.put(setting, setting.check(value));
    return new Config(definition, changed, passThrough);
  }

  /** {@code NAME=value, …} in declaration order; secrets and URL credentials masked. */
  @Override
  public String toString() {
    List<String> parts = new ArrayList<>();
    for (Declaration d : definition.declarations()) {
      if (d instanceof Setting<?> s) {
        parts.add(s.name() + "=" + shown(s));
      } else if (d instanceof PropertyPrefix p) {
        passThrough
            .get(p)
            .forEach((variable, value) -> parts.add(variable + "=" + shown(variable, value)));
      }
    }
    return String.join(", ", parts);
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof Config other)
        || definition != other.definition
        || !passThrough.equals(other.passThrough)
        || !values.keySet().equals(other.values.keySet())) {
      return false;
    }
    // Arrays (a key's bytes) compare by content.
    return values.entrySet().stream()
        .allMatch(e -> Objects.deepEquals(e.getValue(), other.values.get(e.getKey())));
  }

  @Override
  public int hashCode() {
    return Objects.hash(definition, values.keySet(), passThrough);
  }

  private <T> String shown(Setting<T> setting) {
    return find(setting).map(setting::show).orElse("(unset)");
  }

  private static String shown(String variable, String value) {
    return Masking.isSecretName(variable) ? Masking.MASK : Masking.maskUserInfo(value);
  }

  private void requireDeclared(Setting<?> setting) {
    if (!definition.declares(setting)) {
      throw new IllegalArgumentException(setting.name() + " is not declared in " + definition);
    }
  }
}
