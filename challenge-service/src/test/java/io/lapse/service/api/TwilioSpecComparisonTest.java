package io.lapse.service.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lapse.service.support.ApiFixture;
import io.lapse.service.support.HttpTestClient.Reply;
import io.lapse.service.support.Scenario;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * docs/twilio-verify-comparison.md against Twilio's spec and against Lapse. The spec is a
 * checked-in extract of twilio_verify_v2.json (src/test/resources/twilio/verify-v2-operations.json,
 * with its source commit and the script that made it). Fails when an operation of the spec is
 * neither served by Lapse nor listed as out of scope with a reason; when the document claims an
 * operation Lapse does not serve, or calls out of scope one it serves; when a parameter of a served
 * operation is read nowhere by its handler and not listed as not taken; and when a served
 * operation's response lacks a field of the spec or has one the document does not list as Lapse's
 * own.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TwilioSpecComparisonTest {
  private static final Path MODULE = Path.of(System.getProperty("basedir", "."));
  private static final Path DOC = MODULE.resolve("../docs/twilio-verify-comparison.md");
  private static final Path HANDLERS = MODULE.resolve("src/main/java/io/lapse/service/api");

  private static final Pattern OPERATION_ROW =
      Pattern.compile(
          "^\\| `(\\w+)` \\| `(GET|POST|DELETE) (/v2/[^`]*)` \\| (yes|out of scope: .+?) \\|.*$");
  private static final Pattern NAMED_ROW =
      Pattern.compile("^\\| `(\\w+)` \\| `([^`]+)` \\| (.+?) \\|\\s*$");

  private JsonNode spec;
  private String doc;
  private final Map<String, String> lapse = new LinkedHashMap<>();
  private final Map<String, JsonNode> answers = new HashMap<>();
  private ApiFixture api;

  @BeforeAll
  void read() throws IOException {
    try (InputStream in = getClass().getResourceAsStream("/twilio/verify-v2-operations.json")) {
      spec = new ObjectMapper().readTree(in);
    }
    doc = Files.readString(DOC);
    for (String line : doc.split("\n")) {
      Matcher m = OPERATION_ROW.matcher(line);
      if (m.matches()) {
        assertThat(lapse.put(m.group(1), m.group(4))).as("%s listed twice", m.group(1)).isNull();
        JsonNode op = operation(m.group(1));
        assertThat(op).as("%s is not an operation of the spec", m.group(1)).isNotNull();
        assertThat(m.group(2) + " " + m.group(3))
            .as(m.group(1))
            .isEqualTo(op.path("method").asText() + " " + op.path("path").asText());
      }
    }
    api = new ApiFixture();
    exercise();
  }

  @AfterAll
  void close() {
    api.close();
  }

  @Test
  void shouldListEveryOperationOfTheSpecAsServedOrOutOfScopeWithAReason() {
    List<String> unlisted = new ArrayList<>();
    for (JsonNode op : spec.path("operations")) {
      String id = op.path("operationId").asText();
      String status = lapse.get(id);
      if (status == null) {
        unlisted.add(id);
      } else if (!status.equals("yes")) {
        assertThat(status.substring("out of scope: ".length()).trim())
            .as(id)
            .hasSizeGreaterThan(10);
      }
    }
    assertThat(unlisted).as("operations of the spec missing from the comparison").isEmpty();
    assertThat(spec.path("source").path("commit").asText())
        .as("the comparison names the spec commit it was made from")
        .isNotEmpty()
        .satisfies(commit -> assertThat(doc).contains(commit));
  }

  @Test
  void shouldServeExactlyTheOperationsTheComparisonCallsServed() {
    for (JsonNode op : spec.path("operations")) {
      String id = op.path("operationId").asText();
      if ("yes".equals(lapse.get(id))) {
        assertThat(answers).as("%s is exercised against Lapse", id).containsKey(id);
      } else {
        // An operation out of scope is not routed: its path (with dummy SIDs) is unknown, 404.
        String path = op.path("path").asText().replaceAll("\\{[^}]+}", "XX0123456789abcdef");
        Reply r =
            switch (op.path("method").asText()) {
              case "GET" -> api.get(path);
              case "DELETE" -> api.delete(path);
              default -> api.post(path);
            };
        assertThat(r.status()).as("%s %s", id, path).isIn(404, 405);
      }
    }
  }

  @Test
  void shouldReadEveryParameterOfAServedOperationOrListItAsNotTaken() throws IOException {
    Map<String, String> notTaken = named("Parameters not taken");
    List<String> missing = new ArrayList<>();
    for (JsonNode op : spec.path("operations")) {
      String id = op.path("operationId").asText();
      if (!"yes".equals(lapse.get(id))) {
        continue;
      }
      String sources = handlerSources(op.path("path").asText());
      for (JsonNode p : op.path("parameters")) {
        if (p.path("in").asText().equals("path")) {
          continue;
        }
        String name = p.path("name").asText();
        boolean read = sources.contains("\"" + name + "\"");
        boolean listed = notTaken.containsKey(id + " " + name);
        if (!read && !listed) {
          missing.add(id + " " + name);
        }
        assertThat(read && listed)
            .as("%s %s is read by Lapse but listed as not taken", id, name)
            .isFalse();
      }
    }
    assertThat(missing).as("parameters neither read nor listed as not taken").isEmpty();
  }

  @Test
  void shouldAnswerEveryFieldOfTheSpecAndOnlyFieldsTheComparisonLists() {
    Map<String, String> added = named("Fields Lapse adds");
    Map<String, String> notReturned = named("Fields not returned");
    List<String> problems = new ArrayList<>();
    for (JsonNode op : spec.path("operations")) {
      String id = op.path("operationId").asText();
      JsonNode response = op.path("response");
      if (!"yes".equals(lapse.get(id)) || !response.has("fields")) {
        continue;
      }
      JsonNode answer = answers.get(id);
      List<JsonNode> records = new ArrayList<>();
      if (response.has("list_key")) {
        String key = response.path("list_key").asText();
        assertThat(answer.has(key)).as("%s answers its records under %s", id, key).isTrue();
        assertThat(keys(answer.path("meta")))
            .as("%s meta", id)
            .isEqualTo(strings(response.path("meta")));
        answer.path(key).forEach(records::add);
        assertThat(records).as("%s lists something to compare", id).isNotEmpty();
      } else {
        records.add(answer);
      }
      Set<String> expected = strings(response.path("fields"));
      for (JsonNode record : records) {
        Set<String> got = keys(record);
        for (String f : expected) {
          if (!got.contains(f) && !notReturned.containsKey(id + " " + f)) {
            problems.add(id + " lacks " + f);
          }
        }
        for (String f : got) {
          if (!expected.contains(f) && !added.containsKey(id + " " + f)) {
            problems.add(id + " adds " + f);
          }
        }
      }
    }
    assertThat(problems).as("response fields against the spec").isEmpty();
  }

  /** Calls every operation Lapse serves, keeping its JSON answer by operation id. */
  private void exercise() {
    Scenario scenario = new Scenario(api);
    Reply service = ok("CreateService", api.post("/v2/Services", "FriendlyName", "Compared"));
    String s = "/v2/Services/" + service.text("sid");
    ok("FetchService", api.get(s));
    ok("ListService", api.get("/v2/Services"));
    ok("UpdateService", api.post(s, "CodeLength", "8"));

    String identity = Scenario.identity();
    String entity = s + "/Entities/" + identity;
    ok("CreateEntity", api.post(s + "/Entities", "Identity", identity));
    ok("FetchEntity", api.get(entity));
    ok("ListEntity", api.get(s + "/Entities"));

    Reply created =
        ok(
            "CreateNewFactor",
            api.post(entity + "/Factors", "FriendlyName", "phone", "FactorType", "totp"));
    String factor = entity + "/Factors/" + created.text("sid");
    Scenario.TotpFactor totp =
        new Scenario.TotpFactor(
            created.text("sid"), created.json().path("binding").path("secret").asText(), api.clock);
    ok(
        "UpdateFactor",
        api.post(factor, "AuthPayload", totp.codeAt(api.clock.instant().minusSeconds(30))));
    ok("FetchFactor", api.get(factor));
    ok("ListFactor", api.get(entity + "/Factors"));

    Reply challenge =
        ok("CreateChallenge", api.post(entity + "/Challenges", "FactorSid", totp.sid()));
    String c = entity + "/Challenges/" + challenge.text("sid");
    ok("FetchChallenge", api.get(c));
    ok("ListChallenge", api.get(entity + "/Challenges"));
    ok("UpdateChallenge", api.post(c, "AuthPayload", totp.codeNow()));

    Scenario.PushFactor push = scenario.verifiedPush(service.text("sid"), identity, "fcm");
    Reply pushChallenge =
        api.post(entity + "/Challenges", "FactorSid", push.sid(), "Details.Message", "Sign in?");
    ok(
        "CreateNotification",
        api.post(entity + "/Challenges/" + pushChallenge.text("sid") + "/Notifications"));

    Reply token =
        ok(
            "CreateAccessToken",
            api.post(s + "/AccessTokens", "Identity", identity, "FactorType", "push"));
    ok("FetchAccessToken", api.get(s + "/AccessTokens/" + token.text("sid")));

    Reply webhook =
        ok(
            "CreateWebhook",
            api.post(
                s + "/Webhooks",
                "FriendlyName",
                "backend",
                "EventTypes",
                "challenge.approved",
                "WebhookUrl",
                "https://example.com/hook"));
    String w = s + "/Webhooks/" + webhook.text("sid");
    ok("FetchWebhook", api.get(w));
    ok("ListWebhook", api.get(s + "/Webhooks"));
    ok("UpdateWebhook", api.post(w, "Status", "disabled"));
    ok("DeleteWebhook", api.delete(w));

    ok("DeleteFactor", api.delete(factor));
    ok("DeleteEntity", api.delete(entity));
    ok("DeleteService", api.delete(s));
  }

  private Reply ok(String operationId, Reply r) {
    int expected = operation(operationId).path("response").path("status").asInt();
    String differs =
        named("Status codes that differ").keySet().stream()
            .filter(k -> k.startsWith(operationId + " "))
            .findFirst()
            .map(k -> k.substring(operationId.length() + 1))
            .orElse(null);
    if (differs != null) {
      expected = Integer.parseInt(differs);
    }
    assertThat(r.status()).as("%s: %s", operationId, r.json()).isEqualTo(expected);
    answers.put(operationId, r.json());
    return r;
  }

  private JsonNode operation(String id) {
    for (JsonNode op : spec.path("operations")) {
      if (op.path("operationId").asText().equals(id)) {
        return op;
      }
    }
    return null;
  }

  /** The sources of the handlers of an operation's resource, and the page parameters. */
  private static String handlerSources(String path) throws IOException {
    List<String> files = new ArrayList<>(List.of("Responses.java"));
    if (path.endsWith("/Notifications")) {
      files.add("NotificationHandlers.java");
    } else if (path.contains("/Challenges")) {
      files.add("ChallengeHandlers.java");
    } else if (path.contains("/Factors")) {
      files.add("FactorHandlers.java");
    } else if (path.contains("/Entities")) {
      files.add("EntityHandlers.java");
    } else if (path.contains("/AccessTokens")) {
      files.add("AccessTokenHandlers.java");
    } else if (path.contains("/Webhooks")) {
      files.add("WebhookHandlers.java");
    } else {
      files.add("ServiceHandlers.java");
      files.add("ServiceParams.java");
    }
    StringBuilder sb = new StringBuilder();
    for (String f : files) {
      sb.append(Files.readString(HANDLERS.resolve(f)));
    }
    return sb.toString();
  }

  /** The rows "| `Operation` | `name` | reason |" of a section, keyed "Operation name". */
  private Map<String, String> named(String section) {
    int start = doc.indexOf("\n## " + section + "\n");
    assertThat(start).as("section %s", section).isNotNegative();
    int end = doc.indexOf("\n## ", start + 1);
    String body = end < 0 ? doc.substring(start) : doc.substring(start, end);
    Map<String, String> rows = new LinkedHashMap<>();
    for (String line : body.split("\n")) {
      Matcher m = NAMED_ROW.matcher(line);
      if (m.matches()) {
        assertThat(operation(m.group(1))).as("%s in %s", m.group(1), section).isNotNull();
        rows.put(m.group(1) + " " + m.group(2), m.group(3));
      }
    }
    return rows;
  }

  private static Set<String> keys(JsonNode n) {
    Set<String> out = new TreeSet<>();
    n.fieldNames().forEachRemaining(out::add);
    return out;
  }

  private static Set<String> strings(JsonNode array) {
    Set<String> out = new LinkedHashSet<>();
    array.forEach(v -> out.add(v.asText()));
    return new TreeSet<>(out);
  }
}
