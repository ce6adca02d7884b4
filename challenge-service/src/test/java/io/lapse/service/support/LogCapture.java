package io.lapse.service.support;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.AppenderBase;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Collectors;
import org.slf4j.LoggerFactory;

/**
 * Everything this JVM logs or prints while it is open: every logging event that reaches the root
 * logger (message with its arguments, MDC, key-value pairs, and the stack trace with every cause's
 * message), and everything written to {@code System.out} and {@code System.err}. Lapse's own
 * loggers ({@code io.lapse}) are opened to TRACE meanwhile, so that no level hides a line of ours;
 * other libraries keep the levels the service ships with. {@link #close()} restores all of it.
 */
public final class LogCapture implements AutoCloseable {
  private static final String OURS = "io.lapse";

  private final Queue<String> lines = new ConcurrentLinkedQueue<>();
  private final Queue<String> loggers = new ConcurrentLinkedQueue<>();
  private final ByteArrayOutputStream console = new ByteArrayOutputStream();
  private final PrintStream originalOut = System.out;
  private final PrintStream originalErr = System.err;
  private final Map<String, Level> previousLevels = new LinkedHashMap<>();
  private final Logger root;
  private final AppenderBase<ILoggingEvent> appender =
      new AppenderBase<>() {
        @Override
        protected void append(ILoggingEvent event) {
          loggers.add(event.getLoggerName());
          lines.add(render(event));
        }
      };

  private LogCapture() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    appender.setContext(context);
    appender.setName("secrets-log-capture");
    appender.start();
    root.addAppender(appender);
    Logger ours = context.getLogger(OURS);
    previousLevels.put(OURS, ours.getLevel());
    ours.setLevel(Level.TRACE);
    System.setOut(new PrintStream(new Tee(originalOut, console), true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(new Tee(originalErr, console), true, StandardCharsets.UTF_8));
  }

  /** Starts capturing. */
  public static LogCapture start() {
    return new LogCapture();
  }

  /** All captured text: the rendered events, then the console output. */
  public String text() {
    String printed;
    synchronized (console) {
      printed = console.toString(StandardCharsets.UTF_8);
    }
    return String.join("\n", lines) + "\n" + printed;
  }

  /** How many events were captured. */
  public int eventCount() {
    return lines.size();
  }

  /** The names of the loggers that logged at least once. */
  public Set<String> loggerNames() {
    return loggers.stream().collect(Collectors.toSet());
  }

  @Override
  public void close() {
    System.setOut(originalOut);
    System.setErr(originalErr);
    root.detachAppender(appender);
    appender.stop();
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    previousLevels.forEach((name, level) -> context.getLogger(name).setLevel(level));
  }

  private static String render(ILoggingEvent event) {
    List<String> parts = new ArrayList<>();
    parts.add(event.getLevel() + " [" + event.getThreadName() + "] " + event.getLoggerName());
    parts.add(event.getFormattedMessage());
    if (!event.getMDCPropertyMap().isEmpty()) {
      parts.add(event.getMDCPropertyMap().toString());
    }
    if (event.getKeyValuePairs() != null) {
      parts.add(event.getKeyValuePairs().toString());
    }
    if (event.getArgumentArray() != null) {
      // Arguments a pattern did not use are not in the formatted message, but an appender may show
      // them (structured logging): they count as logged.
      for (Object argument : event.getArgumentArray()) {
        parts.add(String.valueOf(argument));
      }
    }
    IThrowableProxy thrown = event.getThrowableProxy();
    if (thrown != null) {
      parts.add(ThrowableProxyUtil.asString(thrown));
    }
    return String.join(" | ", parts);
  }

  /** Writes to the original stream and to the capture. */
  private static final class Tee extends OutputStream {
    private final OutputStream original;
    private final ByteArrayOutputStream copy;

    Tee(OutputStream original, ByteArrayOutputStream copy) {
      this.original = original;
      this.copy = copy;
    }

    @Override
    public void write(int b) {
      synchronized (copy) {
        copy.write(b);
      }
      writeOriginal(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) {
      synchronized (copy) {
        copy.write(b, off, len);
      }
      writeOriginal(b, off, len);
    }

    @Override
    public void flush() {
      try {
        original.flush();
      } catch (java.io.IOException e) {
        // The original console went away: the capture is what matters here.
      }
    }

    private void writeOriginal(byte[] b, int off, int len) {
      try {
        original.write(b, off, len);
      } catch (java.io.IOException e) {
        // As in flush().
      }
    }
  }
}
