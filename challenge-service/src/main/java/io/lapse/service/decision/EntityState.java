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
 * @param serviceDeleted whether this task has learnt that the entity's service was deleted (a
 *     {@code PurgeService}): every later command of the entity is refused
 */
public record EntityState(
    EntityRecord entity, Map<String, FactorRecord> factors, boolean serviceDeleted) {
  public EntityState {
    factors = Collections.unmodifiableMap(new LinkedHashMap<>(factors));
  }

  /** The state of an entity of a live service. */
  public EntityState(EntityRecord entity, Map<String, FactorRecord> factors) {
    this(entity, factors, false);
  }

  /** Nothing known for the key. */
  public static EntityState empty() {
    return new EntityState(null, Map.of());
  }

  /** The store key of an entity: {@code <serviceSid>/<identity>} (identities have no slash). */
  public static String entityKey(String serviceSid, String identity) {
    return serviceSid + "/" + identity;
  }

  /**
   * The service SID an entity key starts with; a key without a slash is a service command's key,
   * the service SID itself.
   */
  public static String serviceOf(String key) {
    int slash = key.indexOf('/');
    return slash < 0 ? key : key.substring(0, slash);
  }

  /** Whether a command key names a service (its SID, no slash) rather than an entity. */
  public static boolean isServiceKey(String key) {
    return key.indexOf('/') < 0;
  }

  /** The entity key of a factor's store key ({@code <serviceSid>/<identity>/<factorSid>}). */
  public static String entityKeyOfFactorKey(String factorKey) {
    return factorKey.substring(0, factorKey.lastIndexOf('/'));
  }

  /** The prefix every entity key, and every factor key, of a service starts with. */
  public static String servicePrefix(String serviceSid) {
    return serviceSid + "/";
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
