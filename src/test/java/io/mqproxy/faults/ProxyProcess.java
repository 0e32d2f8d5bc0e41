package io.mqproxy.faults;

import io.mqproxy.testing.FreePorts;
import io.mqproxy.testing.ProxyClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A proxy instance as an operator runs one: its own JVM ({@code io.mqproxy.app.Main --config FILE}, from
 * the test classpath), ports fixed for its life so a restart comes back where the balancer expects it,
 * output in a file. Stopped with SIGTERM to its own pid (the orderly path a rolling restart takes).
 */
final class ProxyProcess {
    private final Path dir;
    private final Path config;
    private final List<String> flags;
    private final ProxyClient client;
    private Process process;
    private int starts;

    /** @param config the YAML file (producers, consumers, broker); ports are given as flags here */
    ProxyProcess(Path dir, Path config, List<String> flags) {
        this.dir = dir;
        this.config = config;
        int produce = FreePorts.any();
        int consume = FreePorts.any();
        int admin = FreePorts.any();
        this.flags = new ArrayList<>(flags);
        this.flags.addAll(List.of("--http.host=127.0.0.1", "--http.producePort=" + produce,
            "--http.consumePort=" + consume, "--admin.port=" + admin, "--http.eventLoops=2"));
        this.client = new ProxyClient(produce, consume, admin);
    }

    ProxyClient client() {
        return client;
    }

    void start() throws IOException {
        Files.createDirectories(dir);
        List<String> command = new ArrayList<>(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-XX:+UseSerialGC",
            // Two loaded cores: the quick compiler only starts a JVM on far less CPU.
            "-XX:TieredStopAtLevel=1",
            "-cp", System.getProperty("java.class.path"), "io.mqproxy.app.Main", "--config", config.toString()));
        command.addAll(flags);
        Path out = dir.resolve("proxy-" + ++starts + ".out");
        // Its working folder holds RocketMQ's client logs (./logs).
        process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
            .redirectOutput(out.toFile()).start();
    }

    /** Waits until {@code /ready} answers 200 on every port. */
    void awaitReady(long seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("proxy exited with " + process.exitValue() + ": " + tail());
            }
            try {
                if (client.get(client.producePort(), "/ready").httpStatus() == 200
                    && client.get(client.consumePort(), "/ready").httpStatus() == 200) {
                    return;
                }
            } catch (IllegalStateException notYet) {
                // not listening yet
            }
            TimeUnit.MILLISECONDS.sleep(100);
        }
        throw new IllegalStateException("proxy not ready in " + seconds + " s: " + tail());
    }

    /** SIGTERM to its pid; returns when the process has exited (it drains and closes first). */
    void stop(long seconds) throws Exception {
        process.destroy();
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new IllegalStateException("proxy did not stop within " + seconds + " s: " + tail());
        }
    }

    void kill() {
        if (process != null) {
            process.destroyForcibly();
        }
    }

    String tail() {
        try {
            List<String> lines = Files.readAllLines(dir.resolve("proxy-" + starts + ".out"));
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no output: " + e + ")";
        }
    }
}
