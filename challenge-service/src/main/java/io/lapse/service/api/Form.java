package io.lapse.service.api;

import io.javalin.http.Context;
import io.lapse.contract.TwilioError;
import io.lapse.service.domain.ApiError;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Typed access to form-encoded (or query) parameters. Every rule it checks fails with a Twilio
 * {@link TwilioError#INVALID_PARAMETER} naming the parameter, so bad input never reaches the
 * catch-all.
 */
final class Form {
  private final Map<String, List<String>> params;

  private Form(Map<String, List<String>> params) {
    this.params = params;
  }

  /** The request body's form parameters. */
  static Form body(Context ctx) {
    try {
      return new Form(ctx.formParamMap());
    } catch (IllegalArgumentException e) {
      throw new ApiError(TwilioError.INVALID_PARAMETER, "Invalid form encoding: " + e.getMessage());
    }
  }

  /** The query string's parameters. */
  static Form query(Context ctx) {
    try {
      return new Form(ctx.queryParamMap());
    } catch (IllegalArgumentException e) {
      throw new ApiError(
          TwilioError.INVALID_PARAMETER, "Invalid query encoding: " + e.getMessage());
    }
  }

  Optional<String> opt(String name) {
    List<String> values = params.get(name);
    return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
  }

  /** A parameter that, when present, is at most {@code max} characters. */
  Optional<String> opt(String name, int max) {
    Optional<String> v = opt(name);
    if (v.isPresent() && v.get().length() > max) {
      throw ApiError.invalidParam(name, "must be at most " + max + " characters");
    }
    return v;
  }

  String required(String name, int max) {
    Optional<String> v = opt(name, max);
    if (v.isEmpty() || v.get().isBlank()) {
      throw ApiError.missingParam(name);
    }
    return v.get();
  }

  Optional<Integer> optInt(String name, int min, int max) {
    Optional<String> v = opt(name);
    if (v.isEmpty()) {
      return Optional.empty();
    }
    int n;
    try {
      n = Integer.parseInt(v.get().trim());
    } catch (NumberFormatException e) {
      throw ApiError.invalidParam(name, "must be an integer");
    }
    if (n < min || n > max) {
      throw ApiError.invalidParam(name, "must be between " + min + " and " + max);
    }
    return Optional.of(n);
  }

  Optional<Boolean> optBool(String name) {
    return opt(name)
        .map(
            v ->
                switch (v.trim().toLowerCase(java.util.Locale.ROOT)) {
                  case "true" -> true;
                  case "false" -> false;
                  default -> throw ApiError.invalidParam(name, "must be true or false");
                });
  }

  /** Every value of a repeated parameter, in order. */
  List<String> all(String name) {
    return params.getOrDefault(name, List.of());
  }
}
