package io.mqproxy.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.util.concurrent.EventExecutor;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.rocketmq.client.producer.DefaultMQProducer;

/**
 * What the benchmarks share: bodies, the Vert.x load generator's client, CPU by thread group (JVM
 * internals included), and the process's memory as the OS and the heap see it.
 */
final class BenchSupport {
    static final ObjectMapper JSON = new ObjectMapper();
    static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    static final com.sun.management.OperatingSystemMXBean OS =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private BenchSupport() {
    }

    static {
        THREADS.setThreadCpuTimeEnabled(true);
    }

    static byte[] body(int size) {
        byte[] b = new byte[size];
        String alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        for (int i = 0; i < size; i++) {
            b[i] = (byte) alphabet.charAt(i % alphabet.length());
        }
        return b;
    }

    /** A JSON object of ten string fields f0..f9, about {@code size} bytes in all. */
    static String tenFieldJson(int size) {
        int each = Math.max(1, (size - 2 - 10 * 8) / 10);
        StringBuilder json = new StringBuilder("{");
        String text = new String(body(each), java.nio.charset.StandardCharsets.US_ASCII);
        for (int i = 0; i < 10; i++) {
            json.append(i == 0 ? "" : ",").append("\"f").append(i).append("\":\"").append(text).append('"');
        }
        return json.append('}').toString();
    }

    /** The schema of {@link #tenFieldJson}: an object with the ten fields required, each a bounded string. */
    static java.util.Map<String, Object> tenFieldSchema() {
        java.util.Map<String, Object> properties = new java.util.LinkedHashMap<>();
        for (int i = 0; i < 10; i++) {
            properties.put("f" + i, java.util.Map.of("type", "string", "maxLength", 4096));
        }
        return java.util.Map.of("type", "object", "required", java.util.List.copyOf(properties.keySet()),
            "properties", properties, "additionalProperties", false);
    }

    /** The load generator's HTTP client: keep-alive, no pipelining, one connection per request in flight. */
    static HttpClient httpClient(Vertx vertx, int port, int connections) {
        return httpClient(vertx, port, connections, null);
    }

    /** @param localAddress the source IP of its connections (e.g. 127.0.0.2, for more ephemeral ports), or null */
    static HttpClient httpClient(Vertx vertx, int port, int connections, String localAddress) {
        HttpClientOptions options = new HttpClientOptions()
            .setDefaultHost("127.0.0.1").setDefaultPort(port)
            .setKeepAlive(true).setPipelining(false).setTcpNoDelay(true)
            .setIdleTimeout(0).setConnectTimeout(10_000)
            // Below the proxy's http.idleTimeoutSeconds (30): a connection idle through other phases is
            // dropped here first, not reused just as the proxy closes it (a "connection reset").
            .setKeepAliveTimeout(20);
        if (localAddress != null) {
            options.setLocalAddress(localAddress);
        }
        return vertx.createHttpClient(options, new PoolOptions().setHttp1MaxSize(connections).setMaxWaitQueueSize(-1));
    }

    /** A started native producer on the name server, with long send time-outs (the machine is shared). */
    static DefaultMQProducer nativeProducer(String group, String namesrvAddr) throws Exception {
        DefaultMQProducer producer = new DefaultMQProducer(group);
        producer.setNamesrvAddr(namesrvAddr);
        producer.setInstanceName(group + "-" + System.nanoTime());
        producer.setVipChannelEnabled(false);
        producer.setSendMsgTimeout(10_000);
        producer.setRetryTimesWhenSendAsyncFailed(0);
        producer.start();
        return producer;
    }

    /** The threads of a Vert.x instance's event loops, for their CPU time. */
    static Set<Long> eventLoopThreads(Vertx vertx) throws InterruptedException {
        Set<Long> ids = ConcurrentHashMap.newKeySet();
        List<EventExecutor> loops = new ArrayList<>();
        vertx.nettyEventLoopGroup().forEach(loops::add);
        CountDownLatch done = new CountDownLatch(loops.size());
        for (EventExecutor loop : loops) {
            loop.execute(() -> {
                ids.add(Thread.currentThread().getId());
                done.countDown();
            });
        }
        done.await(10, TimeUnit.SECONDS);
        return ids;
    }

    static boolean startsWith(Buffer b, byte[] prefix) {
        if (b.length() < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (b.getByte(i) != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    /** The envelope's status, -1 when the body is not one. */
    static int status(Buffer b) {
        try {
            return JSON.readTree(b.getBytes()).path("status").asInt(-1);
        } catch (Exception e) {
            return -1;
        }
    }

    static long cpuOf(Iterable<Long> ids) {
        long sum = 0;
        for (long id : ids) {
            sum += Math.max(THREADS.getThreadCpuTime(id), 0);
        }
        return sum;
    }

    static Map<Long, Long> threadCpu() {
        Map<Long, Long> cpu = new HashMap<>();
        for (long id : THREADS.getAllThreadIds()) {
            long t = THREADS.getThreadCpuTime(id);
            if (t >= 0) {
                cpu.put(id, t);
            }
        }
        return cpu;
    }

    /**
     * CPU nanoseconds of the JVM's own threads, which ThreadMXBean does not list: garbage collection
     * and the JIT compilers (Linux /proc, 10 ms ticks; zeros elsewhere).
     */
    static Map<String, Long> jvmInternalCpu() {
        long gc = 0;
        long jit = 0;
        File[] tasks = new File("/proc/self/task").listFiles();
        for (File task : tasks == null ? new File[0] : tasks) {
            try {
                String comm = Files.readString(task.toPath().resolve("comm")).trim();
                boolean isGc = comm.startsWith("GC Thread") || comm.startsWith("G1 ") || comm.startsWith("VM Thread")
                    || comm.startsWith("ParGC");
                boolean isJit = comm.startsWith("C1 Compiler") || comm.startsWith("C2 Compiler");
                if (!isGc && !isJit) {
                    continue;
                }
                String stat = Files.readString(task.toPath().resolve("stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                long nanos = (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L; // utime + stime
                if (isGc) {
                    gc += nanos;
                } else {
                    jit += nanos;
                }
            } catch (IOException | RuntimeException gone) {
                // the thread ended meanwhile
            }
        }
        return Map.of("GC", gc, "JIT", jit);
    }

    /** Adds CPU per thread group (names without digits) to {@code groups}, the load generator's threads apart. */
    static void addGroups(Map<String, Long> groups, Map<Long, Long> before, Map<Long, Long> after,
                          Set<Long> generator) {
        for (Map.Entry<Long, Long> e : after.entrySet()) {
            long used = e.getValue() - before.getOrDefault(e.getKey(), 0L);
            ThreadInfo info = THREADS.getThreadInfo(e.getKey());
            if (used <= 0 || info == null) {
                continue;
            }
            String group = (generator.contains(e.getKey()) ? "[load generator] " : "")
                + info.getThreadName().replaceAll("\\d+", "N");
            groups.merge(group, used, Long::sum);
        }
    }

    /** The busiest thread groups, in cores over {@code nanos}. */
    static String topGroups(Map<String, Long> groups, long nanos, int limit) {
        StringBuilder top = new StringBuilder();
        groups.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(limit)
            .forEach(e -> top.append(String.format(Locale.ROOT, "%s%s=%.2f", top.length() == 0 ? "" : ", ",
                e.getKey(), e.getValue() / (double) nanos)));
        return top.toString();
    }

    /** CPU used over a window: the whole process, the load generator's threads, each thread group, GC and JIT. */
    static final class CpuWindow {
        private final long process0 = OS.getProcessCpuTime();
        private final Map<Long, Long> threads0 = threadCpu();
        private final Map<String, Long> jvm0 = jvmInternalCpu();
        private final long wall0 = System.nanoTime();

        record Used(long wallNanos, long process, long generator, long gc, long jit, Map<String, Long> groups) {
            String line() {
                return String.format(Locale.ROOT, "cpu (cores): process %.2f, load generator %.2f; by thread group: %s;"
                        + " JVM-internal: GC=%.2f, JIT=%.2f", process / (double) wallNanos,
                    generator / (double) wallNanos, topGroups(groups, wallNanos, 8), gc / (double) wallNanos,
                    jit / (double) wallNanos);
            }
        }

        Used end(Set<Long> generatorThreads) {
            long wall = System.nanoTime() - wall0;
            Map<Long, Long> threads1 = threadCpu();
            Map<String, Long> jvm1 = jvmInternalCpu();
            Map<String, Long> groups = new HashMap<>();
            addGroups(groups, threads0, threads1, generatorThreads);
            long generator = 0;
            for (long id : generatorThreads) {
                generator += threads1.getOrDefault(id, 0L) - threads0.getOrDefault(id, 0L);
            }
            return new Used(wall, OS.getProcessCpuTime() - process0, generator, jvm1.get("GC") - jvm0.get("GC"),
                jvm1.get("JIT") - jvm0.get("JIT"), groups);
        }
    }

    /** The 1, 5 and 15 minute load averages. */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return String.format(Locale.ROOT, "%.2f", OS.getSystemLoadAverage());
        }
    }

    /** Heap in use after a full collection (two, since one may leave finalizable garbage). */
    static long heapUsedAfterGc() {
        System.gc();
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /**
     * The live-object class histogram of this JVM (a full GC first), as class name to bytes, read from the
     * DiagnosticCommand MBean: what {@code jmap -histo:live} prints.
     */
    static java.util.Map<String, long[]> classHistogram() {
        try {
            Object text = ManagementFactory.getPlatformMBeanServer().invoke(
                new javax.management.ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                new Object[] {new String[0]}, new String[] {String[].class.getName()});
            java.util.Map<String, long[]> byClass = new java.util.HashMap<>();
            for (String line : text.toString().split("\n")) {
                String[] f = line.trim().split("\\s+");
                if (f.length >= 4 && f[0].endsWith(":")) {
                    byClass.put(f[3], new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])});
                }
            }
            return byClass;
        } catch (javax.management.JMException e) {
            throw new IllegalStateException("class histogram: " + e, e);
        }
    }

    /** The classes whose live bytes grew most from {@code before} to {@code after}, one line each. */
    static String histogramGrowth(java.util.Map<String, long[]> before, java.util.Map<String, long[]> after,
                                  int top, int per) {
        StringBuilder out = new StringBuilder();
        after.entrySet().stream()
            .map(e -> {
                long[] b = before.getOrDefault(e.getKey(), new long[2]);
                return java.util.Map.entry(e.getKey(), new long[] {e.getValue()[0] - b[0], e.getValue()[1] - b[1]});
            })
            .sorted((x, y) -> Long.compare(y.getValue()[1], x.getValue()[1]))
            .limit(top)
            .forEach(e -> out.append(String.format(java.util.Locale.ROOT, "    %+9d instances %+10d bytes (%7.1f B a poll)  %s%n",
                e.getValue()[0], e.getValue()[1], e.getValue()[1] / (double) per, e.getKey())));
        // By the first two package names: whose objects they are (Netty, Vert.x, the JDK, RocketMQ, ours).
        java.util.Map<String, Long> byOwner = new java.util.TreeMap<>();
        after.forEach((name, count) -> {
            long grown = count[1] - before.getOrDefault(name, new long[2])[1];
            String[] parts = name.replace("[L", "").split("\\.");
            String owner = parts.length > 2 ? parts[0] + "." + parts[1] + (parts[0].equals("io") ? "." + parts[2] : "")
                : name.startsWith("[") ? "arrays of primitives" : name;
            byOwner.merge(owner, grown, Long::sum);
        });
        out.append("    by owner:");
        byOwner.entrySet().stream().filter(e -> Math.abs(e.getValue()) >= 64L * per)
            .sorted((x, y) -> Long.compare(y.getValue(), x.getValue()))
            .forEach(e -> out.append(String.format(java.util.Locale.ROOT, " %s %.0f B,", e.getKey(),
                e.getValue() / (double) per)));
        out.append(String.format(java.util.Locale.ROOT, " total %.0f B a poll%n",
            byOwner.values().stream().mapToLong(Long::longValue).sum() / (double) per));
        return out.toString();
    }

    static long heapUsed() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** VmRSS of this process, bytes (-1 when /proc is not there). */
    static long rss() {
        return statusField("VmRSS:");
    }

    /** A {@code /proc/self/status} field given in kB, as bytes. */
    static long statusField(String name) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(name)) {
                    return Long.parseLong(line.substring(name.length()).trim().split("\\s+")[0]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return -1;
    }

    static int openFds() {
        String[] fds = new File("/proc/self/fd").list();
        return fds == null ? -1 : fds.length;
    }

    static int threadCount() {
        return THREADS.getThreadCount();
    }

    static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }

    /** A benchmark's body. */
    interface Body {
        void run() throws Exception;
    }

    /** Runs a benchmark, then exits: RocketMQ's and Vert.x's threads would keep the JVM (and exec:java) alive. */
    static void runAndExit(Body body) {
        int code = 0;
        try {
            body.run();
        } catch (Throwable t) {
            t.printStackTrace();
            code = 1;
        }
        System.out.flush();
        System.exit(code);
    }

    /** The classpath this class was loaded from (exec:java loads it in a class loader of its own). */
    static String classpath() {
        List<String> entries = new ArrayList<>();
        for (ClassLoader cl = BenchSupport.class.getClassLoader(); cl != null; cl = cl.getParent()) {
            if (cl instanceof java.net.URLClassLoader u) {
                for (java.net.URL url : u.getURLs()) {
                    try {
                        entries.add(new java.io.File(url.toURI()).getPath());
                    } catch (Exception ignored) {
                        // not a file
                    }
                }
            }
        }
        return entries.isEmpty() ? System.getProperty("java.class.path")
            : String.join(java.io.File.pathSeparator, entries);
    }
}
