package io.lapse.launcher.bench;

import io.lapse.infra.FreePorts;
import io.lapse.infra.InProcessKafkaBroker;
import io.lapse.infra.LocalInfra;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.LongDeserializer;
import org.apache.kafka.common.serialization.LongSerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * The design most tutorials show: a Kafka Streams processor that keeps every pending challenge in a
 * key-value store and, on a 1 s wall-clock punctuation, iterates the WHOLE store and emits the due
 * ones. Same broker code as {@code ./lapse up} (its own broker, in this JVM), exactly-once, its
 * input a topic of challenge SIDs with their deadlines, its output observed with {@code
 * read_committed}. Its CPU is that of its own Streams threads (the broker's is not counted).
 */
final class TutorialContender implements Contender {
  static final String IN = "tutorial-challenge-created";
  static final String OUT = "tutorial-challenge-expired";
  private static final String STORE = "pending";

  private final String applicationId = "bench-tutorial-" + System.nanoTime();
  private InProcessKafkaBroker broker;
  private KafkaStreams streams;
  private KafkaProducer<String, Long> producer;
  private AutoCloseable observer;

  @Override
  public String name() {
    return "Streams full-scan punctuator";
  }

  /** The tutorial's topology: store every challenge, scan all of them every second. */
  static Topology topology() {
    StreamsBuilder builder = new StreamsBuilder();
    builder.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(STORE), Serdes.String(), Serdes.Long()));
    builder.stream(IN, Consumed.with(Serdes.String(), Serdes.Long()))
        .process(FullScan::new, STORE)
        .to(OUT, Produced.with(Serdes.String(), Serdes.Long()));
    return builder.build();
  }

  private static final class FullScan implements Processor<String, Long, String, Long> {
    private KeyValueStore<String, Long> store;

    @Override
    public void init(ProcessorContext<String, Long> context) {
      store = context.getStateStore(STORE);
      context.schedule(
          Duration.ofSeconds(1),
          PunctuationType.WALL_CLOCK_TIME,
          now -> {
            List<String> due = new ArrayList<>();
            try (KeyValueIterator<String, Long> all = store.all()) {
              while (all.hasNext()) {
                KeyValue<String, Long> e = all.next();
                if (e.value <= now) {
                  due.add(e.key);
                }
              }
            }
            for (String sid : due) {
              context.forward(new Record<>(sid, now, now));
              store.delete(sid);
            }
          });
    }

    @Override
    public void process(Record<String, Long> record) {
      store.put(record.key(), record.value());
    }
  }

  @Override
  public void start(Path dir, Sink sink) throws Exception {
    broker = LocalInfra.startBroker(FreePorts.pick(), dir.resolve("kafka"));
    String bootstrap = broker.bootstrapServers();
    Properties a = new Properties();
    a.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (Admin admin = Admin.create(a)) {
      admin
          .createTopics(List.of(new NewTopic(IN, 6, (short) 1), new NewTopic(OUT, 6, (short) 1)))
          .all()
          .get(60, TimeUnit.SECONDS);
    }
    Properties s = new Properties();
    s.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
    s.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    s.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    s.put(StreamsConfig.STATE_DIR_CONFIG, dir.resolve("streams").toString());
    streams = new KafkaStreams(topology(), s);
    streams.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (streams.state() != KafkaStreams.State.RUNNING) {
      if (System.nanoTime() > deadline || streams.state() == KafkaStreams.State.ERROR) {
        throw new IllegalStateException("the punctuator did not start: " + streams.state());
      }
      Thread.sleep(100); // KafkaStreams offers no await; bounded
    }
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    producer = new KafkaProducer<>(p, new StringSerializer(), new LongSerializer());
    observer = KafkaSide.observe(bootstrap, OUT, new LongDeserializer(), Long::longValue, sink);
  }

  @Override
  public void create(String sid, long deadlineMillis) {
    producer.send(new ProducerRecord<>(IN, sid, deadlineMillis));
  }

  @Override
  public void flush() throws Exception {
    producer.flush();
    KafkaSide.awaitIngested(broker.bootstrapServers(), IN, Duration.ofSeconds(180));
  }

  @Override
  public long cpuNanos() {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long total = 0;
    for (ThreadInfo t : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (t != null && t.getThreadName().contains(applicationId)) {
        total += Math.max(0, threads.getThreadCpuTime(t.getThreadId()));
      }
    }
    return total;
  }

  @Override
  public String version() {
    return "Kafka Streams " + KafkaSide.version() + ", 1 s punctuation over store.all()";
  }

  @Override
  public void close() {
    try {
      if (observer != null) {
        observer.close();
      }
    } catch (Exception e) {
      // stopping anyway
    }
    if (producer != null) {
      producer.close(Duration.ofSeconds(5));
    }
    if (streams != null) {
      streams.close(Duration.ofSeconds(30));
    }
    if (broker != null) {
      broker.close();
    }
  }
}
