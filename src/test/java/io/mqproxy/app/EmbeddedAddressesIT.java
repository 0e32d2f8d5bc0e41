package io.mqproxy.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mqproxy.testing.FreePorts;
import io.mqproxy.testing.ProxyClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Issue 22: the embedded name server tried to reach the machine's own non-loopback address every 3 s
 * (thousands of refused connections in rocketmq.log a session), and the broker registered its
 * replication address and the proxy's clients named themselves by that address too. Everything
 * embedded talks over {@code embedded.host}.
 *
 * <p>A proxy in a JVM of its own (RocketMQ's log folder is set once per JVM), so that its rocketmq.log
 * holds only what this start did; it runs until the name server has scanned its brokers twice (every
 * 5 s), long enough for several of the old 3 s probes.
 */
class EmbeddedAddressesIT {
    private static final String HOST = "127.0.0.1";
    private static final Pattern CONNECT_TO = Pattern.compile("connect remote host\\[([^\\]]+)]|CONNECT\\s+\\S+ => (\\S+)");
    private static final Pattern HA_ADDRESS = Pattern.compile("HAService: (\\S+)");
    private static final Pattern CLIENT_ID = Pattern.compile("ClientID:([^@\\s,]+)@");

    @Test
    void embeddedStart_connectsToAndRegistersNoAddressButEmbeddedHost() throws Exception {
        Path data = Files.createTempDirectory("mqproxy-addresses");
        int produce = FreePorts.any();
        ProxyClient client = new ProxyClient(produce, FreePorts.any(), FreePorts.any());
        List<String> command = new ArrayList<>(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), "io.mqproxy.app.Main",
            "--embedded.dataDir=" + data, "--embedded.host=" + HOST,
            "--embedded.namesrvPort=" + FreePorts.any(), "--embedded.brokerPort=" + FreePorts.forBroker(),
            "--embedded.commitLogFileMb=16", "--http.host=" + HOST, "--http.producePort=" + produce,
            "--http.consumePort=" + client.consumePort(), "--admin.port=" + client.adminPort()));
        Process proxy = new ProcessBuilder(command).redirectErrorStream(true)
            .redirectOutput(data.resolve("proxy.out").toFile()).start();
        Path log = data.resolve("logs").resolve("rocketmq.log");
        try {
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).until(() -> {
                assertThat(proxy.isAlive()).as("proxy running: %s", Files.readString(data.resolve("proxy.out")))
                    .isTrue();
                try {
                    return client.get(produce, "/ready").httpStatus() == 200;
                } catch (RuntimeException notYet) {
                    return false;
                }
            });
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(() -> count(log, "start scanNotActiveBroker") >= 2
                    && count(log, "Registering current broker to name server completed") >= 1);

            List<String> lines = Files.readAllLines(log);
            List<String> connects = found(lines, CONNECT_TO);
            assertThat(connects).as("connection attempts of the embedded name server, broker and clients")
                .isNotEmpty().allSatisfy(a -> assertThat(host(a)).as(a).isEqualTo(HOST));
            assertThat(found(lines, HA_ADDRESS)).as("the replication address the broker registers")
                .isNotEmpty().allSatisfy(a -> assertThat(host(a)).as(a).isEqualTo(HOST));
            assertThat(found(lines, CLIENT_ID)).as("the address the proxy's clients name themselves by")
                .isNotEmpty().allSatisfy(a -> assertThat(a).isEqualTo(HOST));
        } finally {
            proxy.destroy();
            if (!proxy.waitFor(60, TimeUnit.SECONDS)) {
                proxy.destroyForcibly().waitFor();
            }
        }
    }

    private static long count(Path log, String text) throws Exception {
        if (!Files.exists(log)) {
            return 0;
        }
        return Files.readAllLines(log).stream().filter(l -> l.contains(text)).count();
    }

    private static List<String> found(List<String> lines, Pattern pattern) {
        List<String> values = new ArrayList<>();
        for (String line : lines) {
            Matcher m = pattern.matcher(line);
            while (m.find()) {
                values.add(m.group(1) != null ? m.group(1) : m.group(m.groupCount()));
            }
        }
        return values;
    }

    /** "127.0.0.1:9876" -> "127.0.0.1"; "[::1]:9876" -> "::1". */
    private static String host(String address) {
        String host = address.substring(0, address.lastIndexOf(':'));
        return host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    }
}
