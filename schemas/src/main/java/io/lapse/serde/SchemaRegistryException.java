package io.lapse.serde;

import org.apache.kafka.common.errors.SerializationException;

/**
 * A failed registry call, with the HTTP status and the registry's {@code error_code}. Callers key
 * on the HTTP status (409 incompatible, 404 not found), because the codes differ across registry
 * versions (409 up to Confluent 8.1, 40901 from 8.2).
 */
public class SchemaRegistryException extends SerializationException {
  private static final long serialVersionUID = 1L;

  /** Subject not found. */
  public static final int SUBJECT_NOT_FOUND = 40401;

  /** Version not found. */
  public static final int VERSION_NOT_FOUND = 40402;

  /** Schema not found. */
  public static final int SCHEMA_NOT_FOUND = 40403;

  /** Schema is not valid Avro. */
  public static final int INVALID_SCHEMA = 42201;

  /** The response body was not a registry error (e.g. a proxy's HTML page). */
  public static final int UNPARSEABLE_ERROR = 50005;

  private final int httpStatus;
  private final int errorCode;

  public SchemaRegistryException(String message, int httpStatus, int errorCode) {
    super(message + " (HTTP " + httpStatus + ", error_code " + errorCode + ")");
    this.httpStatus = httpStatus;
    this.errorCode = errorCode;
  }

  public SchemaRegistryException(String message, Throwable cause) {
    super(message, cause);
    this.httpStatus = -1;
    this.errorCode = -1;
  }

  public int httpStatus() {
    return httpStatus;
  }

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
}
