package io.lapse.serde;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.apache.avro.Schema;

/**
 * The subset of the Confluent Schema Registry REST API that the serde needs. Implementations cache
 * (subject, schema) to id and id to schema, so each remote call happens once per schema.
 */
public interface SchemaRegistryClient {

  /**
   * The one reason {@link #incompatibilities} gives when the registry said "incompatible" without
   * saying why (Apicurio's compatibility endpoint; its refusal to register does say why).
   */
  String NO_DETAILS = "the registry gave no details";

  /** Registers the schema under the subject (or finds it registered) and returns its id. */
  int register(String subject, Schema schema);

  /** Returns the id of a schema already registered under the subject; fails if it is not. */
  int lookup(String subject, Schema schema);

  /** Returns the schema with the given global id. */
  Schema getById(int id);

  /** Returns the latest version registered under the subject. */
  RegisteredSchema getLatest(String subject);

  /** Tells whether the schema could be registered under the subject by its compatibility rule. */
  boolean testCompatibility(String subject, Schema schema);

  /**
   * Why the schema could not be registered under the subject by its compatibility rule, in the
   * registry's words: empty when it could (or the subject has no version yet). Registries that give
   * no details yield one generic reason.
   */
  default List<String> incompatibilities(String subject, Schema schema) {
    return testCompatibility(subject, schema) ? List.of() : List.of("the registry gave no details");
  }

  /** Lists the subjects the registry knows. */
  List<String> getSubjects();

  /**
   * Since when calls have failed because the registry could not answer ({@link
   * RegistryUnavailableException}), with no call answered since; empty while it answers (or before
   * any call). Health checks read it: a process that needs a schema it has not cached cannot make
   * progress meanwhile.
   */
  default Optional<Instant> unavailableSince() {
    return Optional.empty();
  }

  /** A schema as registered: its subject, version within the subject and global id. */
  record RegisteredSchema(String subject, int version, int id, Schema schema) {}
}
