package io.lapse.service.decision;

import io.lapse.commands.v1.EntityRecord;
import io.lapse.commands.v1.FactorRecord;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the entity task knows of one entity key when a command arrives: its entity record (null if
 * none) and the records of its factors, by factor SID in key order.
 *
 * @param entity the entity record, null if the key has none
 * @param factors the factor records of the entity key, by factor SID
 */
public record EntityState(EntityRecord entity, Map<String, FactorRecord> factors) {
  public EntityState {
    factors = Collections.unmodifiableMap(new LinkedHashMap<>(factors));
  }

  /** Nothing known for the key. */
  public static EntityState empty() {
    return new EntityState(null, Map.of());
  }

  /** The store key of an entity: {@code <serviceSid>/<identity>} (identities have no slash). */
  public static String entityKey(String serviceSid, String identity) {
    return serviceSid + "/" + identity;
  }

  /** The store key of a factor: its entity key, a slash, its SID. */
  public static String factorKey(String entityKey, String factorSid) {
    return entityKey + "/" + factorSid;
  }

  /** The prefix every factor key of an entity key starts with. */
  public static String factorPrefix(String entityKey) {
    return entityKey + "/";
  }
}
