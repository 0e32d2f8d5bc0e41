package io.mqproxy.bench;

import io.mqproxy.testing.FreePorts;
import io.mqproxy.testing.ProxyClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The real proxy jar in a child process with its embedded broker, as an operator runs it: a fresh JVM
 * each start (so class loading and JIT count), free ports, its output in a file of the data folder.
 * Stopped by SIGTERM (the orderly path) or SIGKILL of its own pid (a crash).
 */
final class ChildProxy {
    private final Process process;
    private final ProxyClient client;
    private final Path log;
    private final long startedNanos = System.nanoTime();

    private ChildProxy(Process process, ProxyClient client, Path log) {
        this.process = process;
        this.client = client;
        this.log = log;
    }

    static ChildProxy start(Path jar, Path dataDir, Map<String, String> extra) throws IOException {
        return start(jar, dataDir, extra, List.of());
    }

    /**
     * @param extra     further {@code --key=value} flags
     * @param arguments further arguments as they are (e.g. {@code --config FILE})
     */
    static ChildProxy start(Path jar, Path dataDir, Map<String, String> extra, List<String> arguments)
        throws IOException {
        int produce = FreePorts.any();
        int consume = FreePorts.any();
        int admin = FreePorts.any();
        List<String> command = new ArrayList<>(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g", "-jar",
            jar.toAbsolutePath().toString(),
            "--embedded.dataDir=" + dataDir,
            "--embedded.namesrvPort=" + FreePorts.any(),
            "--embedded.brokerPort=" + FreePorts.forBroker(),
            "--embedded.commitLogFileMb=64",
            "--http.host=127.0.0.1",
            "--http.producePort=" + produce,
            "--http.consumePort=" + consume,
            "--admin.port=" + admin));
        extra.forEach((k, v) -> command.add("--" + k + "=" + v));
        command.addAll(arguments);
        Files.createDirectories(dataDir);
        Path log = dataDir.resolve("proxy-" + System.nanoTime() + ".out");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new ChildProxy(p, new ProxyClient(produce, consume, admin), log);
    }

    ProxyClient client() {
        return client;
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.isAlive();
    }

    /** Polls {@code /ready} every 10 ms; returns the milliseconds from the process start to the first 200. */
    long awaitReady(long timeoutSeconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("proxy exited with " + process.exitValue() + ": " + tail());
            }
            try {
                if (client.get(client.producePort(), "/ready").httpStatus() == 200) {
                    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
                }
            } catch (RuntimeException notYet) {
                // not listening yet
            }
            Thread.sleep(10);
        }
        throw new IllegalStateException("proxy not ready in " + timeoutSeconds + " s: " + tail());
    }

    /** SIGTERM, then waits for the exit; returns the milliseconds it took. */
    long stop(long timeoutSeconds) throws Exception {
        long began = System.nanoTime();
        process.destroy();
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new IllegalStateException("proxy did not stop in " + timeoutSeconds + " s");
        }
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
    }

    /** SIGKILL of the child's own pid: nothing of it runs after this, no shutdown hook. */
    void kill9() throws Exception {
        Process kill = new ProcessBuilder("kill", "-9", Long.toString(process.pid())).inheritIO().start();
        kill.waitFor(10, TimeUnit.SECONDS);
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** Lines of the child's output that contain {@code text}. */
    List<String> logLines(String text) throws IOException {
        return Files.readAllLines(log).stream().filter(l -> l.contains(text)).toList();
    }

    String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no output: " + e + ")";
        }
    }
}
