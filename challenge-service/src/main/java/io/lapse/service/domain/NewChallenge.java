package io.lapse.service.domain;

import io.lapse.contract.Deadline;
import io.lapse.events.v1.DetailField;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A challenge create request, as parsed from the form (lengths and formats already checked).
 *
 * @param expirationDate the requested deadline, normalised with {@link Deadline#requested} so the
 *     deadline shown is the one enforced
 */
public record NewChallenge(
    String factorSid,
    Optional<Deadline> expirationDate,
    Optional<String> detailsMessage,
    List<DetailField> detailsFields,
    Map<String, String> hiddenDetails,
    Optional<String> authPayload,
    Optional<String> idempotencyKey) {}
