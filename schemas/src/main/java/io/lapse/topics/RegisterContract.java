package io.lapse.topics;

import io.lapse.serde.SchemaRegistries;
import io.lapse.serde.SerdeConfig;
import java.io.PrintStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Registers Lapse's event contract from the command line, for a pipeline that deploys schemas
 * before services (as Confluent's schema-registry Maven plugin's {@code register} goal does):
 * {@code RegisterContract [--check] [registry-url]}. The URL defaults to {@code
 * SCHEMA_REGISTRY_URL}; credentials, topic names and other serde settings come from the same
 * environment variables the services read ({@code SCHEMA_REGISTRY_PROPERTY_*}, {@code
 * LAPSE_TOPIC_*}). {@code --check} only checks, as a service with {@code
 * auto.register.schemas=false} does. Prints one line per subject with its schema id; exits 1 if a
 * subject refuses the contract, 2 on bad usage.
 */
public final class RegisterContract {
  private static final String USAGE = "usage: RegisterContract [--check] [schema-registry-url]";

  private RegisterContract() {}

  public static void main(String[] args) {
    int status = run(args, System.getenv(), System.out, System.err);
    if (status != 0) {
      System.exit(status);
    }
  }

  /** Runs with the given arguments and environment; returns the exit status. */
  static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
    boolean checkOnly = false;
    String url = null;
    for (String arg : args) {
      if (arg.equals("--check")) {
        checkOnly = true;
      } else if (arg.startsWith("-") || url != null) {
        err.println(USAGE);
        return 2;
      } else {
        url = arg;
      }
    }
    Map<String, String> effective = new HashMap<>(env);
    if (url != null) {
      effective.put(KafkaConnection.SCHEMA_REGISTRY_URL.name(), url);
    }
    KafkaConnection kafka = KafkaConnection.fromEnv(effective);
    ContractRegistration.Mode mode =
        checkOnly ? ContractRegistration.Mode.CHECK : ContractRegistration.Mode.REGISTER;
    try {
      List<ContractRegistration.Registered> done =
          new ContractRegistration(
                  SchemaRegistries.client(SerdeConfig.parse(kafka.serdeProps())),
                  mode,
                  ContractRegistration.DEFAULT_TIMEOUT)
              .apply(kafka.topics().contract());
      for (ContractRegistration.Registered r : done) {
        out.println(r.subject().subject() + " id " + r.id());
      }
      return 0;
    } catch (ContractViolationException e) {
      err.println(e.getMessage());
      return 1;
    }
  }
}
