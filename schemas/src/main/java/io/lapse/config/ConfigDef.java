package io.lapse.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The settings of one process (or of one part shared by several), declared once: parses the
 * environment into a {@link Config} and renders the documentation table. Checked when declared:
 * names are unique, every declaration is documented, and defaults meet their own rules.
 */
public final class ConfigDef {
  private final String title;
  private final List<Declaration> declarations;
  private final Set<Setting<?>> settings;

  private ConfigDef(String title, List<? extends Declaration> declarations) {
    this.title = title;
    this.declarations = List.copyOf(declarations);
    Set<Setting<?>> declared = Collections.newSetFromMap(new LinkedHashMap<>());
    Set<String> names = new HashSet<>();
    for (Declaration d : this.declarations) {
      if (!names.add(d.name())) {
        throw new IllegalStateException(title + " declares " + d.name() + " twice");
      }
      if (d.doc().isBlank()) {
        throw new IllegalStateException(title + ": " + d.name() + " has no documentation");
      }
      if (d instanceof Setting<?> s) {
        checkDefault(s);
        declared.add(s);
      }
    }
    this.settings = Collections.unmodifiableSet(declared);
  }

  /** The declarations in the order the documentation and the log show them. */
  public static ConfigDef of(String title, Declaration... declarations) {
    return new ConfigDef(title, List.of(declarations));
  }

  /** Collects declarations from several places, e.g. another class's settings in between. */
  public static Builder builder(String title) {
    return new Builder(title);
  }

  /** What this declaration configures, e.g. {@code "Challenge service"}. */
  public String title() {
    return title;
  }

  public List<Declaration> declarations() {
    return declarations;
  }

  public boolean declares(Setting<?> setting) {
    return settings.contains(setting);
  }

  /**
   * Parses an environment (pass {@code System.getenv()} in mains, a map in tests). Variables this
   * declaration does not know are ignored.
   *
   * @throws InvalidConfigException naming every variable that is missing or invalid
   */
  public Config parse(Map<String, String> env) {
    List<String> problems = new ArrayList<>();
    Map<Setting<?>, Object> values = new LinkedHashMap<>();
    Map<PropertyPrefix, Map<String, String>> passThrough = new LinkedHashMap<>();
    for (Declaration d : declarations) {
      if (d instanceof Setting<?> s) {
        try {
          Object value = valueOf(s, env.get(s.name()));
          if (value != null) {
            values.put(s, value);
          }
        } catch (InvalidConfigException e) {
          problems.addAll(e.problems());
        }
      } else if (d instanceof PropertyPrefix p) {
        Map<String, String> entries = new TreeMap<>();
        env.forEach(
            (variable, value) -> {
              if (p.matches(variable) && !isSettingName(variable)) {
                entries.put(variable, value);
              }
            });
        passThrough.put(p, entries);
      }
    }
    if (!problems.isEmpty()) {
      throw new InvalidConfigException(problems);
    }
    return new Config(this, values, passThrough);
  }

  /**
   * The documentation as a Markdown table: {@code | variable | default | meaning |}, one row per
   * declaration, each line ending in a newline.
   */
  public String markdownTable() {
    StringBuilder table = new StringBuilder("| variable | default | meaning |\n|---|---|---|\n");
    for (Declaration d : declarations) {
      table
          .append("| `")
          .append(d.name())
          .append("` | ")
          .append(cell(d.markdownDefault()))
          .append(" | ")
          .append(cell(d.doc()))
          .append(" |\n");
    }
    return table.toString();
  }

  @Override
  public String toString() {
    return title;
  }

  private static <T> T valueOf(Setting<T> s, String text) {
    if (text == null || text.isBlank()) {
      if (s.isRequired()) {
        // The documentation says what the value is for and how to make one.
        throw new InvalidConfigException(s.name() + " is not set: " + plain(s.doc()));
      }
      return s.defaultValue();
    }
    return s.parse(text);
  }

  private boolean isSettingName(String variable) {
    return settings.stream().anyMatch(s -> s.name().equals(variable));
  }

  private <T> void checkDefault(Setting<T> s) {
    if (s.isRequired() && s.defaultValue() != null) {
      throw new IllegalStateException(title + ": " + s.name() + " is required and has a default");
    }
    if (s.defaultValue() != null) {
      s.check(s.defaultValue());
    }
  }

  private static String cell(String markdown) {
    return markdown.replace("|", "\\|").replace("\n", " ");
  }

  private static String plain(String markdown) {
    return markdown.replace("`", "").replace("**", "");
  }

  /** Collects declarations in order. */
  public static final class Builder {
    private final String title;
    private final List<Declaration> declarations = new ArrayList<>();

    private Builder(String title) {
      this.title = title;
    }

    public Builder add(Declaration... more) {
      declarations.addAll(List.of(more));
      return this;
    }

    public ConfigDef build() {
      return new ConfigDef(title, declarations);
    }
  }
}
