package io.lapse.testkit;

import io.lapse.infra.KafkaBroker;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Remembers every broker injected into the shared-broker test classes of this JVM. */
final class SharedBrokerWitness {

  static final List<KafkaBroker> SEEN = new CopyOnWriteArrayList<>();

  private SharedBrokerWitness() {}
}
