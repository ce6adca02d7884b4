package io.lapse.service.domain;

import io.lapse.commands.v1.UpdateService;
import io.lapse.state.v1.ServiceSnapshot;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.Schema;

/**
 * The settings of a Verify Service, applied by name: every field of {@link UpdateService} but its
 * envelope is a setting and names the {@link ServiceSnapshot} field it changes (a test holds the
 * two schemas to that). So a new Twilio parameter is one field in each schema and one row of the
 * form table, never another hand-written copy in the edge and the decider.
 */
public final class ServiceSettings {
  /** The fields of {@link UpdateService} that say which update this is, not what it changes. */
  private static final Set<String> ENVELOPE = Set.of("requestId", "issuedAt", "sid", "known");

  /** The settings' field names, in schema order. */
  public static final List<String> NAMES =
      UpdateService.getClassSchema().getFields().stream()
          .map(Schema.Field::name)
          .filter(n -> !ENVELOPE.contains(n))
          .toList();

  private ServiceSettings() {}

  /** The settings an update sets (its non-null ones). */
  public static Map<String, Object> of(UpdateService update) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (String name : NAMES) {
      Object v = update.get(name);
      if (v != null) {
        out.put(name, v);
      }
    }
    return out;
  }

  /** Puts {@code settings} on an update command, each under its own name. */
  public static void put(UpdateService update, Map<String, Object> settings) {
    settings.forEach(update::put);
  }

  /**
   * A copy of {@code base} with {@code settings} applied. An empty text clears an optional setting
   * (Twilio's "it can be empty"); a required one (the friendly name) is never empty here, the form
   * refuses that.
   */
  public static ServiceSnapshot apply(ServiceSnapshot base, Map<String, Object> settings) {
    ServiceSnapshot s = ServiceSnapshot.newBuilder(base).build();
    settings.forEach(
        (name, value) -> {
          Schema.Field f = ServiceSnapshot.getClassSchema().getField(name);
          if (f == null) {
            throw new IllegalArgumentException("not a service setting: " + name);
          }
          boolean optional = f.schema().isNullable();
          s.put(f.pos(), optional && "".equals(value) ? null : value);
        });
    return s;
  }
}
