package io.lapse.service.domain;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The settings a service create or update carries, keyed by their field name in {@link
 * io.lapse.state.v1.ServiceSnapshot} (and {@link io.lapse.commands.v1.UpdateService}, which names
 * them alike): absent means "default" on create and "unchanged" on update. Values are checked when
 * the form is parsed; an empty string for an optional text setting clears it ({@link
 * ServiceSettings}).
 */
public record ServiceChanges(Map<String, Object> settings) {
  public ServiceChanges {
    settings = Collections.unmodifiableMap(new LinkedHashMap<>(settings));
  }

  public Optional<String> friendlyName() {
    return Optional.ofNullable((String) settings.get("friendlyName"));
  }
}
