package io.lapse.service.domain;

import java.util.concurrent.CompletableFuture;

/**
 * Brings this instance's read model up to the log as it is now: every write acknowledged before the
 * call (by any instance) is on the log, so once this completes a read here sees it.
 * Read-your-writes across instances without routing (docs/decisions/0009-partitioned-reads.md).
 */
@FunctionalInterface
public interface CatchUp {
  /**
   * Completes once the read model has read what the log held when called, or when its bound ran
   * out; never exceptionally (the read that follows answers either way).
   */
  CompletableFuture<Void> catchUp();

  /** For a read model that is the log itself (tests with in-memory logs). */
  CatchUp NONE = () -> CompletableFuture.completedFuture(null);
}
