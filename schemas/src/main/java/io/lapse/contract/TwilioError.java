package io.lapse.contract;

/**
 * Every Twilio error code Lapse answers with, in one place: code, HTTP status, Twilio's message and
 * its {@code more_info} page. Both services use this list (the challenge service to render errors,
 * the expiry processor to put the code and reason of a rejection on the wire), so a code can never
 * mean one thing in one service and another in the other. Statuses and messages follow Twilio's
 * error catalogue (see {@code docs/architecture.md}, "Contract").
 */
public enum TwilioError {
  /** Missing or wrong credentials (HTTP Basic with the account SID and auth token). */
  AUTHENTICATION_FAILED(20003, 401, "Authenticate"),
  /** An unknown resource; Twilio's message names the path without the {@code /v2} prefix. */
  NOT_FOUND(20404, 404, "The requested resource was not found"),
  METHOD_NOT_ALLOWED(20405, 405, "Method not allowed"),
  REQUEST_TOO_LARGE(20413, 413, "Request entity too large"),
  /**
   * A request line the server refuses to read. Like 20405 and 20413, Lapse's own use of Twilio's
   * "20000 + HTTP status" pattern for refusals of the HTTP layer.
   */
  URI_TOO_LONG(20414, 414, "URI too long"),
  /** A body that is not {@code application/x-www-form-urlencoded}, the only one the API reads. */
  UNSUPPORTED_MEDIA_TYPE(20415, 415, "Unsupported media type"),
  /** Request headers over the server's limit. */
  HEADERS_TOO_LARGE(20431, 431, "Request header fields too large"),
  /** A fault of the service; the body never carries its stack trace. */
  INTERNAL_SERVER_ERROR(20500, 500, "Internal Server Error"),
  /**
   * Lapse's own use of Twilio's "service unavailable": a decision did not arrive in time, or the
   * event log could not be written. Nothing was decided, so the client may retry.
   */
  SERVICE_UNAVAILABLE(20503, 503, "Service unavailable"),
  /**
   * Verify's own "invalid parameter" (its catalogue: "the response message contains the name of the
   * invalid parameter"), the code of its verification channels. Lapse uses it for the Service
   * settings of those channels (SMS, voice, WhatsApp, templates, passkeys; decision 0023).
   */
  VERIFY_INVALID_PARAMETER(60200, 400, "Invalid parameter"),
  /** A bad or missing parameter, never processed and safe to retry. */
  INVALID_PARAMETER(60300, 400, "Invalid parameter"),
  ENTITY_EXISTS(60301, 409, "Entity already exists"),
  INVALID_REQUEST(60306, 400, "Invalid Request"),
  PUSH_TO_PLATFORM_NONE(60307, 400, "Cannot resend push notifications to 'none' platform"),
  CHALLENGE_ATTEMPTS_LIMIT(60308, 429, "Challenge verification attempts limit reached"),
  NOTIFICATIONS_LIMIT(60309, 429, "Push notifications limit for a Challenge reached"),
  FACTOR_ATTEMPTS_LIMIT(60310, 429, "Factor verification attempts reached"),
  FACTOR_VERIFICATION_FAILED(60311, 403, "Factor verification failed"),
  CHALLENGE_CREATION_LIMIT(60312, 429, "Challenge creation limit reached"),
  /**
   * A push enrolment with an access token that already enrolled a factor: a token enrols exactly
   * one factor (docs/decisions/0015-access-tokens-and-api-keys.md).
   */
  UNAUTHORIZED_FACTOR_CREATION(60313, 403, "Unauthorized factor creation"),
  INVALID_BINDING(60314, 400, "Factors binding format is invalid"),
  TOO_MANY_FACTORS(60315, 400, "Maximum number of factors for this entity reached"),
  FACTOR_EXISTS(60317, 409, "Factor already exists"),
  FACTOR_UNVERIFIED(60318, 403, "Factor is unverified"),
  CHALLENGE_ALREADY_RESPONDED(60322, 403, "Challenge already responded"),
  CHALLENGE_EXPIRED(60323, 403, "Challenge expired"),
  CHALLENGE_VERIFICATION_FAILED(60324, 403, "Challenge verification failed"),
  FACTOR_CREATION_LIMIT(60326, 429, "Too many factor creations");

  private final int code;
  private final int httpStatus;
  private final String message;

  TwilioError(int code, int httpStatus, String message) {
    this.code = code;
    this.httpStatus = httpStatus;
    this.message = message;
  }

  /** Twilio's numeric error code, as in the {@code code} field of an error body. */
  public int code() {
    return code;
  }

  /** The HTTP status Twilio answers this code with. */
  public int httpStatus() {
    return httpStatus;
  }

  /** Twilio's message for this code (callers may add a detail after it). */
  public String message() {
    return message;
  }

  /** The {@code more_info} URL of an error body. */
  public String moreInfo() {
    return "https://www.twilio.com/docs/errors/" + code;
  }

  /**
   * The entry for a numeric code, e.g. one read from a {@code VerificationRejected} record.
   *
   * @throws IllegalArgumentException for a code Lapse does not answer with
   */
  public static TwilioError ofCode(int code) {
    for (TwilioError e : values()) {
      if (e.code == code) {
        return e;
      }
    }
    throw new IllegalArgumentException("Not a Twilio error code Lapse uses: " + code);
  }
}
