package io.mqproxy.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * Marks a test that may run at the same time as the other marked tests of its class: it has its own topic,
 * group or proxy, and spends its time waiting for the broker (redelivery, time-outs), not computing.
 * A test JVM still runs its classes one after another (pom.xml; the other JVM has its own broker), so a class
 * that captures logs or restarts the shared broker never overlaps another on that broker.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Execution(ExecutionMode.CONCURRENT)
public @interface Alongside {
}
