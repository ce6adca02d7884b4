package io.lapse.service;

import java.util.concurrent.CountDownLatch;

/** Runs the challenge service from environment variables until the JVM is asked to stop. */
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
}
