package io.lapse.service.domain;

import java.util.Optional;

/** A factor update: an optional verification ({@code AuthPayload}) and optional config changes. */
public record FactorUpdate(
    Optional<String> authPayload,
    Optional<String> friendlyName,
    Optional<String> notificationToken,
    Optional<String> sdkVersion,
    Optional<String> notificationPlatform,
    Optional<Integer> totpTimeStep,
    Optional<Integer> totpSkew,
    Optional<Integer> totpCodeLength,
    Optional<String> totpAlg) {}
