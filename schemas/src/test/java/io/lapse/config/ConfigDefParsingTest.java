package io.lapse.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigDefParsingTest {
  enum Colour {
    RED,
    DARK_BLUE
  }

  static final Setting<String> HOST = Setting.string("T_HOST").defaultsTo("localhost").doc("host");
  static final Setting<Integer> PORT = Setting.port("T_PORT").defaultsTo(80).doc("port");
  static final Setting<Long> LIMIT =
      Setting.longInteger("T_LIMIT").defaultsTo(10L).validate(Rule.atLeast(1)).doc("limit");
  static final Setting<Duration> WAIT =
      Setting.millis("T_WAIT_MS").defaultsTo(Duration.ofMillis(250)).doc("wait");
  static final Setting<Duration> KEEP =
      Setting.seconds("T_KEEP_SECONDS").defaultsTo(Duration.ofMinutes(1)).doc("keep");
  static final Setting<Boolean> FAST = Setting.bool("T_FAST").defaultsTo(false).doc("fast");
  static final Setting<Colour> COLOUR =
      Setting.oneOf("T_COLOUR", Colour.class).defaultsTo(Colour.RED).doc("colour");
  static final Setting<Path> DIR = Setting.path("T_DIR").doc("dir");
  static final Setting<String> TOKEN = Setting.password("T_TOKEN").doc("token");
  static final Setting<String> MODE =
      Setting.string("T_MODE").required().validate(Rule.oneOf("a", "b")).doc("`a` or `b`");
  static final PropertyPrefix CLIENT = PropertyPrefix.of("T_PROP_", "client properties");

  static final ConfigDef DEF =
      ConfigDef.of("Test", HOST, PORT, LIMIT, WAIT, KEEP, FAST, COLOUR, DIR, TOKEN, MODE, CLIENT);

  @Test
  void shouldUseTheDeclaredDefaultsWhenNothingIsSet() {
    Config c = DEF.parse(Map.of("T_MODE", "a"));
    assertThat(c.get(HOST)).isEqualTo("localhost");
    assertThat(c.get(PORT)).isEqualTo(80);
    assertThat(c.get(LIMIT)).isEqualTo(10L);
    assertThat(c.get(WAIT)).isEqualTo(Duration.ofMillis(250));
    assertThat(c.get(KEEP)).isEqualTo(Duration.ofMinutes(1));
    assertThat(c.get(FAST)).isFalse();
    assertThat(c.get(COLOUR)).isEqualTo(Colour.RED);
    assertThat(c.find(DIR)).isEmpty();
    assertThat(c.find(TOKEN)).isEmpty();
    assertThat(c.properties(CLIENT)).isEmpty();
  }

  @Test
  void shouldParseEachType() {
    Config c =
        DEF.parse(
            Map.of(
                "T_HOST", " example.com ",
                "T_PORT", "8080",
                "T_LIMIT", "5000000000",
                "T_WAIT_MS", "1500",
                "T_KEEP_SECONDS", "3600",
                "T_FAST", "TRUE",
                "T_COLOUR", "dark_blue",
                "T_DIR", "/var/lib/x",
                "T_TOKEN", " s3cret ",
                "T_MODE", "b"));
    assertThat(c.get(HOST)).isEqualTo("example.com");
    assertThat(c.get(PORT)).isEqualTo(8080);
    assertThat(c.get(LIMIT)).isEqualTo(5_000_000_000L);
    assertThat(c.get(WAIT)).isEqualTo(Duration.ofMillis(1500));
    assertThat(c.get(KEEP)).isEqualTo(Duration.ofHours(1));
    assertThat(c.get(FAST)).isTrue();
    assertThat(c.get(COLOUR)).isEqualTo(Colour.DARK_BLUE);
    assertThat(c.get(DIR)).isEqualTo(Path.of("/var/lib/x"));
    assertThat(c.get(TOKEN)).as("a password is kept exactly").isEqualTo(" s3cret ");
    assertThat(c.get(MODE)).isEqualTo("b");
  }

  @Test
  void shouldTreatABlankValueAsUnset() {
    Config c = DEF.parse(Map.of("T_MODE", "a", "T_PORT", "  ", "T_HOST", ""));
    assertThat(c.get(PORT)).isEqualTo(80);
    assertThat(c.get(HOST)).isEqualTo("localhost");
  }

  @Test
  void shouldNameAMissingRequiredVariableAndSayWhatItIsFor() {
    assertThatThrownBy(() -> DEF.parse(Map.of()))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessage("T_MODE is not set: a or b");
  }

  @Test
  void shouldNameTheVariableAndTheTextOfAnInvalidValue() {
    assertThatThrownBy(() -> DEF.parse(Map.of("T_MODE", "a", "T_PORT", "eighty")))
        .hasMessage("T_PORT must be an integer, got \"eighty\"");
    assertThatThrownBy(() -> DEF.parse(Map.of("T_MODE", "a", "T_WAIT_MS", "1.5")))
        .hasMessage("T_WAIT_MS must be a whole number of milliseconds, got \"1.5\"");
    assertThatThrownBy(() -> DEF.parse(Map.of("T_MODE", "a", "T_FAST", "yes")))
        .hasMessage("T_FAST must be true or false, got \"yes\"");
    assertThatThrownBy(() -> DEF.parse(Map.of("T_MODE", "a", "T_COLOUR", "green")))
        .hasMessage("T_COLOUR must be one of red, dark_blue, got \"green\"");
  }

  @Test
  void shouldNameTheVariableAndTheRuleAValueBreaks() {
    assertThatThrownBy(() -> DEF.parse(Map.of("T_MODE", "a", "T_PORT", "70000")))
        .hasMessage("T_PORT must be between 0 and 65535, got 70000");
    assertThatThrownBy(() -> DEF.parse(Map.of("T_MODE", "a", "T_LIMIT", "0")))
        .hasMessage("T_LIMIT must be at least 1, got 0");
    assertThatThrownBy(() -> DEF.parse(Map.of("T_MODE", "c")))
        .hasMessage("T_MODE must be one of a, b, got c");
  }

  @Test
  void shouldReportEveryProblemAtOnce() {
    assertThatThrownBy(() -> DEF.parse(Map.of("T_PORT", "x", "T_LIMIT", "-1")))
        .isInstanceOfSatisfying(
            InvalidConfigException.class,
            e ->
                assertThat(e.problems())
                    .hasSize(3)
                    .anySatisfy(p -> assertThat(p).startsWith("T_PORT "))
                    .anySatisfy(p -> assertThat(p).startsWith("T_LIMIT "))
                    .anySatisfy(p -> assertThat(p).startsWith("T_MODE ")))
        .hasMessageStartingWith("3 configuration problems: ");
  }

  @Test
  void shouldNeverRepeatTheTextOfAnInvalidSecret() {
    Setting<Integer> pin =
        Setting.of("T_PIN", ConfigType.secret("a number", Integer::parseInt)).doc("pin");
    ConfigDef def = ConfigDef.of("Secret", pin);
    assertThatThrownBy(() -> def.parse(Map.of("T_PIN", "hunter2")))
        .hasMessage("T_PIN must be a number")
        .message()
        .doesNotContain("hunter2");
  }

  @Test
  void shouldTurnPassThroughVariablesIntoPropertyNames() {
    Config c =
        DEF.parse(
            Map.of(
                "T_MODE", "a",
                "T_PROP_MAX_POLL_RECORDS", "500",
                "T_PROP_", "ignored: no name",
                "OTHER_MAX_POLL_RECORDS", "1"));
    assertThat(c.properties(CLIENT)).containsExactly(Map.entry("max.poll.records", "500"));
  }

  @Test
  void shouldLeaveADeclaredSettingOutOfAPassThroughFamilyItsNameStartsWith() {
    Setting<String> prefix = Setting.string("T_TOPIC_PREFIX").doc("prefix");
    PropertyPrefix topics = PropertyPrefix.of("T_TOPIC_", "one topic");
    Config c =
        ConfigDef.of("Topics", prefix, topics)
            .parse(Map.of("T_TOPIC_PREFIX", "x-", "T_TOPIC_EVENTS", "e"));
    assertThat(c.get(prefix)).isEqualTo("x-");
    assertThat(c.properties(topics)).containsOnlyKeys("events");
  }

  @Test
  void shouldCheckAReplacedValueAgainstTheRules() {
    Config c = DEF.parse(Map.of("T_MODE", "a"));
    assertThat(c.with(PORT, 0).get(PORT)).isZero();
    assertThat(c.get(PORT)).as("the original is unchanged").isEqualTo(80);
    assertThatThrownBy(() -> c.with(PORT, -1))
        .hasMessage("T_PORT must be between 0 and 65535, got -1");
  }

  @Test
  void shouldRefuseASettingItDoesNotDeclare() {
    Config c = DEF.parse(Map.of("T_MODE", "a"));
    Setting<String> other = Setting.string("T_OTHER").doc("other");
    assertThatThrownBy(() -> c.get(other)).hasMessageContaining("T_OTHER is not declared in Test");
  }

  @Test
  void shouldRefuseToGetAnUnsetOptionalValue() {
    Config c = DEF.parse(Map.of("T_MODE", "a"));
    assertThatThrownBy(() -> c.get(DIR))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("T_DIR is not set");
  }

  @Test
  void shouldRejectDeclarationsThatContradictThemselves() {
    assertThatThrownBy(() -> ConfigDef.of("Bad", HOST, Setting.string("T_HOST").doc("again")))
        .hasMessage("Bad declares T_HOST twice");
    assertThatThrownBy(() -> ConfigDef.of("Bad", Setting.string("T_UNDOCUMENTED")))
        .hasMessage("Bad: T_UNDOCUMENTED has no documentation");
    assertThatThrownBy(
            () ->
                ConfigDef.of(
                    "Bad", Setting.integer("T_N").defaultsTo(0).validate(Rule.atLeast(1)).doc("n")))
        .hasMessage("T_N must be at least 1, got 0");
    assertThatThrownBy(
            () -> ConfigDef.of("Bad", Setting.integer("T_N").defaultsTo(1).required().doc("n")))
        .hasMessage("Bad: T_N is required and has a default");
  }
}
