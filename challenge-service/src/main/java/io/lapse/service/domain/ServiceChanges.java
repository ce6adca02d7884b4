package io.lapse.service.domain;

import java.util.Optional;

/**
 * The settings a service create or update carries; absent means "default" on create and "unchanged"
 * on update. Ranges are checked when the form is parsed. The last two are the Lapse extension of a
 * {@link StrictPolicy}.
 */
public record ServiceChanges(
    Optional<String> friendlyName,
    Optional<Boolean> pushIncludeDate,
    Optional<String> pushApnCredentialSid,
    Optional<String> pushFcmCredentialSid,
    Optional<String> totpIssuer,
    Optional<Integer> totpTimeStep,
    Optional<Integer> totpCodeLength,
    Optional<Integer> totpSkew,
    Optional<Integer> lapseMaxChallengeLifetimeSeconds,
    Optional<Integer> lapseMaxTotpSkew) {}
