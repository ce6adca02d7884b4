package io.lapse.service.domain;

import io.lapse.state.v1.EntitySnapshot;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/** Entities (a user of a service, by identity): create, read, list, delete (with its factors). */
public final class Entities {
  /** "between 8 and 64 characters … dash (-) separated alphanumeric characters". */
  private static final Pattern IDENTITY = Pattern.compile("^[A-Za-z0-9]+(-[A-Za-z0-9]+)*$");

  private final CatalogWriter writer;
  private final Clock clock;

  public Entities(CatalogWriter writer, Clock clock) {
    this.writer = writer;
    this.clock = clock;
  }

  /** Checks an identity given in a create request ("invalid request" if malformed). */
  public static void checkIdentity(String identity) {
    if (identity == null
        || identity.length() < 8
        || identity.length() > 64
        || !IDENTITY.matcher(identity).matches()) {
      throw ApiError.invalidRequest(
          "Identity must be 8 to 64 dash-separated alphanumeric characters");
    }
  }

  public EntitySnapshot create(String serviceSid, String identity) {
    if (identity == null || identity.isEmpty()) {
      throw ApiError.missingParam("Identity");
    }
    checkIdentity(identity);
    return writer.atomically(
        () -> {
          Lookups.service(writer.catalog(), serviceSid);
          if (writer
              .catalog()
              .entities()
              .byUniqueKey(Catalog.identityKey(serviceSid, identity))
              .isPresent()) {
            throw ApiError.entityExists();
          }
          return createUnlocked(serviceSid, identity);
        });
  }

  /** Creates the entity; the caller holds the write lock and checked it does not exist. */
  EntitySnapshot createUnlocked(String serviceSid, String identity) {
    Instant now = clock.instant();
    EntitySnapshot e =
        EntitySnapshot.newBuilder()
            .setSid(Sids.random(Sids.ENTITY))
            .setAccountSid(Lookups.service(writer.catalog(), serviceSid).getAccountSid())
            .setServiceSid(serviceSid)
            .setIdentity(identity)
            .setCreatedAt(now)
            .setUpdatedAt(now)
            .build();
    writer.putEntity(e);
    return e;
  }

  public EntitySnapshot get(String serviceSid, String identity) {
    return Lookups.entity(writer.catalog(), serviceSid, identity);
  }

  public Pager.Page<EntitySnapshot> list(String serviceSid, PageRequest request) {
    Lookups.service(writer.catalog(), serviceSid);
    TreeMap<SortKey, EntitySnapshot> sorted = new TreeMap<>();
    writer
        .catalog()
        .entities()
        .children(serviceSid)
        .forEach(e -> sorted.put(SortKey.of(e.getCreatedAt(), e.getSid()), e));
    return Pager.page(
        sorted.navigableKeySet(),
        false,
        k -> Optional.ofNullable(sorted.get(k)),
        e -> true,
        request);
  }

  public void delete(String serviceSid, String identity) {
    writer.atomically(
        () -> {
          EntitySnapshot e = get(serviceSid, identity);
          writer
              .catalog()
              .factors()
              .children(e.getSid())
              .forEach(f -> writer.deleteFactor(f.getSid()));
          writer.deleteEntity(e.getSid());
          return null;
        });
  }
}
