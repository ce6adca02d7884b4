package io.lapse.serde;

import org.apache.kafka.common.errors.SerializationException;

/**
 * A failed registry call, with the HTTP status and the registry's {@code error_code}, and a message
 * that says what the pair means. Callers key on the HTTP status for incompatibility (409), because
 * the code differs across registry versions (409 up to Confluent 8.1, 40901 from 8.2), and on the
 * code to tell a missing subject from a missing schema (both HTTP 404).
 *
 * <p>A failure that says nothing about the request, only that the registry could not answer it now,
 * is the subtype {@link RegistryUnavailableException}: retry it, never dead-letter for it.
 */
public class SchemaRegistryException extends SerializationException {
  private static final long serialVersionUID = 1L;

  /** Subject not found. */
  public static final int SUBJECT_NOT_FOUND = 40401;

  /** Version not found. */
  public static final int VERSION_NOT_FOUND = 40402;

  /** Schema not found. */
  public static final int SCHEMA_NOT_FOUND = 40403;

  /** Subject was soft-deleted. */
  public static final int SUBJECT_SOFT_DELETED = 40404;

  /** Subject must be soft-deleted before a hard delete. */
  public static final int SUBJECT_NOT_SOFT_DELETED = 40405;

  /** The subject has no compatibility level of its own. */
  public static final int SUBJECT_COMPATIBILITY_NOT_CONFIGURED = 40408;

  /** Incompatible schema, as Confluent 8.2+ reports it (older servers and Apicurio say 409). */
  public static final int INCOMPATIBLE_SCHEMA = 40901;

  /** Schema is not valid Avro. */
  public static final int INVALID_SCHEMA = 42201;

  /** Version is not a number or {@code latest}. */
  public static final int INVALID_VERSION = 42202;

  /** Compatibility level is not one the registry knows. */
  public static final int INVALID_COMPATIBILITY_LEVEL = 42203;

  /**
   * The response body was not a registry error (e.g. a proxy's HTML page), as Confluent maps it.
   */
  public static final int UNPARSEABLE_ERROR = 50005;

  private final int httpStatus;
  private final int errorCode;

  public SchemaRegistryException(String message, int httpStatus, int errorCode) {
    super(message + " (HTTP " + httpStatus + ", error_code " + errorCode + ")");
    this.httpStatus = httpStatus;
    this.errorCode = errorCode;
  }

  public SchemaRegistryException(String message, Throwable cause) {
    this(message, -1, -1, cause);
  }

  /** A message used as is (it already names the status), with the status and code it reports. */
  protected SchemaRegistryException(
      String message, int httpStatus, int errorCode, Throwable cause) {
    super(message, cause);
    this.httpStatus = httpStatus;
    this.errorCode = errorCode;
  }

  /** The HTTP status, or -1 when the registry was not reached. */
  public int httpStatus() {
    return httpStatus;
  }

  /** The registry's {@code error_code}, 50005 for a body that was not a registry error, or -1. */
  public int errorCode() {
    return errorCode;
  }

  /** True when the registry refused a schema as incompatible with the subject's history. */
  public boolean isIncompatible() {
    return httpStatus == 409;
  }

  /** True when the subject, version or schema does not exist. */
  public boolean isNotFound() {
    return httpStatus == 404;
  }

  /** True when the subject does not exist. */
  public boolean isSubjectNotFound() {
    return httpStatus == 404 && errorCode == SUBJECT_NOT_FOUND;
  }

  /** True when the schema (by id, or under the subject) does not exist. */
  public boolean isSchemaNotFound() {
    return httpStatus == 404 && errorCode == SCHEMA_NOT_FOUND;
  }

  /** True when the subject exists but not the requested version. */
  public boolean isVersionNotFound() {
    return httpStatus == 404 && errorCode == VERSION_NOT_FOUND;
  }

  /** True when the registry refused the schema as invalid. */
  public boolean isInvalidSchema() {
    return httpStatus == 422 && errorCode == INVALID_SCHEMA;
  }

  /** True when the registry could not be reached at any of its URLs (no HTTP answer at all). */
  public boolean isUnreachable() {
    return this instanceof RegistryUnavailableException && httpStatus == -1;
  }

  /**
   * What an HTTP status and {@code error_code} mean, in words, for messages. Incompatibility is
   * recognised by status alone; not-found cases by code, since all of them are HTTP 404.
   */
  public static String describe(int httpStatus, int errorCode) {
    if (httpStatus == 409) {
      return "schema is incompatible with an earlier schema of the subject";
    }
    switch (errorCode) {
      case SUBJECT_NOT_FOUND:
        return "subject not found";
      case VERSION_NOT_FOUND:
        return "version not found";
      case SCHEMA_NOT_FOUND:
        return "schema not found";
      case SUBJECT_SOFT_DELETED:
        return "subject was soft-deleted";
      case SUBJECT_NOT_SOFT_DELETED:
        return "subject must be soft-deleted first";
      case SUBJECT_COMPATIBILITY_NOT_CONFIGURED:
        return "subject has no compatibility level of its own";
      case INVALID_SCHEMA:
        return "invalid schema";
      case INVALID_VERSION:
        return "invalid version";
      case INVALID_COMPATIBILITY_LEVEL:
        return "invalid compatibility level";
      case 50001:
        return "registry store error";
      case 50002:
        return "registry operation timed out";
      case 50003:
        return "registry could not forward the request to its leader";
      case 50004:
        return "registry has no leader";
      default:
        break;
    }
    if (httpStatus == 401) {
      return "unauthorized: check basic.auth.credentials.source and basic.auth.user.info";
    }
    if (httpStatus == 403) {
      return "forbidden: the credentials lack the permission";
    }
    if (httpStatus == 404) {
      return "not found: is the base URL right? (Apicurio serves the API under /apis/ccompat/v7)";
    }
    if (httpStatus == 408) {
      return "the registry timed out reading the request";
    }
    if (httpStatus == 429) {
      return "too many requests: the registry is rate limiting";
    }
    if (httpStatus >= 500) {
      return "registry server error";
    }
    return "registry request failed";
  }
}
