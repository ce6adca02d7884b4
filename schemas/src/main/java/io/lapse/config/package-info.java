/**
 * Settings declared once: each process lists its environment variables as {@link
 * io.lapse.config.Setting}s (name, type, default or required, validation, documentation) and {@link
 * io.lapse.config.PropertyPrefix} pass-through families in a {@link io.lapse.config.ConfigDef}, in
 * the manner of Kafka's own {@code ConfigDef}. The same declaration parses the environment into a
 * {@link io.lapse.config.Config} (errors name the variable), renders the effective configuration
 * for the start-up log with secrets masked, and renders the Markdown table that the README's
 * configuration section carries.
 *
 * <p>A blank value counts as unset, so {@code HTTP_PORT=} means the default.
 */
package io.lapse.config;
