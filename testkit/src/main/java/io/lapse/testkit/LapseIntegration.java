package io.lapse.testkit;

import io.lapse.infra.KafkaBroker;
import io.lapse.infra.SchemaRegistry;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks an integration test class that gets a real Kafka broker ({@link KafkaBroker}) and a real
 * schema registry ({@link SchemaRegistry}) as parameters, each shared by the whole test JVM and
 * started only when first asked for. See {@link KafkaExtension} and {@link
 * SchemaRegistryExtension}.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@ExtendWith({KafkaExtension.class, SchemaRegistryExtension.class})
public @interface LapseIntegration {}
