package io.lapse.service.domain;

import io.lapse.contract.TwilioError;

/**
 * A request the API refuses: one entry of the contract's {@link TwilioError} list (code, HTTP
 * status, {@code more_info}) and the message for this occurrence, which starts with Twilio's
 * message or names the parameter or path. The one error mapper renders it as {@code {code, message,
 * more_info, status}}. Carries no stack trace: it is an answer, not a fault.
 */
public final class ApiError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final TwilioError error;
  private final int retryAfterSeconds;

  /** The error with Twilio's own message. */
  public ApiError(TwilioError error) {
    this(error, error.message());
  }

  public ApiError(TwilioError error, String message) {
    this(error, message, 0);
  }

  private ApiError(TwilioError error, String message, int retryAfterSeconds) {
    super(message, null, false, false);
    this.error = error;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** Seconds for a {@code Retry-After} header; 0 when the answer carries none. */
  public int retryAfterSeconds() {
    return retryAfterSeconds;
  }

  public TwilioError error() {
    return error;
  }

  public int code() {
    return error.code();
  }

  public int status() {
    return error.httpStatus();
  }

  public String moreInfo() {
    return error.moreInfo();
  }

  /** Unknown resource; {@code path} without the {@code /v2} prefix, as Twilio says it. */
  public static ApiError notFound(String path) {
    return new ApiError(TwilioError.NOT_FOUND, "The requested resource " + path + " was not found");
  }

  /** A bad parameter (never processed, safe to retry). */
  public static ApiError invalidParam(String param, String why) {
    return new ApiError(
        TwilioError.INVALID_PARAMETER,
        TwilioError.INVALID_PARAMETER.message() + " " + param + ": " + why);
  }

  /** A missing required parameter (the same code as a bad one). */
  public static ApiError missingParam(String param) {
    return new ApiError(TwilioError.INVALID_PARAMETER, "Missing required parameter " + param);
  }

  /** A malformed Identity or SID in a create request. */
  public static ApiError invalidRequest(String why) {
    return new ApiError(
        TwilioError.INVALID_REQUEST, TwilioError.INVALID_REQUEST.message() + ": " + why);
  }

  public static ApiError entityExists() {
    return new ApiError(TwilioError.ENTITY_EXISTS);
  }

  public static ApiError pushNotAllowedForPlatformNone() {
    return new ApiError(TwilioError.PUSH_TO_PLATFORM_NONE);
  }

  public static ApiError challengeAttemptsLimit() {
    return new ApiError(TwilioError.CHALLENGE_ATTEMPTS_LIMIT);
  }

  public static ApiError notificationsLimit() {
    return new ApiError(TwilioError.NOTIFICATIONS_LIMIT);
  }

  public static ApiError factorAttemptsLimit() {
    return new ApiError(TwilioError.FACTOR_ATTEMPTS_LIMIT);
  }

  public static ApiError factorVerificationFailed() {
    return new ApiError(TwilioError.FACTOR_VERIFICATION_FAILED);
  }

  public static ApiError invalidBinding(String why) {
    return new ApiError(
        TwilioError.INVALID_BINDING, TwilioError.INVALID_BINDING.message() + ": " + why);
  }

  public static ApiError tooManyFactors(String type, int max) {
    return new ApiError(
        TwilioError.TOO_MANY_FACTORS,
        "Maximum number of " + type + " factors (" + max + ") for this entity reached");
  }

  public static ApiError factorExists() {
    return new ApiError(TwilioError.FACTOR_EXISTS);
  }

  public static ApiError factorUnverified() {
    return new ApiError(TwilioError.FACTOR_UNVERIFIED);
  }

  public static ApiError challengeAlreadyResponded() {
    return new ApiError(TwilioError.CHALLENGE_ALREADY_RESPONDED);
  }

  public static ApiError challengeExpired() {
    return new ApiError(TwilioError.CHALLENGE_EXPIRED);
  }

  public static ApiError challengeVerificationFailed() {
    return new ApiError(TwilioError.CHALLENGE_VERIFICATION_FAILED);
  }

  /** The decision did not arrive in time; the client may retry (same attempt). */
  public static ApiError decisionUnavailable() {
    return new ApiError(
        TwilioError.SERVICE_UNAVAILABLE,
        TwilioError.SERVICE_UNAVAILABLE.message()
            + ": the verification was not decided in time, retry");
  }

  /**
   * Too many requests of this instance are waiting already ({@link WaitingLimit}): refused before
   * anything was published, so nothing happened and a retry a second later is safe.
   */
  public static ApiError overloaded(String what) {
    return new ApiError(
        TwilioError.SERVICE_UNAVAILABLE,
        TwilioError.SERVICE_UNAVAILABLE.message() + ": too many " + what + " waiting, retry",
        1);
  }

  /**
   * The instance that owns the request's entity could not be found or reached in time (a rebalance,
   * a peer that stopped): nothing was done, a retry a second later is safe.
   */
  public static ApiError ownerUnavailable() {
    return new ApiError(
        TwilioError.SERVICE_UNAVAILABLE,
        TwilioError.SERVICE_UNAVAILABLE.message()
            + ": the instance serving this entity cannot be reached now, retry",
        1);
  }

  /**
   * This instance cannot take the request now for a reason the client does not cause ({@code why}
   * says which): nothing was done, a retry a second later is safe.
   */
  public static ApiError unavailable(String why) {
    return new ApiError(
        TwilioError.SERVICE_UNAVAILABLE,
        TwilioError.SERVICE_UNAVAILABLE.message() + ": " + why + ", retry",
        1);
  }

  /** The entity task's decision did not arrive in time; the request may still be decided. */
  public static ApiError notDecidedInTime() {
    return new ApiError(
        TwilioError.SERVICE_UNAVAILABLE,
        TwilioError.SERVICE_UNAVAILABLE.message() + ": the request was not decided in time, retry");
  }

  /**
   * The answer for a rejection decided by the expiry processor ({@code VerificationRejected.code}
   * and {@code reason}). Twilio's message is shown, except for an unknown challenge, where the
   * processor's reason says what was not found.
   *
   * @throws IllegalArgumentException for a code that is not in the contract's list
   */
  public static ApiError fromRejection(int code, String reason) {
    TwilioError error = TwilioError.ofCode(code);
    if (error == TwilioError.NOT_FOUND) {
      return new ApiError(error, reason == null ? "Challenge not found" : reason);
    }
    return new ApiError(error);
  }
}
