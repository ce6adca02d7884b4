package io.lapse.config;

/** One line of a {@link ConfigDef}: a single {@link Setting} or a {@link PropertyPrefix} family. */
public sealed interface Declaration permits Setting, PropertyPrefix {
  /** The variable as the documentation shows it, e.g. {@code KAFKA_PROPERTY_<NAME>}. */
  String name();

  /** The documentation's default column, in Markdown. */
  String markdownDefault();

  /** The documentation's meaning column, in Markdown. */
  String doc();
}
