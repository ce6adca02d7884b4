package io.lapse.service.kafka;

import io.lapse.service.routing.Owner;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;

/**
 * The owner of an entity key from the Streams client's metadata: the active host of the key's
 * partition of {@code entity-records} ({@code lapse-commands}, keyed by entity key with the default
 * partitioner, as the commands are produced), compared with this instance's {@code
 * application.server}.
 */
final class StreamsOwners implements Owner.Lookup {
  private final KafkaStreams streams;
  private final String store;
  private final HostInfo self;

  StreamsOwners(KafkaStreams streams, String store, HostInfo self) {
    this.streams = streams;
    this.store = store;
    this.self = self;
  }

  @Override
  public Owner ownerOf(String entityKey) {
    KeyQueryMetadata m;
    try {
      m = streams.queryMetadataForKey(store, entityKey, Serdes.String().serializer());
    } catch (InvalidStateStoreException | IllegalStateException e) {
      // Not started, or stopping: nobody known from here.
      return Owner.UNKNOWN;
    }
    if (m == null || KeyQueryMetadata.NOT_AVAILABLE.equals(m)) {
      return Owner.UNKNOWN;
    }
    HostInfo active = m.activeHost();
    if (active.equals(self)) {
      return Owner.LOCAL;
    }
    return new Owner.Remote(active.host() + ":" + active.port());
  }
}
