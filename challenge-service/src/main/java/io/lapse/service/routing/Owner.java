package io.lapse.service.routing;

/** Which instance serves an entity's requests now, as this instance's metadata says. */
public sealed interface Owner {
  /** This instance runs the entity's active task. */
  Owner LOCAL = new Local();

  /** No instance runs it now (a rebalance, a start): ask again shortly. */
  Owner UNKNOWN = new Unknown();

  /** This instance. */
  record Local() implements Owner {}

  /** Another instance, reached at its internal listener's {@code host:port}. */
  record Remote(String address) implements Owner {}

  /** Nobody known. */
  record Unknown() implements Owner {}

  /** Finds the owner of an entity key ({@code <serviceSid>/<identity>}). */
  @FunctionalInterface
  interface Lookup {
    Owner ownerOf(String entityKey);
  }
}
