package io.lapse.testkit;

import io.lapse.infra.InProcessKafkaBroker;
import io.lapse.infra.KafkaBroker;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a {@link KafkaBroker} parameter that must get its own fresh in-process broker instead of
 * the one shared by the test JVM, e.g. for a test that stops and restarts it. A parameter of type
 * {@link InProcessKafkaBroker} is always dedicated.
 *
 * <p>The broker is closed (and its data deleted) when the scope it was injected into ends: after
 * the test method, or after the class when injected into a {@code @BeforeAll} method.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.PARAMETER)
public @interface DedicatedBroker {}
