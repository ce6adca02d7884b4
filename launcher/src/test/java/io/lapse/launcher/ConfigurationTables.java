package io.lapse.launcher;

import io.lapse.config.ConfigDef;
import io.lapse.expiry.ExpiryConfig;
import io.lapse.service.ServiceConfig;
import io.lapse.topics.KafkaConnection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The tables of the README's "Configuration" section, generated from the declarations: each table
 * follows its label line. Running {@link #main} prints the tables to paste; {@link
 * ReadmeConfigurationTest} fails while the README differs.
 */
final class ConfigurationTables {
  /** README label line → the declaration its table documents, in README order. */
  static final Map<String, ConfigDef> BY_LABEL = labels();

  private ConfigurationTables() {}

  /** Every label followed by its generated table, as the README carries them. */
  static String markdown() {
    StringBuilder out = new StringBuilder();
    BY_LABEL.forEach(
        (label, definition) ->
            out.append(label).append("\n\n").append(definition.markdownTable()).append('\n'));
    return out.toString();
  }

  public static void main(String[] args) {
    System.out.print(markdown());
  }

  private static Map<String, ConfigDef> labels() {
    Map<String, ConfigDef> labels = new LinkedHashMap<>();
    labels.put("Shared by both:", KafkaConnection.DEFINITION);
    labels.put("Challenge service:", ServiceConfig.DEFINITION);
    labels.put("Expiry processor:", ExpiryConfig.DEFINITION);
    labels.put("`./lapse up` also reads:", LocalSystem.DEFINITION);
    return labels;
  }
}
