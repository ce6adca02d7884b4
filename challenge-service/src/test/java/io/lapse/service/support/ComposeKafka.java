package io.lapse.service.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * What the repository's {@code docker-compose.yml} says about Kafka security, read from the file
 * itself so that a test of these settings tests the file: the broker's authorization settings, its
 * SASL users, each service's Kafka user, and the ACLs its {@code kafka-acls} service grants
 * (translated from the {@code kafka-acls.sh --add} lines into {@link AclBinding}s).
 *
 * <p>It reads the file's conventions, not YAML in general: one {@code KEY: value} per line, the ACL
 * script as a block of shell lines.
 */
public final class ComposeKafka {
  private static final Pattern SERVICE = Pattern.compile("(?m)^  ([a-z-]+):\\s*$");
  private static final Pattern USER = Pattern.compile("user_([A-Za-z0-9-]+)=");
  private static final Pattern CLIENT_USER =
      Pattern.compile(
          "KAFKA_PROPERTY_SASL_JAAS_CONFIG:[^;]*?username=\"([^\"]+)\"", Pattern.DOTALL);
  private static final Pattern VARIABLE = Pattern.compile("^([A-Z]+)=(User:\\S+)$");

  private final String text;
  private final Map<String, String> services;

  private ComposeKafka(String text) {
    this.text = text;
    this.services = splitServices(text);
  }

  /** The compose file of this repository (found upwards from the working directory). */
  public static ComposeKafka ofRepository() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path file = dir.resolve("docker-compose.yml");
      if (Files.isRegularFile(file)) {
        try {
          return new ComposeKafka(Files.readString(file));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }
    throw new IllegalStateException("no docker-compose.yml above " + Path.of("").toAbsolutePath());
  }

  /**
   * The broker properties the kafka service sets through these environment variables, e.g. {@code
   * KAFKA_SUPER_USERS} → {@code super.users} (the image's naming: {@code _} is a dot).
   */
  public Map<String, String> brokerProperties(String... variables) {
    String kafka = service("kafka");
    Map<String, String> props = new LinkedHashMap<>();
    for (String variable : variables) {
      Matcher m = Pattern.compile("(?m)^\\s+" + variable + ":\\s*(.+?)\\s*$").matcher(kafka);
      if (!m.find()) {
        throw new IllegalStateException(variable + " is not set on the kafka service");
      }
      String value = m.group(1).replaceAll("^\"|\"$", "");
      props.put(
          variable.substring("KAFKA_".length()).toLowerCase(Locale.ROOT).replace('_', '.'), value);
    }
    return props;
  }

  /** The SASL users the broker accepts (the {@code user_NAME} entries of its JAAS settings). */
  public Set<String> brokerUsers() {
    Set<String> users = new LinkedHashSet<>();
    Matcher m = USER.matcher(text);
    while (m.find()) {
      users.add(m.group(1));
    }
    return users;
  }

  /** The Kafka user a service logs in as. */
  public String clientUser(String service) {
    Matcher m = CLIENT_USER.matcher(service(service));
    if (!m.find()) {
      throw new IllegalStateException(service + " sets no KAFKA_PROPERTY_SASL_JAAS_CONFIG");
    }
    return m.group(1);
  }

  /** Every ACL the kafka-acls service adds. */
  public List<AclBinding> acls() {
    List<String> lines = joinContinuations(service("kafka-acls"));
    Map<String, String> variables = new LinkedHashMap<>();
    List<AclBinding> bindings = new ArrayList<>();
    for (String line : lines) {
      Matcher variable = VARIABLE.matcher(line);
      if (variable.matches()) {
        variables.put(variable.group(1), variable.group(2));
      } else if (line.startsWith("acls --add ")) {
        bindings.addAll(bindings(line, variables));
      }
    }
    if (bindings.isEmpty()) {
      throw new IllegalStateException("the kafka-acls service adds no ACL");
    }
    return bindings;
  }

  private static List<AclBinding> bindings(String line, Map<String, String> variables) {
    List<String> words = Arrays.asList(line.trim().split("\\s+"));
    List<AccessControlEntry> entries = new ArrayList<>();
    List<String[]> resources = new ArrayList<>();
    List<String> operations = new ArrayList<>();
    List<String[]> principals = new ArrayList<>();
    PatternType patternType = PatternType.LITERAL;
    for (int i = 2; i < words.size(); i += 2) {
      String option = words.get(i);
      String value = words.get(i + 1);
      if (value.startsWith("$$")) {
        value = variables.get(value.substring(2));
      }
      switch (option) {
        case "--allow-principal" -> principals.add(new String[] {"allow", value});
        case "--deny-principal" -> principals.add(new String[] {"deny", value});
        case "--operation" -> operations.add(value);
        case "--topic", "--group", "--transactional-id" ->
            resources.add(new String[] {option, value});
        case "--resource-pattern-type" ->
            patternType = PatternType.fromString(value.toUpperCase(Locale.ROOT));
        default -> throw new IllegalStateException("unknown option " + option + " in: " + line);
      }
    }
    for (String[] principal : principals) {
      for (String operation : operations) {
        entries.add(
            new AccessControlEntry(
                principal[1],
                "*",
                operation(operation),
                principal[0].equals("allow") ? AclPermissionType.ALLOW : AclPermissionType.DENY));
      }
    }
    List<AclBinding> out = new ArrayList<>();
    for (String[] resource : resources) {
      ResourceType type =
          switch (resource[0]) {
            case "--topic" -> ResourceType.TOPIC;
            case "--group" -> ResourceType.GROUP;
            default -> ResourceType.TRANSACTIONAL_ID;
          };
      for (AccessControlEntry entry : entries) {
        out.add(new AclBinding(new ResourcePattern(type, resource[1], patternType), entry));
      }
    }
    return out;
  }

  /** kafka-acls.sh's spelling ({@code DescribeConfigs}) to the enum ({@code DESCRIBE_CONFIGS}). */
  private static AclOperation operation(String name) {
    return AclOperation.valueOf(
        name.replaceAll("([a-z])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT));
  }

  private String service(String name) {
    String block = services.get(name);
    if (block == null) {
      throw new IllegalStateException("no service " + name + " in docker-compose.yml");
    }
    return block;
  }

  private static Map<String, String> splitServices(String text) {
    Map<String, String> blocks = new LinkedHashMap<>();
    int servicesAt = text.indexOf("\nservices:");
    Matcher m = SERVICE.matcher(text);
    String name = null;
    int start = 0;
    while (m.find()) {
      if (m.start() < servicesAt) {
        continue;
      }
      if (name != null) {
        blocks.put(name, text.substring(start, m.start()));
      }
      name = m.group(1);
      start = m.end();
    }
    if (name != null) {
      blocks.put(name, text.substring(start));
    }
    return blocks;
  }

  private static List<String> joinContinuations(String block) {
    List<String> lines = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String raw : block.split("\n")) {
      String line = raw.strip();
      if (line.endsWith("\\")) {
        current.append(line, 0, line.length() - 1).append(' ');
      } else {
        current.append(line);
        lines.add(current.toString().trim());
        current.setLength(0);
      }
    }
    return lines;
  }
}
