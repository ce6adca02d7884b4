package io.lapse.service.domain;

import io.lapse.state.v1.WebhookSnapshot;
import java.util.concurrent.CompletableFuture;

/**
 * Where webhook snapshots are written (the compacted {@code lapse-webhooks} topic in production).
 * The future completes once the write is durable, with its offset, so the caller can apply it to
 * the table it reads (read-your-writes on this instance); no thread waits meanwhile, so what is
 * chained onto it must not block. A write that could not be made durable fails it (a {@code
 * PublishFailedException}). A null value writes a tombstone. Kept apart from the service's writes
 * on purpose (those are commands to the service's single writer since
 * docs/decisions/0016-services-on-the-log.md): a webhook's SID is minted by the instance that
 * creates it, and its writes never touch the service's (docs/decisions/0018-webhooks.md).
 */
public interface WebhookLog {
  CompletableFuture<Long> writeWebhook(String sid, WebhookSnapshot snapshot);
}
