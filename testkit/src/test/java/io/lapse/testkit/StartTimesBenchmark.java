package io.lapse.testkit;

import io.lapse.infra.ApicurioRegistry;
import io.lapse.infra.BrokerOptions;
import io.lapse.infra.FileTrees;
import io.lapse.infra.KafkaBroker;
import io.lapse.infra.RegistryOptions;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Prints how long the broker and the registry take to become ready: the first start in a fresh JVM
 * (cold; for the registry including the one-time unpack into an empty cache) and the starts after
 * it (warm). Run: {@code java -cp <test class path> io.lapse.testkit.StartTimesBenchmark [rounds]}.
 */
public final class StartTimesBenchmark {

  private StartTimesBenchmark() {}

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
    for (int i = 0; i < rounds; i++) {
      long t0 = System.nanoTime();
      try (KafkaBroker broker = KafkaBrokers.inProcess(BrokerOptions.defaults())) {
        long ready = System.nanoTime();
        KafkaHelpers.createTopics(broker, java.util.List.of("bench"), 6);
        System.out.printf(
            "broker  %s start %5d ms, create topic %4d ms%n",
            i == 0 ? "cold" : "warm", ms(ready - t0), ms(System.nanoTime() - ready));
      }
    }
    Path cache = Files.createTempDirectory("lapse-cache-");
    System.setProperty("lapse.cache.dir", cache.toString());
    try {
      for (int i = 0; i < rounds; i++) {
        long t0 = System.nanoTime();
        try (ApicurioRegistry registry = SchemaRegistries.apicurio(RegistryOptions.defaults())) {
          long ready = System.nanoTime();
          System.out.printf(
              "registry %s start %5d ms (Apicurio %s)%n",
              i == 0 ? "cold, incl. unpack," : "warm", ms(ready - t0), registry.version());
          t0 = System.nanoTime();
        }
        System.out.printf("registry stop %d ms%n", ms(System.nanoTime() - t0));
      }
    } finally {
      FileTrees.deleteQuietly(cache);
    }
  }

  private static long ms(long nanos) {
    return nanos / 1_000_000;
  }
}
