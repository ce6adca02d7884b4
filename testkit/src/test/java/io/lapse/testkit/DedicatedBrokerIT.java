package io.lapse.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.lapse.infra.BrokerOptions;
import io.lapse.infra.FreePorts;
import io.lapse.infra.InProcessKafkaBroker;
import io.lapse.infra.KafkaBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@LapseIntegration
class DedicatedBrokerIT {

  private static final Duration BOUND = Duration.ofSeconds(20);

  @Test
  void shouldKeepRecordsAcrossStopAndRestartOfADedicatedBroker(
      InProcessKafkaBroker broker, KafkaBroker shared) throws Exception {
    assertThat(broker).isNotSameAs(shared);
    assertThat(broker.bootstrapServers()).isNotEqualTo(shared.bootstrapServers());
    String topic = KafkaHelpers.uniqueName("restart");
    KafkaHelpers.createTopics(broker, List.of(topic), 1);
    produce(broker, topic, "before-restart");

    broker.stop();
    assertThat(broker.isRunning()).isFalse();
    broker.restart();

    assertThat(consumeOne(broker, topic)).isEqualTo("before-restart");
  }

  @Test
  void shouldFreeItsPortAndDeleteItsTemporaryDataWhenClosed() {
    InProcessKafkaBroker broker = KafkaBrokers.inProcess(BrokerOptions.defaults());
    int port = Integer.parseInt(broker.bootstrapServers().split(":")[1]);
    Path dataDir = broker.dataDir();
    assertThat(dataDir).exists();

    broker.close();

    assertThat(dataDir).doesNotExist();
    assertThat(FreePorts.isFree(port)).isTrue();
  }

  @Test
  void shouldKeepRecordsInAPersistentDataDirectoryAcrossBrokerLifetimes(@TempDir Path dir)
      throws Exception {
    String topic = KafkaHelpers.uniqueName("persistent");
    BrokerOptions options = BrokerOptions.defaults().withDataDir(dir, false);
    try (InProcessKafkaBroker first = KafkaBrokers.inProcess(options)) {
      KafkaHelpers.createTopics(first, List.of(topic), 1);
      produce(first, topic, "kept");
    }
    assertThat(Files.list(dir)).isNotEmpty();

    try (InProcessKafkaBroker second = KafkaBrokers.inProcess(options)) {
      assertThat(consumeOne(second, topic)).isEqualTo("kept");
    }
  }

  private static void produce(KafkaBroker broker, String topic, String value) throws Exception {
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(
            KafkaHelpers.producerConfig(broker), new StringSerializer(), new StringSerializer())) {
      producer.send(new ProducerRecord<>(topic, "key", value)).get();
    }
  }

  private static String consumeOne(KafkaBroker broker, String topic) {
    try (KafkaConsumer<String, String> consumer =
        KafkaHelpers.readCommittedConsumer(
            broker, List.of(topic), new StringDeserializer(), new StringDeserializer())) {
      return KafkaHelpers.drain(consumer, 1, BOUND).stream()
          .map(ConsumerRecord::value)
          .findFirst()
          .orElseThrow();
    }
  }
}
