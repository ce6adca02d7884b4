package io.lapse.serde;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;

/**
 * An in-memory registry for unit tests, selected by {@code schema.registry.url=mock://<scope>}. One
 * instance per scope per JVM, so a serializer and a deserializer configured with the same scope
 * share ids. It applies BACKWARD compatibility per subject, like a registry configured as
 * production is. Never use it where a real registry is needed (integration tests).
 */
public final class MockSchemaRegistry implements SchemaRegistryClient {
  private static final Map<String, MockSchemaRegistry> SCOPES = new ConcurrentHashMap<>();

  private final Map<Schema, Integer> idsBySchema = new HashMap<>();
  private final Map<Integer, Schema> schemasById = new HashMap<>();
  private final Map<String, List<Integer>> versionsBySubject = new HashMap<>();

  /** The registry of a scope, created on first use. */
  public static MockSchemaRegistry forScope(String scope) {
    return SCOPES.computeIfAbsent(scope, s -> new MockSchemaRegistry());
  }

  /** Forgets a scope, so the next test starts from an empty registry. */
  public static void dropScope(String scope) {
    SCOPES.remove(scope);
  }

  @Override
  public synchronized int register(String subject, Schema schema) {
    List<Integer> versions = versionsBySubject.computeIfAbsent(subject, s -> new ArrayList<>());
    Integer existing = idsBySchema.get(schema);
    if (existing != null && versions.contains(existing)) {
      return existing;
    }
    if (!compatible(versions, schema)) {
      throw new SchemaRegistryException(
          "Schema being registered is incompatible with an earlier schema for subject \""
              + subject
              + "\"",
          409,
          409);
    }
    int id = existing != null ? existing : schemasById.size() + 1;
    idsBySchema.put(schema, id);
    schemasById.put(id, schema);
    versions.add(id);
    return id;
  }

  @Override
  public synchronized int lookup(String subject, Schema schema) {
    List<Integer> versions = versionsBySubject.get(subject);
    if (versions == null) {
      throw new SchemaRegistryException("Subject '" + subject + "' not found.", 404, 40401);
    }
    Integer id = idsBySchema.get(schema);
    if (id == null || !versions.contains(id)) {
      throw new SchemaRegistryException("Schema not found", 404, 40403);
    }
    return id;
  }

  @Override
  public synchronized Schema getById(int id) {
    Schema schema = schemasById.get(id);
    if (schema == null) {
      throw new SchemaRegistryException("Schema " + id + " not found", 404, 40403);
    }
    return schema;
  }

  @Override
  public synchronized RegisteredSchema getLatest(String subject) {
    List<Integer> versions = versionsBySubject.get(subject);
    if (versions == null || versions.isEmpty()) {
      throw new SchemaRegistryException("Subject '" + subject + "' not found.", 404, 40401);
    }
    int id = versions.get(versions.size() - 1);
    return new RegisteredSchema(subject, versions.size(), id, schemasById.get(id));
  }

  @Override
  public synchronized boolean testCompatibility(String subject, Schema schema) {
    return compatible(versionsBySubject.getOrDefault(subject, List.of()), schema);
  }

  @Override
  public synchronized List<String> getSubjects() {
    return List.copyOf(versionsBySubject.keySet());
  }

  /** BACKWARD: data written with the latest registered schema must be readable with the new one. */
  private boolean compatible(List<Integer> versions, Schema candidate) {
    if (versions.isEmpty()) {
      return true;
    }
    Schema latest = schemasById.get(versions.get(versions.size() - 1));
    return SchemaCompatibility.checkReaderWriterCompatibility(candidate, latest).getType()
        == SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE;
  }
}
