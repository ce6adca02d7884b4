package io.lapse.service.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.function.Function;
import java.util.stream.Stream;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless Chromium, driven through Debian's chromedriver by Selenium (decision 0024).
 * Both paths are given explicitly, so Selenium Manager never looks for (or downloads) a browser or
 * a driver. Each instance has a fresh profile directory, deleted on close.
 *
 * <p>{@code LAPSE_CHROMIUM} and {@code LAPSE_CHROMEDRIVER} override the paths. Screenshots go to
 * {@code target/authenticator-screenshots}, or to the directory the system property {@code
 * lapse.authenticator.screenshots} names (the README's command that refreshes docs/authenticator).
 */
public final class Browser implements AutoCloseable {
  public static final Path CHROMIUM =
      Path.of(System.getenv().getOrDefault("LAPSE_CHROMIUM", "/usr/bin/chromium"));
  public static final Path CHROMEDRIVER =
      Path.of(System.getenv().getOrDefault("LAPSE_CHROMEDRIVER", "/usr/bin/chromedriver"));

  private final ChromeDriver driver;
  private final Path profile;
  private final Path screenshots;

  private Browser(ChromeDriver driver, Path profile, Path screenshots) {
    this.driver = driver;
    this.profile = profile;
    this.screenshots = screenshots;
  }

  /**
   * Skips the calling test when chromium or chromedriver is missing, or fails it when {@code
   * LAPSE_REQUIRE_BROWSER} is set: CI installs them, and a browser test that silently skipped there
   * would test nothing.
   */
  public static void assumePresent() {
    boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    String what =
        CHROMIUM + " and " + CHROMEDRIVER + " (Debian: apt-get install chromium chromium-driver)";
    if (System.getenv("LAPSE_REQUIRE_BROWSER") != null) {
      assertThat(present).as("LAPSE_REQUIRE_BROWSER is set but " + what + " are missing").isTrue();
    } else {
      assumeTrue(present, "browser test skipped: needs " + what);
    }
  }

  public static Browser start() {
    try {
      Path profile = Files.createTempDirectory("lapse-chromium-");
      ChromeOptions options = new ChromeOptions();
      options.setBinary(CHROMIUM.toFile());
      options.addArguments(
          "--headless=new",
          "--no-sandbox",
          "--disable-gpu",
          "--disable-quic",
          "--no-first-run",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
          "--disable-dev-shm-usage",
          "--hide-scrollbars",
          "--force-device-scale-factor=1",
          // A phone-sized window, for the screenshots.
          "--window-size=430,932",
          "--user-data-dir=" + profile);
      ChromeDriverService service =
          new ChromeDriverService.Builder()
              .usingDriverExecutable(CHROMEDRIVER.toFile())
              .usingAnyFreePort()
              .build();
      ChromeDriver driver = new ChromeDriver(service, options);
      driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(10));
      Path shots =
          Path.of(
              System.getProperty(
                  "lapse.authenticator.screenshots", "target/authenticator-screenshots"));
      Files.createDirectories(shots);
      return new Browser(driver, profile, shots);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public WebDriver driver() {
    return driver;
  }

  /** Opens a page of the authenticator and waits until its script has started. */
  public void open(String url) {
    driver.get(url);
    await(
        Duration.ofSeconds(30),
        d -> "true".equals(d.findElement(By.tagName("body")).getDomAttribute("data-ready")));
  }

  /** Waits, polling, until the condition holds; fails with the page's text if it never does. */
  public void await(Duration atMost, Function<WebDriver, Boolean> condition) {
    try {
      new WebDriverWait(driver, atMost, Duration.ofMillis(100)).until(condition::apply);
    } catch (org.openqa.selenium.TimeoutException e) {
      throw new AssertionError(
          "page never got there; it shows:\n" + driver.findElement(By.tagName("body")).getText(),
          e);
    }
  }

  /** Runs a script in the page and returns what it returns. */
  public Object run(String script, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(script, args);
  }

  /** Runs an asynchronous script in the page; its last argument is the callback. */
  public Object script(String asyncScript) {
    return ((JavascriptExecutor) driver).executeAsyncScript(asyncScript);
  }

  /** Saves a PNG of the window as {@code name.png}. */
  public Path screenshot(String name) {
    try {
      File png = driver.getScreenshotAs(OutputType.FILE);
      Path target = screenshots.resolve(name + ".png");
      Files.copy(png.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
      Files.delete(png.toPath());
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    try {
      driver.quit();
    } finally {
      try (Stream<Path> files = Files.walk(profile)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException e) {
        // A profile left in /tmp is untidy, not a test failure.
      }
    }
  }
}
