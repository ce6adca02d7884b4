package io.lapse.service;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import org.slf4j.LoggerFactory;

/**
 * Runs the challenge service from environment variables until the JVM is asked to stop. Without
 * {@code LAPSE_ACCOUNT_SID} and {@code LAPSE_AUTH_TOKEN} it runs with generated ones and writes
 * them to {@link CredentialsFile#standalone} (owner-only), never to the log or standard output:
 * where this runs unattended, both are logs.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) throws InterruptedException {
    // Before any logger exists: the service's own logging config unless one is given.
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", "lapse-service-logback.xml");
    }
    ServiceConfig config;
    try {
      config = ServiceConfig.fromEnv(System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.println("lapse challenge service: " + e.getMessage());
      System.exit(2);
      return;
    }
    ChallengeServiceApp app = ChallengeServiceApp.start(config);
    if (config.credentialsGenerated()) {
      Path file = CredentialsFile.standalone(app.port());
      try {
        deliverGeneratedCredentials(config, file);
      } catch (IOException e) {
        System.err.println(
            "lapse challenge service: could not write the generated credentials to "
                + file
                + " ("
                + e
                + "); set LAPSE_ACCOUNT_SID and LAPSE_AUTH_TOKEN instead");
        app.close();
        System.exit(2);
        return;
      }
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  app.close();
                  stopped.countDown();
                },
                "lapse-shutdown"));
    stopped.await();
  }

  /** Writes generated credentials to an owner-only file and logs where they are, never what. */
  public static void deliverGeneratedCredentials(ServiceConfig config, Path file)
      throws IOException {
    CredentialsFile.write(file, config.accountSid(), config.authToken());
    LoggerFactory.getLogger(Main.class)
        .info(
            "LAPSE_ACCOUNT_SID or LAPSE_AUTH_TOKEN not set: this run's generated credentials are"
                + " in {} (readable by its owner only; curl -u \"$(cat {})\")",
            file,
            file);
  }
}
