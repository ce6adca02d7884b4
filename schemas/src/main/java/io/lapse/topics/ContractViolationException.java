package io.lapse.topics;

/**
 * The registry holds a schema history that Lapse's contract cannot join on one subject: ours is
 * incompatible with the subject's latest version, or (with auto-registration off) it was never
 * registered. The message names the subject and the registry's reasons; a process that gets this at
 * start-up must not start, since its writes or reads on that subject would fail.
 */
public final class ContractViolationException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  private final String subject;

  public ContractViolationException(String subject, String message) {
    super(message);
    this.subject = subject;
  }

  /** The subject that cannot take Lapse's schema. */
  public String subject() {
    return subject;
  }
}
