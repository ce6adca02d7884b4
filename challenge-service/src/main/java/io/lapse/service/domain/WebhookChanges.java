package io.lapse.service.domain;

import java.util.List;
import java.util.Optional;

/**
 * The parameters of a webhook create or update, parsed and checked by the HTTP layer; absent ones
 * are left as they are (an update) or take their defaults (a create).
 *
 * @param eventTypes the event types in the order given, without repeats; empty when not given
 */
public record WebhookChanges(
    Optional<String> friendlyName,
    List<String> eventTypes,
    Optional<String> webhookUrl,
    Optional<String> status,
    Optional<String> version) {
  public WebhookChanges {
    eventTypes = List.copyOf(eventTypes);
  }
}
