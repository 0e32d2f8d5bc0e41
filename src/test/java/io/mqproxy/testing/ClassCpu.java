package io.mqproxy.testing;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Where the suite's time goes: appends each test class's wall time, this JVM's CPU time and its child
 * processes' CPU time (brokers and proxies of the fault tests) to {@code target/surefire-reports/cpu-by-class.tsv}.
 * A test JVM runs its classes one after another, so the JVM's CPU between a class's start and end is that class's
 * (the embedded broker's work for it included). The machine has two cores and the suite is bound by them: the
 * CPU columns, not the wall times, say what a change saved. Registered for every class (META-INF/services,
 * {@code junit.jupiter.extensions.autodetection.enabled} in pom.xml).
 */
public final class ClassCpu implements BeforeAllCallback, AfterAllCallback {
    private static final Path OUT = Path.of("target", "surefire-reports", "cpu-by-class.tsv");
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(ClassCpu.class);

    private record Start(long wallNanos, long cpuNanos, long childNanos) {
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getStore(NS).put("start", new Start(System.nanoTime(), processCpu(), childrenCpu()));
    }

    @Override
    public void afterAll(ExtensionContext context) {
        Start start = context.getStore(NS).get("start", Start.class);
        if (start == null) {
            return;
        }
        String line = String.format("%s\t%d\t%d\t%d%n", context.getRequiredTestClass().getName(),
            (System.nanoTime() - start.wallNanos()) / 1_000_000, (processCpu() - start.cpuNanos()) / 1_000_000,
            (childrenCpu() - start.childNanos()) / 1_000_000);
        try {
            Files.createDirectories(OUT.getParent());
            // One short append per class; the two test JVMs append to the same file, a line at a time.
            Files.writeString(OUT, line, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            System.err.println("ClassCpu: " + e.getMessage());
        }
    }

    private static long processCpu() {
        return ManagementFactory.getPlatformMXBean(com.sun.management.OperatingSystemMXBean.class).getProcessCpuTime();
    }

    /**
     * CPU of the child processes alive now (a child that ended since the class began is not counted; a cluster an
     * earlier class started and left running counts towards each later class of that JVM).
     */
    private static long childrenCpu() {
        return ProcessHandle.current().descendants()
            .mapToLong(p -> p.info().totalCpuDuration().map(Duration::toNanos).orElse(0L)).sum();
    }
}
