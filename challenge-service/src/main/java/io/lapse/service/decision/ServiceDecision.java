package io.lapse.service.decision;

import io.lapse.commands.v1.CommandReply;
import io.lapse.commands.v1.ServiceRecord;
import io.lapse.state.v1.ServiceSnapshot;

/**
 * What {@link ServiceDecider} decided for one service command: the service record to store, the
 * snapshot to publish on {@code lapse-services}, whether every entity task is to purge the service,
 * and the reply. A refusal changes and publishes nothing.
 *
 * @param outcome a short label ({@code service-created}, {@code rejected-20404}, …) for metrics
 * @param record the service record to store; null leaves the store as it is
 * @param publish whether {@code snapshot} is written to {@code lapse-services}
 * @param snapshot the snapshot to publish; null is the tombstone
 * @param purge whether a {@code PurgeService} goes to every partition of {@code lapse-commands}
 * @param reply the answer; null for a command nobody waits for (a {@code PurgeService})
 */
public record ServiceDecision(
    String outcome,
    ServiceRecord record,
    boolean publish,
    ServiceSnapshot snapshot,
    boolean purge,
    CommandReply reply) {

  static ServiceDecision refused(String outcome, CommandReply reply) {
    return new ServiceDecision(outcome, null, false, null, false, reply);
  }
}
