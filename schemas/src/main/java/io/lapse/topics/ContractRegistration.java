package io.lapse.topics;

import io.lapse.serde.RegistryUnavailableException;
import io.lapse.serde.SchemaRegistries;
import io.lapse.serde.SchemaRegistryClient;
import io.lapse.serde.SchemaRegistryException;
import io.lapse.serde.SerdeConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts Lapse's event contract ({@link LapseTopics#contract()}: every value subject it writes or
 * reads) into the schema registry, so other services can read the latest schema of every subject
 * before Lapse has written a single record. Run by both services before they report ready, and by
 * {@link RegisterContract} as a deployment step.
 *
 * <p>Per subject: if our schema is already registered under it, that is its id (so a second run
 * changes nothing); otherwise the registry's compatibility check against the latest version must
 * pass (when the registry's verdict "incompatible" comes without reasons, as Apicurio's does, the
 * registration is attempted and its refusal gives them), and then the schema is registered ({@link
 * Mode#REGISTER}) or, when the deployment turned auto-registration off, the missing schema is an
 * error ({@link Mode#CHECK}): someone else registers schemas there, and writes would fail. Either
 * refusal is a {@link ContractViolationException} naming the subject. A registry that cannot answer
 * now ({@link RegistryUnavailableException}) is retried with backoff until the timeout.
 */
public final class ContractRegistration {
  private static final Logger LOG = LoggerFactory.getLogger(ContractRegistration.class);

  /** How long a process without its own start-up timeout waits for the registry. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

  private static final Duration FIRST_PAUSE = Duration.ofMillis(250);
  private static final Duration MAX_PAUSE = Duration.ofSeconds(5);

  /** What to do with a subject that lacks our schema. */
  public enum Mode {
    /** Register it (after the compatibility check): {@code auto.register.schemas=true}. */
    REGISTER,
    /** Only check: {@code auto.register.schemas=false}, schemas are registered elsewhere. */
    CHECK
  }

  /** A subject of the contract and the id our schema has under it. */
  public record Registered(ContractSubject subject, int id) {}

  private final SchemaRegistryClient registry;
  private final Mode mode;
  private final Duration timeout;

  public ContractRegistration(SchemaRegistryClient registry, Mode mode, Duration timeout) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.mode = Objects.requireNonNull(mode, "mode");
    this.timeout = Objects.requireNonNull(timeout, "timeout");
  }

  /**
   * Registers (or, with {@code auto.register.schemas=false} in the serde properties, checks) the
   * contract of this connection's topics, with the registry client the process's serdes share.
   */
  public static List<Registered> atStart(KafkaConnection kafka, Duration timeout) {
    SerdeConfig serde = SerdeConfig.parse(kafka.serdeProps());
    Mode mode = serde.autoRegisterSchemas() ? Mode.REGISTER : Mode.CHECK;
    return new ContractRegistration(SchemaRegistries.client(serde), mode, timeout)
        .apply(kafka.topics().contract());
  }

  /** Applies the contract subject by subject; fails on the first subject that cannot take it. */
  public List<Registered> apply(List<ContractSubject> contract) {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<Registered> done = new ArrayList<>();
    for (ContractSubject subject : contract) {
      done.add(new Registered(subject, retrying(subject, () -> applyOne(subject), deadline)));
    }
    LOG.info(
        "Event contract {} in the schema registry: {} subjects",
        mode == Mode.REGISTER ? "registered" : "checked",
        done.size());
    return List.copyOf(done);
  }

  private int applyOne(ContractSubject s) {
    String subject = s.subject();
    try {
      return registry.lookup(subject, s.schema());
    } catch (RegistryUnavailableException e) {
      throw e;
    } catch (SchemaRegistryException e) {
      if (!e.isNotFound()) {
        throw e;
      }
    }
    List<String> reasons = registry.incompatibilities(subject, s.schema());
    // A verdict without reasons is left to the registration, whose refusal carries them (Apicurio).
    boolean reasonsToGive =
        !reasons.isEmpty() && !reasons.equals(List.of(SchemaRegistryClient.NO_DETAILS));
    if (reasonsToGive || (!reasons.isEmpty() && mode == Mode.CHECK)) {
      throw incompatible(s, String.join("; ", reasons));
    }
    if (mode == Mode.CHECK) {
      throw new ContractViolationException(
          subject,
          "Subject "
              + subject
              + " does not hold the schema of "
              + s.recordType()
              + " and auto.register.schemas is false: register the contract first"
              + " (io.lapse.topics.RegisterContract)");
    }
    try {
      int id = registry.register(subject, s.schema());
      LOG.debug("Registered {} under {} as id {}", s.recordType(), subject, id);
      return id;
    } catch (RegistryUnavailableException e) {
      throw e;
    } catch (SchemaRegistryException e) {
      if (e.isIncompatible()) {
        // The registry's own rule refused it, or another version arrived since our check.
        throw incompatible(s, e.getMessage());
      }
      throw e;
    }
  }

  private static ContractViolationException incompatible(ContractSubject s, String reason) {
    return new ContractViolationException(
        s.subject(),
        "The schema registry refuses "
            + s.recordType()
            + " under subject "
            + s.subject()
            + " as incompatible with its latest version: "
            + reason);
  }

  /** The call, repeated with backoff while the registry cannot answer, until the deadline. */
  private <T> T retrying(ContractSubject subject, Supplier<T> call, long deadline) {
    long pauseMillis = FIRST_PAUSE.toMillis();
    while (true) {
      try {
        return call.get();
      } catch (RegistryUnavailableException e) {
        if (System.nanoTime() + pauseMillis * 1_000_000L > deadline) {
          throw new RegistryUnavailableException(
              "Could not register the event contract within "
                  + timeout
                  + " (subject "
                  + subject
                  + ")",
              e);
        }
        LOG.warn("Schema registry unavailable, retrying in {} ms: {}", pauseMillis, e.getMessage());
        try {
          Thread.sleep(pauseMillis);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw e;
        }
        pauseMillis = Math.min(pauseMillis * 2, MAX_PAUSE.toMillis());
      }
    }
  }
}
