package io.lapse.service.kafka;

/**
 * A record could not be made durable on its topic (broker unreachable, send timed out, or the
 * thread was interrupted while waiting). Nothing was written that the service relies on, so the
 * request that caused it may be retried; the HTTP layer answers it as Twilio's "service
 * unavailable".
 */
public final class PublishFailedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String topic;

  public PublishFailedException(String topic, Throwable cause) {
    super("could not write to " + topic, cause);
    this.topic = topic;
  }

  /** The topic that could not be written. */
  public String topic() {
    return topic;
  }
}
