package io.lapse.service.domain;

import java.util.Map;
import java.util.Optional;

/**
 * A factor create request, as parsed from the form (lengths and ranges already checked; the rules
 * that depend on the factor type are checked by {@link Factors}).
 */
public record NewFactor(
    String friendlyName,
    String factorType,
    Optional<String> bindingAlg,
    Optional<String> bindingPublicKey,
    Optional<String> bindingSecret,
    Optional<String> appId,
    Optional<String> notificationPlatform,
    Optional<String> notificationToken,
    Optional<String> sdkVersion,
    Optional<Integer> totpTimeStep,
    Optional<Integer> totpSkew,
    Optional<Integer> totpCodeLength,
    Optional<String> totpAlg,
    Map<String, String> metadata) {}
