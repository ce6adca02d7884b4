package io.lapse.topics;

import io.lapse.serde.SubjectNameStrategy;
import java.util.Objects;
import org.apache.avro.Schema;

/**
 * One registry subject of Lapse's event contract: a record type on a topic, the subject name
 * strategy the topic's serde uses, and the schema Lapse writes under it.
 *
 * @param topic the topic name
 * @param strategy how the topic's serde names the subject
 * @param recordType the generated class's name
 * @param schema the schema Lapse writes (the generated class's)
 */
public record ContractSubject(
    String topic, SubjectNameStrategy strategy, String recordType, Schema schema) {
  public ContractSubject {
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(strategy, "strategy");
    Objects.requireNonNull(recordType, "recordType");
    Objects.requireNonNull(schema, "schema");
  }

  /** The subject, exactly as the topic's value serializer names it. */
  public String subject() {
    return strategy.subject(topic, false, schema);
  }

  @Override
  public String toString() {
    return subject();
  }
}
