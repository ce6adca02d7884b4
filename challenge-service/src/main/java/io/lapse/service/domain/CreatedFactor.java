package io.lapse.service.domain;

import io.lapse.state.v1.FactorSnapshot;

/**
 * A new factor and what is shown only at creation: the TOTP seed in Base32 and its {@code
 * otpauth://} URI (null for push).
 */
public record CreatedFactor(FactorSnapshot factor, String totpSecret, String totpUri) {}
