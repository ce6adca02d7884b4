package io.lapse.service.domain;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The one JSON mapper, and the parsing of Twilio's "stringified JSON" form parameters. */
public final class Json {
  public static final ObjectMapper MAPPER = new ObjectMapper();

  private Json() {}

  public static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  /** Parses JSON text into a tree, empty if it is not JSON. */
  public static Optional<JsonNode> parse(String text) {
    try {
      return Optional.ofNullable(MAPPER.readTree(text));
    } catch (JsonProcessingException e) {
      return Optional.empty();
    }
  }

  /**
   * Parses a parameter such as {@code HiddenDetails} or {@code Metadata}: a JSON object whose
   * values are all strings, at most {@code maxChars} long as text.
   *
   * @throws ApiError an invalid parameter, naming it, otherwise
   */
  public static Map<String, String> stringMap(String param, String text, int maxChars) {
    if (text.length() > maxChars) {
      throw ApiError.invalidParam(param, "must be at most " + maxChars + " characters");
    }
    JsonNode node =
        parse(text)
            .filter(JsonNode::isObject)
            .orElseThrow(() -> ApiError.invalidParam(param, "must be a JSON object"));
    Map<String, String> out = new LinkedHashMap<>();
    for (var f : node.properties()) {
      if (!f.getValue().isTextual()) {
        throw ApiError.invalidParam(param, "values must be strings (" + f.getKey() + ")");
      }
      out.put(f.getKey(), f.getValue().asText());
    }
    return out;
  }

  public static String write(JsonNode node) {
    try {
      return MAPPER.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree could not be written", e);
    }
  }
}
