package io.lapse.service.domain;

import io.lapse.state.v1.EntitySnapshot;
import io.lapse.state.v1.ServiceSnapshot;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.TreeMap;

/** Verify Services: create, read, list, update, delete (with its entities and factors). */
public final class Services {
  private final CatalogWriter writer;
  private final String accountSid;
  private final Clock clock;

  public Services(CatalogWriter writer, String accountSid, Clock clock) {
    this.writer = writer;
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

  /** Deletes the service, then its entities and their factors. */
  public void delete(String sid) {
    writer.atomically(
        () -> {
          get(sid);
          for (EntitySnapshot e : writer.catalog().entities().children(sid)) {
            writer
                .catalog()
                .factors()
                .children(e.getSid())
                .forEach(f -> writer.deleteFactor(f.getSid()));
            writer.deleteEntity(e.getSid());
          }
          writer.deleteService(sid);
          return null;
        });
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
