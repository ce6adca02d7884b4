package io.lapse.service.domain;

import io.lapse.state.v1.ServiceSnapshot;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.TreeMap;

/** Verify Services: create, read, list, update, delete (with its entities and factors). */
public final class Services {
  private final CatalogWriter writer;
  private final Entities entities;
  private final String accountSid;
  private final Clock clock;

  public Services(CatalogWriter writer, Entities entities, String accountSid, Clock clock) {
    this.writer = writer;
    this.entities = entities;
    this.accountSid = accountSid;
    this.clock = clock;
  }

  public ServiceSnapshot create(ServiceChanges changes) {
    String name = changes.friendlyName().orElseThrow(() -> ApiError.missingParam("FriendlyName"));
    Instant now = clock.instant();
    ServiceSnapshot.Builder b =
        ServiceSnapshot.newBuilder()
            .setSid(Sids.random(Sids.SERVICE))
            .setAccountSid(accountSid)
            .setFriendlyName(name)
            .setCreatedAt(now)
            .setUpdatedAt(now);
    ServiceSnapshot s = applyChanges(b, changes).build();
    writer.putService(s);
    return s;
  }

  public ServiceSnapshot get(String sid) {
    return Lookups.service(writer.catalog(), sid);
  }

  public Pager.Page<ServiceSnapshot> list(PageRequest request) {
    TreeMap<SortKey, ServiceSnapshot> sorted = new TreeMap<>();
    writer
        .catalog()
        .services()
        .children(accountSid)
        .forEach(s -> sorted.put(SortKey.of(s.getCreatedAt(), s.getSid()), s));
    return Pager.page(
        sorted.navigableKeySet(),
        false,
        k -> Optional.ofNullable(sorted.get(k)),
        s -> true,
        request);
  }

  public ServiceSnapshot update(String sid, ServiceChanges changes) {
    return writer.atomically(
        () -> {
          ServiceSnapshot.Builder b = ServiceSnapshot.newBuilder(get(sid));
          changes.friendlyName().ifPresent(b::setFriendlyName);
          ServiceSnapshot s = applyChanges(b, changes).setUpdatedAt(clock.instant()).build();
          writer.putService(s);
          return s;
        });
  }

  /**
   * Deletes the service's entities and their factors (each by its entity's single writer), then the
   * service. An entity created under the service while it is being deleted may outlive it,
   * unreachable: every request checks its service first.
   */
  public void delete(String sid) {
    get(sid);
    entities.deleteAll(sid);
    writer.deleteService(sid);
  }

  private static ServiceSnapshot.Builder applyChanges(ServiceSnapshot.Builder b, ServiceChanges c) {
    c.pushIncludeDate().ifPresent(b::setPushIncludeDate);
    c.pushApnCredentialSid().ifPresent(b::setPushApnCredentialSid);
    c.pushFcmCredentialSid().ifPresent(b::setPushFcmCredentialSid);
    c.totpIssuer().ifPresent(b::setTotpIssuer);
    c.totpTimeStep().ifPresent(b::setTotpTimeStep);
    c.totpCodeLength().ifPresent(b::setTotpCodeLength);
    c.totpSkew().ifPresent(b::setTotpSkew);
    c.lapseMaxChallengeLifetimeSeconds().ifPresent(b::setLapseMaxChallengeLifetimeSeconds);
    c.lapseMaxTotpSkew().ifPresent(b::setLapseMaxTotpSkew);
    return b;
  }
}
