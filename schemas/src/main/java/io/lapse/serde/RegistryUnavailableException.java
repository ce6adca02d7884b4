package io.lapse.serde;

/**
 * The schema registry could not answer now: unreachable at every URL (connection refused or reset,
 * any other I/O error, a timeout), or it answered HTTP 5xx, 429 (too many requests) or 408 (request
 * timeout). This says nothing about the record that needed the call: the same bytes decode once the
 * registry answers again, so the caller retries (later, with backoff) and never dead-letters the
 * record for it. Every other failure of a call (404 / 40403 for an unknown schema id, any other
 * 4xx, a 2xx that is not a registry answer) is a plain {@link SchemaRegistryException}, and bytes
 * that do not decode are a plain {@link org.apache.kafka.common.errors.SerializationException}.
 *
 * <p>Why a {@link org.apache.kafka.common.errors.SerializationException} (through {@link
 * SchemaRegistryException}) and not a {@link org.apache.kafka.common.errors.RetriableException}:
 * Kafka's clients route serde failures by that type, and each route is the right one here. Kafka
 * Streams hands every deserializer exception to the {@code DeserializationExceptionHandler} and
 * every serializer exception to the {@code ProductionExceptionHandler}'s serialization branch
 * whatever its type (neither retries a {@code RetriableException}), so the handler decides by
 * recognising this type ({@link #isCauseOf}). {@code KafkaProducer.send} throws a serializer's
 * {@code SerializationException} to the caller synchronously, whereas it turns any {@code
 * ApiException} (which {@code RetriableException} is) into a failed future and, on a transactional
 * producer, an abortable transaction error: a registry blip would abort the whole transaction.
 */
public final class RegistryUnavailableException extends SchemaRegistryException {
  private static final long serialVersionUID = 1L;

  /** Bound on the causal chain walked by {@link #isCauseOf}, against cycles. */
  private static final int MAX_CAUSE_DEPTH = 32;

  /** The registry answered with a status that means "not now" (see {@link #isTransient}). */
  public RegistryUnavailableException(String message, int httpStatus, int errorCode) {
    super(message, httpStatus, errorCode);
  }

  /** No HTTP answer at all: an I/O error, a timeout, or the calling thread was interrupted. */
  public RegistryUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }

  /** The same fault seen one level up, with that level's context (topic, schema id). */
  public RegistryUnavailableException(String message, RegistryUnavailableException cause) {
    super(message + ": " + cause.getMessage(), cause.httpStatus(), cause.errorCode(), cause);
  }

  /** True for the HTTP statuses that mean the registry cannot answer now: 5xx, 429, 408. */
  public static boolean isTransient(int httpStatus) {
    return httpStatus >= 500 || httpStatus == 429 || httpStatus == 408;
  }

  /**
   * True when {@code failure} or one of its causes is a {@code RegistryUnavailableException}: how a
   * handler that receives the exception wrapped (Kafka Streams wraps it in a {@code
   * StreamsException}) tells a registry outage from bytes that cannot be decoded.
   */
  public static boolean isCauseOf(Throwable failure) {
    Throwable t = failure;
    for (int depth = 0; t != null && depth < MAX_CAUSE_DEPTH; depth++) {
      if (t instanceof RegistryUnavailableException) {
        return true;
      }
      t = t.getCause();
    }
    return false;
  }
}
