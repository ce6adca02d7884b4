package io.lapse.service.webhook;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * One event to deliver to a service's webhooks: its type, its {@code uuid} (the same on every retry
 * and redelivery), and its form parameters.
 *
 * @param occurredAt when it happened; a webhook created after it does not get it
 * @param params every parameter of a {@code v2} webhook, in a stable order
 * @param v2Only the parameters a {@code v1} webhook does not get
 */
public record WebhookEvent(
    String type,
    String uuid,
    String serviceSid,
    Instant occurredAt,
    Map<String, String> params,
    Set<String> v2Only) {

  public WebhookEvent {
    params = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(params));
    v2Only = Set.copyOf(v2Only);
  }

  /** The parameters a webhook of {@code version} ({@code v1} or {@code v2}) gets. */
  public Map<String, String> params(String version) {
    if (!"v1".equals(version)) {
      return params;
    }
    Map<String, String> v1 = new LinkedHashMap<>(params);
    v1.keySet().removeAll(v2Only);
    return v1;
  }
}
