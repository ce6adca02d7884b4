package io.lapse.infra;

import java.lang.reflect.Method;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns Kafka's server loggers down to WARN when the application's SLF4J backend is Logback.
 *
 * <p>Responsibility: keep test output readable (one broker start logs about 3 000 lines at INFO)
 * without forcing a logging backend on users of this library. Loggers that the user configured
 * explicitly keep their level; {@code -Dlapse.kafka.log.level=INFO} chooses another level. With any
 * other backend this does nothing: configure it there.
 */
final class KafkaLogLevels {

  private static final List<String> KAFKA_LOGGERS =
      List.of("kafka", "org.apache.kafka", "state.change.logger");

  private KafkaLogLevels() {}

  static void quietenKafkaLoggers() {
    String level = System.getProperty("lapse.kafka.log.level", "WARN");
    for (String name : KAFKA_LOGGERS) {
      Logger logger = LoggerFactory.getLogger(name);
      if (!logger.getClass().getName().equals("ch.qos.logback.classic.Logger")) {
        return;
      }
      try {
        Method getLevel = logger.getClass().getMethod("getLevel");
        if (getLevel.invoke(logger) != null) {
          continue; // configured explicitly (e.g. in logback-test.xml): respect it
        }
        Class<?> levelClass =
            Class.forName("ch.qos.logback.classic.Level", true, logger.getClass().getClassLoader());
        Object parsed = levelClass.getMethod("toLevel", String.class).invoke(null, level);
        logger.getClass().getMethod("setLevel", levelClass).invoke(logger, parsed);
      } catch (ReflectiveOperationException | LinkageError e) {
        return; // another Logback generation: leave logging as configured
      }
    }
  }
}
