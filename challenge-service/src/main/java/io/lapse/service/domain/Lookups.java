package io.lapse.service.domain;

import io.lapse.state.v1.EntitySnapshot;
import io.lapse.state.v1.FactorSnapshot;
import io.lapse.state.v1.ServiceSnapshot;

/** Resolves path parameters to resources, answering "not found" with Twilio's path wording. */
final class Lookups {
  private Lookups() {}

  static ServiceSnapshot service(Catalog catalog, String serviceSid) {
    return catalog
        .services()
        .get(serviceSid)
        .orElseThrow(() -> ApiError.notFound("/Services/" + serviceSid));
  }

  static EntitySnapshot entity(Catalog catalog, String serviceSid, String identity) {
    service(catalog, serviceSid);
    return catalog
        .entities()
        .byUniqueKey(Catalog.identityKey(serviceSid, identity))
        .orElseThrow(() -> ApiError.notFound("/Services/" + serviceSid + "/Entities/" + identity));
  }

  static FactorSnapshot factor(
      Catalog catalog, String serviceSid, String identity, String factorSid) {
    EntitySnapshot entity = entity(catalog, serviceSid, identity);
    return catalog
        .factors()
        .get(factorSid)
        .filter(f -> f.getEntitySid().equals(entity.getSid()))
        .orElseThrow(
            () ->
                ApiError.notFound(
                    "/Services/" + serviceSid + "/Entities/" + identity + "/Factors/" + factorSid));
  }
}
