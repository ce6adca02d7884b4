package io.lapse.service.domain;

import io.lapse.events.v1.DetailField;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A challenge create request, as parsed from the form (lengths and formats already checked). */
public record NewChallenge(
    String factorSid,
    Optional<Instant> expirationDate,
    Optional<String> detailsMessage,
    List<DetailField> detailsFields,
    Map<String, String> hiddenDetails,
    Optional<String> authPayload,
    Optional<String> idempotencyKey) {}
