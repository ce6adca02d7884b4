package io.lapse.service.domain;

/**
 * A request the API refuses, with Twilio's error code, HTTP status and message. The one error
 * mapper renders it as {@code {code, message, more_info, status}}. Carries no stack trace: it is an
 * answer, not a fault.
 */
public final class ApiError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int code;
  private final int status;

  public ApiError(int code, int status, String message) {
    super(message, null, false, false);
    this.code = code;
    this.status = status;
  }

  public int code() {
    return code;
  }

  public int status() {
    return status;
  }

  public String moreInfo() {
    return "https://www.twilio.com/docs/errors/" + code;
  }

  /** 20404: unknown resource; {@code path} without the {@code /v2} prefix, as Twilio says it. */
  public static ApiError notFound(String path) {
    return new ApiError(20404, 404, "The requested resource " + path + " was not found");
  }

  /** 60300: a bad or missing parameter (never processed, safe to retry). */
  public static ApiError invalidParam(String param, String why) {
    return new ApiError(60300, 400, "Invalid parameter " + param + ": " + why);
  }

  /** 60300 for a missing required parameter. */
  public static ApiError missingParam(String param) {
    return new ApiError(60300, 400, "Missing required parameter " + param);
  }

  /** 60306: a malformed Identity or SID in a create request. */
  public static ApiError invalidRequest(String why) {
    return new ApiError(60306, 400, "Invalid Request: " + why);
  }

  public static ApiError entityExists() {
    return new ApiError(60301, 409, "Entity already exists");
  }

  public static ApiError pushNotAllowedForPlatformNone() {
    return new ApiError(60307, 400, "Cannot resend push notifications to 'none' platform");
  }

  public static ApiError challengeAttemptsLimit() {
    return new ApiError(60308, 429, "Challenge verification attempts limit reached");
  }

  public static ApiError notificationsLimit() {
    return new ApiError(60309, 429, "Push notifications limit for a Challenge reached");
  }

  public static ApiError factorAttemptsLimit() {
    return new ApiError(60310, 429, "Factor verification attempts reached");
  }

  public static ApiError factorVerificationFailed() {
    return new ApiError(60311, 403, "Factor verification failed");
  }

  public static ApiError invalidBinding(String why) {
    return new ApiError(60314, 400, "Factors binding format is invalid: " + why);
  }

  public static ApiError tooManyFactors(String type, int max) {
    return new ApiError(
        60315, 400, "Maximum number of " + type + " factors (" + max + ") for this entity reached");
  }

  public static ApiError factorExists() {
    return new ApiError(60317, 409, "Factor already exists");
  }

  public static ApiError factorUnverified() {
    return new ApiError(60318, 403, "Factor is unverified");
  }

  public static ApiError challengeAlreadyResponded() {
    return new ApiError(60322, 403, "Challenge already responded");
  }

  public static ApiError challengeExpired() {
    return new ApiError(60323, 403, "Challenge expired");
  }

  public static ApiError challengeVerificationFailed() {
    return new ApiError(60324, 403, "Challenge verification failed");
  }

  /** 20503: the decision did not arrive in time; the client may retry (same attempt). */
  public static ApiError decisionUnavailable() {
    return new ApiError(
        20503, 503, "Service unavailable: the verification was not decided in time, retry");
  }

  /**
   * The answer for a rejection code decided by the expiry processor ({@code
   * VerificationRejected.code}).
   */
  public static ApiError fromRejection(int code, String reason) {
    return switch (code) {
      case 60323 -> challengeExpired();
      case 60322 -> challengeAlreadyResponded();
      case 60308 -> challengeAttemptsLimit();
      case 20404 -> new ApiError(20404, 404, reason == null ? "Challenge not found" : reason);
      case 60324 -> challengeVerificationFailed();
      default -> new ApiError(code, 400, reason == null ? "Verification rejected" : reason);
    };
  }
}
