package io.lapse.serde;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericEnumSymbol;
import org.apache.avro.generic.IndexedRecord;

/**
 * A neutral JSON form of record values that the Java and Node sides of the cross-implementation
 * check both produce from their own decoded objects: instants as epoch millis, enums as symbols,
 * bytes as {@code {"bytes-hex": "..."}}, maps as objects, records as objects by field name. Built
 * from the values' Java types, not from Avro's encoding, so it is an independent view.
 */
public final class NeutralJson {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private NeutralJson() {}

  /** The neutral form of a decoded value. */
  public static JsonNode of(Object value) {
    if (value == null) {
      return NODES.nullNode();
    }
    if (value instanceof CharSequence text) {
      return NODES.textNode(text.toString());
    }
    if (value instanceof Integer i) {
      return NODES.numberNode(i);
    }
    if (value instanceof Long l) {
      return NODES.numberNode(l);
    }
    if (value instanceof Float f) {
      return NODES.numberNode(f);
    }
    if (value instanceof Double d) {
      return NODES.numberNode(d);
    }
    if (value instanceof Boolean b) {
      return NODES.booleanNode(b);
    }
    if (value instanceof Instant instant) {
      return NODES.numberNode(instant.toEpochMilli());
    }
    if (value instanceof Enum<?> e) {
      return NODES.textNode(e.name());
    }
    if (value instanceof GenericEnumSymbol<?> symbol) {
      return NODES.textNode(symbol.toString());
    }
    if (value instanceof ByteBuffer buffer) {
      ByteBuffer copy = buffer.duplicate();
      byte[] bytes = new byte[copy.remaining()];
      copy.get(bytes);
      return of(bytes);
    }
    if (value instanceof byte[] bytes) {
      return NODES.objectNode().put("bytes-hex", HexFormat.of().formatHex(bytes));
    }
    if (value instanceof IndexedRecord record) {
      ObjectNode node = NODES.objectNode();
      for (Schema.Field field : record.getSchema().getFields()) {
        node.set(field.name(), of(record.get(field.pos())));
      }
      return node;
    }
    if (value instanceof Map<?, ?> map) {
      ObjectNode node = NODES.objectNode();
      map.forEach((k, v) -> node.set(k.toString(), of(v)));
      return node;
    }
    if (value instanceof Collection<?> items) {
      ArrayNode node = NODES.arrayNode();
      items.forEach(item -> node.add(of(item)));
      return node;
    }
    throw new IllegalArgumentException("No neutral JSON form for " + value.getClass().getName());
  }

  /**
   * Every difference between two neutral forms as "path: expected X, got Y"; numbers compare by
   * value (1 equals 1L), fields by name regardless of order.
   */
  public static List<String> diff(JsonNode expected, JsonNode actual) {
    List<String> problems = new ArrayList<>();
    diff(expected, actual, "", problems);
    return problems;
  }

  private static void diff(JsonNode expected, JsonNode actual, String at, List<String> problems) {
    String where = at.isEmpty() ? "(root)" : at;
    if (expected.isNumber() && actual.isNumber()) {
      if (expected.decimalValue().compareTo(actual.decimalValue()) != 0) {
        problems.add(where + ": expected " + expected + ", got " + actual);
      }
    } else if (expected.isObject() && actual.isObject()) {
      TreeSet<String> names = new TreeSet<>();
      expected.fieldNames().forEachRemaining(names::add);
      actual.fieldNames().forEachRemaining(names::add);
      for (String name : names) {
        String sub = at.isEmpty() ? name : at + "." + name;
        if (!actual.has(name)) {
          problems.add(sub + ": missing (expected " + expected.get(name) + ")");
        } else if (!expected.has(name)) {
          problems.add(sub + ": unexpected field (got " + actual.get(name) + ")");
        } else {
          diff(expected.get(name), actual.get(name), sub, problems);
        }
      }
    } else if (expected.isArray() && actual.isArray()) {
      if (expected.size() != actual.size()) {
        problems.add(where + ": expected " + expected.size() + " items, got " + actual.size());
      }
      for (int i = 0; i < Math.min(expected.size(), actual.size()); i++) {
        diff(expected.get(i), actual.get(i), at + "[" + i + "]", problems);
      }
    } else if (!expected.equals(actual)) {
      problems.add(where + ": expected " + expected + ", got " + actual);
    }
  }
}
