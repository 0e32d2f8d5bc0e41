package io.mqproxy.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What hostile connections cost the proxy, measured, not asserted (issue 7): a proxy in its own JVM
 * ({@code java -Xmx512m -jar}, embedded broker, temp data, free ports) receives
 * <ol>
 * <li>{@code bench.idle} (10,000) connections that send nothing, then</li>
 * <li>{@code bench.announced} (1,000) connections that announce a 16 MB body ({@code Content-Length: 16000000})
 *     and send nothing more,</li>
 * </ol>
 * and for each, every {@code bench.sampleSeconds} (2) for {@code bench.watchSeconds} (75), this reports the
 * proxy's heap in use (jstat), its open file descriptors (/proc/pid/fd), whether it is alive, and how many of
 * the connections it has closed. Run it against any build of the proxy, before and after a change:
 *
 * <pre>mvn -q test-compile exec:java@bench-connections [-Dbench.jar=target/mq-proxy.jar -Dbench.heap=512m]</pre>
 *
 * <p>Needs {@code ulimit -n} above {@code bench.idle} + a few hundred, for this JVM and the proxy's.
 */
public final class ConnectionBenchmark {
    private final Path jar = Path.of(System.getProperty("bench.jar", "target/mq-proxy.jar"));
    private final String heap = System.getProperty("bench.heap", "512m");
    private final int idle = Integer.getInteger("bench.idle", 10_000);
    private final int announced = Integer.getInteger("bench.announced", 1_000);
    private final int watchSeconds = Integer.getInteger("bench.watchSeconds", 75);
    private final int sampleSeconds = Integer.getInteger("bench.sampleSeconds", 2);

    private Process proxy;
    private Path dataDir;
    private Path proxyLog;
    private int producePort;
    private int consumePort;

    private ConnectionBenchmark() {
    }

    public static void main(String[] args) {
        BenchSupport.runAndExit(() -> new ConnectionBenchmark().run());
    }

    private void run() throws Exception {
        System.out.printf(Locale.ROOT, "connection benchmark: %s, -Xmx%s, ulimit -n %s, load %s%n", jar.toAbsolutePath(),
            heap, openFilesLimit(), BenchSupport.loadAverage());
        start();
        try {
            System.out.printf(Locale.ROOT, "proxy pid %d ready: heap used %s, fds %d%n", proxy.pid(),
                BenchSupport.mib(heapUsed()), fds());
            phase("1. idle connections: " + idle + " connections send nothing", idle, consumePort, new byte[0]);
            Thread.sleep(3_000);
            byte[] head = ("POST /mq/produce HTTP/1.1\r\nHost: bench\r\nContent-Type: application/x-www-form-urlencoded"
                + "\r\nContent-Length: 16000000\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
            phase("2. announced bodies: " + announced + " connections announce Content-Length: 16000000 and send "
                + "nothing more", announced, producePort, head);
            System.out.println("proxy log: " + count("OutOfMemoryError") + " OutOfMemoryError lines, "
                + count("\tat ") + " stack-trace lines, " + Files.size(proxyLog) + " bytes (" + proxyLog + ")");
        } finally {
            stop();
        }
    }

    /** Opens the connections, sends each {@code first} (if any), then watches them and the proxy. */
    private void phase(String title, int connections, int port, byte[] first) throws Exception {
        System.out.printf(Locale.ROOT, "%n== %s (port %d)%n", title, port);
        Selector selector = Selector.open();
        List<SocketChannel> channels = new ArrayList<>(connections);
        AtomicInteger closedByServer = new AtomicInteger();
        AtomicInteger answered = new AtomicInteger();
        long t0 = System.nanoTime();
        int failed = 0;
        for (int i = 0; i < connections; i++) {
            try {
                SocketChannel ch = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
                if (first.length > 0) {
                    ch.write(ByteBuffer.wrap(first));
                }
                ch.configureBlocking(false);
                ch.register(selector, SelectionKey.OP_READ, new boolean[1]);
                channels.add(ch);
            } catch (IOException e) {
                failed++;
            }
        }
        System.out.printf(Locale.ROOT, "  opened %d in %.1f s (%d failed to connect)%n", channels.size(),
            (System.nanoTime() - t0) / 1e9, failed);
        System.out.println("  t(s)  open  closed-by-proxy  answered  proxy-heap-used  proxy-fds  proxy-alive");
        ByteBuffer buffer = ByteBuffer.allocate(4096);
        long peakHeap = 0;
        int peakFds = 0;
        double allClosedAt = -1;
        long start = System.nanoTime();
        long nextSample = start;
        while (System.nanoTime() - start < TimeUnit.SECONDS.toNanos(watchSeconds)) {
            selector.select(200);
            for (SelectionKey key : selector.selectedKeys()) {
                SocketChannel ch = (SocketChannel) key.channel();
                boolean[] sawAnswer = (boolean[]) key.attachment();
                int n;
                try {
                    buffer.clear();
                    n = ch.read(buffer);
                } catch (IOException reset) {
                    n = -1;
                }
                if (n > 0 && !sawAnswer[0]) {
                    sawAnswer[0] = true;
                    answered.incrementAndGet();
                }
                if (n < 0) {
                    key.cancel();
                    ch.close();
                    closedByServer.incrementAndGet();
                }
            }
            selector.selectedKeys().clear();
            if (System.nanoTime() >= nextSample) {
                nextSample += TimeUnit.SECONDS.toNanos(sampleSeconds);
                long heapUsed = heapUsed();
                int fds = fds();
                peakHeap = Math.max(peakHeap, heapUsed);
                peakFds = Math.max(peakFds, fds);
                double t = (System.nanoTime() - start) / 1e9;
                int open = channels.size() - closedByServer.get();
                System.out.printf(Locale.ROOT, "  %4.0f  %5d  %15d  %8d  %15s  %9d  %s%n", t, open, closedByServer.get(),
                    answered.get(), heapUsed < 0 ? "n/a" : BenchSupport.mib(heapUsed), fds, proxy.isAlive());
                if (open == 0 && allClosedAt < 0) {
                    allClosedAt = t;
                    break;
                }
            }
        }
        System.out.printf(Locale.ROOT, "  => peak proxy heap used %s, peak proxy fds %d; %s%n", BenchSupport.mib(peakHeap),
            peakFds, allClosedAt >= 0 ? String.format(Locale.ROOT, "all %d closed by the proxy within %.0f s",
                channels.size(), allClosedAt)
                : (channels.size() - closedByServer.get()) + " of " + channels.size() + " still open after "
                + watchSeconds + " s");
        for (SocketChannel ch : channels) {
            ch.close();
        }
        selector.close();
    }

    // ---- the proxy under test, in its own JVM ----

    private void start() throws Exception {
        dataDir = Files.createTempDirectory("mqproxy-bench-connections");
        proxyLog = dataDir.resolve("proxy.log");
        producePort = freePort();
        consumePort = freePort();
        int admin = freePort();
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx" + heap, "-jar", jar.toString(),
            "--http.host=127.0.0.1", "--http.producePort=" + producePort, "--http.consumePort=" + consumePort,
            "--admin.port=" + admin, "--embedded.dataDir=" + dataDir.resolve("data"),
            "--embedded.namesrvPort=" + freePort(), "--embedded.brokerPort=" + brokerPort(),
            "--embedded.commitLogFileMb=16");
        proxy = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(proxyLog.toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            if (!proxy.isAlive()) {
                throw new IllegalStateException("proxy exited: " + Files.readString(proxyLog));
            }
            if (Files.readString(proxyLog).contains("MQ-Proxy ready")) {
                return;
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("proxy not ready within 120 s: " + Files.readString(proxyLog));
    }

    private void stop() throws Exception {
        if (proxy != null) {
            proxy.destroy();
            if (!proxy.waitFor(60, TimeUnit.SECONDS)) {
                proxy.destroyForcibly();
            }
        }
        try (var paths = Files.walk(dataDir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                if (!p.equals(proxyLog) && !p.equals(dataDir)) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** Heap in use by the proxy (all generations, garbage included), from jstat; -1 when it cannot say. */
    private long heapUsed() {
        try {
            Process jstat = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jstat").toString(),
                "-gc", Long.toString(proxy.pid())).redirectErrorStream(true).start();
            List<String> lines;
            try (BufferedReader in = new BufferedReader(new InputStreamReader(jstat.getInputStream(),
                StandardCharsets.UTF_8))) {
                lines = in.lines().toList();
            }
            if (!jstat.waitFor(20, TimeUnit.SECONDS) || lines.size() < 2) {
                return -1;
            }
            String[] names = lines.get(0).trim().split("\\s+");
            String[] values = lines.get(1).trim().split("\\s+");
            double kib = 0;
            for (int i = 0; i < names.length && i < values.length; i++) {
                if (names[i].equals("S0U") || names[i].equals("S1U") || names[i].equals("EU") || names[i].equals("OU")) {
                    kib += Double.parseDouble(values[i]);
                }
            }
            return (long) (kib * 1024);
        } catch (IOException | RuntimeException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private int fds() {
        String[] fds = new java.io.File("/proc/" + proxy.pid() + "/fd").list();
        return fds == null ? -1 : fds.length;
    }

    private long count(String text) throws IOException {
        try (var lines = Files.lines(proxyLog, StandardCharsets.UTF_8)) {
            return lines.filter(l -> l.contains(text)).count();
        } catch (java.io.UncheckedIOException e) {
            return -1;
        }
    }

    private static String openFilesLimit() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    return line.substring("Max open files".length()).trim().split("\\s+")[0];
                }
            }
        } catch (IOException e) {
            // not Linux
        }
        return "?";
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** The embedded broker also binds its port - 2 and + 1. */
    private static int brokerPort() throws IOException {
        for (int attempt = 0; attempt < 100; attempt++) {
            int port = 20_000 + (int) (Math.random() * 10_000);
            if (free(port) && free(port - 2) && free(port + 1)) {
                return port;
            }
        }
        throw new IllegalStateException("no free broker port");
    }

    private static boolean free(int port) {
        try (ServerSocket s = new ServerSocket(port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
