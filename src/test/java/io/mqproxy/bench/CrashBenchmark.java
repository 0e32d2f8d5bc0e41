package io.mqproxy.bench;

import static io.mqproxy.testing.ProxyClient.form;

import io.mqproxy.testing.Consumer;
import io.mqproxy.testing.ProxyClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.rocketmq.broker.offset.ConsumerOffsetManager;

/**
 * What a crash costs in duplicates, against how often the embedded broker writes consumer progress
 * ({@code embedded.flushConsumerOffsetMillis}): measured, not asserted. Run it with
 *
 * <pre>
 * mvn -q -DskipTests package && mvn -q test-compile exec:java@bench-crash [-Dbench.flushMillis=5000,1000 -Dbench.runs=2]
 * </pre>
 *
 * Each run starts the real jar in a child process on a fresh data folder, produces {@code bench.messages}
 * (40000) messages, and consumes them over HTTP with {@code bench.clients} (4) clients in each of two
 * groups, queue-held and concurrent, each poll acking the previous batch by its requestId. An ack counts
 * as confirmed when the poll that carried it was answered. After {@code bench.killAfterSeconds} (12) of
 * consumption the child is killed with SIGKILL, restarted on the same folder, and both groups are drained.
 * Per group it prints: confirmed acks, acks on their way at the kill (outcome unknown), messages delivered
 * before the kill, then after the restart the duplicates (confirmed-acked messages delivered again), the
 * unconfirmed ones delivered again (expected: at-least-once), and missing ones (neither acked, nor possibly
 * acked, nor delivered again: must be 0). Settings in
 * {@code bench.flushMillis} alternate run by run. The cost of writing progress more often is measured as
 * the child's CPU per message while consuming, the consumption rate, and the time one write of the
 * run's {@code consumerOffset.json} (and of a table of 1,000 group-topic entries) takes on this disk.
 */
public final class CrashBenchmark {
    private static final String TOPIC = "crash-topic";
    private static final String[] GROUPS = {"crash-held", "crash-concurrent"};

    private CrashBenchmark() {
    }

    public static void main(String[] args) {
        BenchSupport.runAndExit(CrashBenchmark::run);
    }

    private record Outcome(long flushMillis, int run, Map<String, GroupOutcome> groups, double cpuMsPer1k,
                           long restartReadyMillis, Path offsets) {
    }

    private record GroupOutcome(double rate, int confirmed, int ackUnknown, int deliveredBefore, int duplicates,
                                int redeliveredUnconfirmed, int missing) {
    }

    private static void run() throws Exception {
        Path jar = Path.of(System.getProperty("bench.jar", "target/mq-proxy.jar"));
        List<Long> settings = Stream.of(System.getProperty("bench.flushMillis", "5000,1000").split(","))
            .map(String::trim).map(Long::parseLong).toList();
        int runs = Integer.getInteger("bench.runs", 2);
        int messages = Integer.getInteger("bench.messages", 40_000);
        System.out.printf(Locale.ROOT, "crash benchmark: %s, %d messages, flushConsumerOffsetMillis %s, %d runs each,"
            + " load average %s%n", jar, messages, settings, runs, BenchSupport.loadAverage());
        List<Outcome> outcomes = new ArrayList<>();
        Path last = null;
        for (int i = 1; i <= runs; i++) {
            for (long flush : settings) {
                if (last != null) {
                    delete(last);
                }
                last = Files.createTempDirectory("mqproxy-bench-crash");
                Outcome o = once(jar, last, flush, i, messages);
                outcomes.add(o);
                print(o);
            }
        }
        System.out.println("summary (duplicates = confirmed-acked messages delivered again after the crash):");
        for (long flush : settings) {
            List<Outcome> mine = outcomes.stream().filter(o -> o.flushMillis == flush).toList();
            for (String g : GROUPS) {
                String dups = mine.stream().map(o -> o.groups.get(g).duplicates + " ("
                        + String.format(Locale.ROOT, "%.2f s", o.groups.get(g).duplicates / o.groups.get(g).rate) + ")")
                    .collect(Collectors.joining(", "));
                System.out.printf(Locale.ROOT, "  flush %5d ms, %-16s duplicates per run: %s; missing: %s%n", flush, g,
                    dups, mine.stream().map(o -> Integer.toString(o.groups.get(g).missing)).collect(Collectors.joining(", ")));
            }
            System.out.printf(Locale.ROOT, "  flush %5d ms: consumption %s msg/s (both groups), child CPU %s ms per 1,000"
                    + " messages%n", flush,
                mine.stream().map(o -> String.format(Locale.ROOT, "%.0f", o.groups.values().stream()
                    .mapToDouble(GroupOutcome::rate).sum())).collect(Collectors.joining(", ")),
                mine.stream().map(o -> String.format(Locale.ROOT, "%.1f", o.cpuMsPer1k)).collect(Collectors.joining(", ")));
        }
        persistCost(outcomes.get(outcomes.size() - 1).offsets);
        delete(last);
    }

    private static Outcome once(Path jar, Path dir, long flushMillis, int run, int messages) throws Exception {
        Path config = dir.resolve("crash.yaml");
        Files.createDirectories(dir);
        Files.writeString(config, """
            producers:
              - {name: crash-producer, topic: crash-topic}
            consumers:
              - {name: crash-held, topic: crash-topic, pop: false, maxPullSize: 32, consumeTimeoutSeconds: 20}
              - {name: crash-concurrent, topic: crash-topic, pop: true, maxPullSize: 32, consumeTimeoutSeconds: 20}
            """);
        ChildProxy child = startWithConfig(jar, dir, config, flushMillis);
        Map<String, ConcurrentMap<Integer, Boolean>> confirmed = new ConcurrentHashMap<>();
        // Batches whose ack was on its way when the proxy died: the broker may or may not have it.
        Map<String, ConcurrentMap<Integer, Boolean>> unknown = new ConcurrentHashMap<>();
        Map<String, ConcurrentMap<Integer, AtomicInteger>> deliveredBefore = new ConcurrentHashMap<>();
        Map<String, Double> rates = new ConcurrentHashMap<>();
        double cpuMsPer1k;
        try {
            child.awaitReady(180);
            produce(child.client(), messages);
            int clients = Integer.getInteger("bench.clients", 4);
            long killAfter = TimeUnit.SECONDS.toMillis(Integer.getInteger("bench.killAfterSeconds", 12));
            AtomicBoolean stop = new AtomicBoolean();
            List<Thread> threads = new ArrayList<>();
            Map<String, AtomicLong> counts = new ConcurrentHashMap<>();
            for (String g : GROUPS) {
                confirmed.put(g, new ConcurrentHashMap<>());
                unknown.put(g, new ConcurrentHashMap<>());
                deliveredBefore.put(g, new ConcurrentHashMap<>());
                counts.put(g, new AtomicLong());
                for (int c = 0; c < clients; c++) {
                    Thread t = new Thread(() -> consume(child, g, stop, confirmed.get(g), unknown.get(g),
                        deliveredBefore.get(g), counts.get(g)), "crash-consumer-" + g + "-" + c);
                    t.setDaemon(true);
                    threads.add(t);
                }
            }
            long cpu0 = cpuMillis(child.pid());
            long t0 = System.nanoTime();
            threads.forEach(Thread::start);
            Thread.sleep(killAfter);
            long cpu1 = cpuMillis(child.pid());
            long seconds = System.nanoTime() - t0;
            child.kill9();
            stop.set(true);
            for (Thread t : threads) {
                t.join(10_000);
            }
            long consumed = counts.values().stream().mapToLong(AtomicLong::get).sum();
            cpuMsPer1k = consumed == 0 ? 0 : (cpu1 - cpu0) * 1000.0 / consumed;
            for (String g : GROUPS) {
                rates.put(g, counts.get(g).get() / (seconds / 1e9));
            }
        } finally {
            if (child.alive()) {
                child.kill9();
            }
        }

        long restartBegan = System.nanoTime();
        ChildProxy again = startWithConfig(jar, dir, config, flushMillis);
        Map<String, GroupOutcome> outcome = new java.util.LinkedHashMap<>();
        long restartReady;
        try {
            again.awaitReady(180);
            restartReady = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restartBegan);
            Map<String, java.util.concurrent.CompletableFuture<ConcurrentMap<Integer, AtomicInteger>>> drains =
                new java.util.LinkedHashMap<>();
            for (String g : GROUPS) {
                java.util.concurrent.CompletableFuture<ConcurrentMap<Integer, AtomicInteger>> f =
                    new java.util.concurrent.CompletableFuture<>();
                Thread t = new Thread(() -> {
                    try {
                        f.complete(drain(again.client(), g, messages, confirmed.get(g), unknown.get(g)));
                    } catch (Throwable e) {
                        f.completeExceptionally(e);
                    }
                }, "crash-drain-" + g);
                t.setDaemon(true);
                t.start();
                drains.put(g, f);
            }
            for (String g : GROUPS) {
                ConcurrentMap<Integer, AtomicInteger> after = drains.get(g).get(300, TimeUnit.SECONDS);
                int duplicates = 0;
                int redelivered = 0;
                int missing = 0;
                for (int i = 0; i < messages; i++) {
                    boolean acked = confirmed.get(g).containsKey(i);
                    boolean maybe = unknown.get(g).containsKey(i);
                    AtomicInteger n = after.get(i);
                    if (acked && n != null) {
                        duplicates += n.get();
                    } else if (!acked && !maybe && n == null) {
                        missing++;
                    } else if (!acked && n != null && deliveredBefore.get(g).containsKey(i)) {
                        redelivered++;
                    }
                }
                outcome.put(g, new GroupOutcome(rates.get(g), confirmed.get(g).size(), unknown.get(g).size(),
                    deliveredBefore.get(g).size(), duplicates, redelivered, missing));
            }
            again.stop(60);
        } finally {
            if (again.alive()) {
                again.kill9();
            }
        }
        return new Outcome(flushMillis, run, outcome, cpuMsPer1k, restartReady,
            dir.resolve("store").resolve("config").resolve("consumerOffset.json"));
    }

    private static ChildProxy startWithConfig(Path jar, Path dir, Path config, long flushMillis) throws Exception {
        return ChildProxy.start(jar, dir, Map.of("embedded.flushConsumerOffsetMillis", Long.toString(flushMillis)),
            List.of("--config", config.toString()));
    }

    private static void produce(ProxyClient client, int messages) {
        int batch = 500;
        for (int from = 0; from < messages; from += batch) {
            String array = IntStream.range(from, Math.min(messages, from + batch))
                .mapToObj(i -> "\"m" + i + "\"").collect(Collectors.joining(",", "[", "]"));
            ProxyClient.Reply r = client.produceBatch(form("producer", "crash-producer", "messages", array));
            if (r.status() != 200) {
                throw new IllegalStateException("produce failed: " + r.raw().body());
            }
        }
    }

    /**
     * Polls until stopped or the proxy is gone; a batch is confirmed acked once the next poll is answered,
     * and its ack's outcome is unknown if the proxy died while that poll was on its way.
     */
    private static void consume(ChildProxy child, String group, AtomicBoolean stop,
                                ConcurrentMap<Integer, Boolean> confirmed, ConcurrentMap<Integer, Boolean> unknown,
                                ConcurrentMap<Integer, AtomicInteger> delivered, AtomicLong count) {
        Consumer c = new Consumer(child.client(), TOPIC, group);
        List<Integer> previous = List.of();
        while (!stop.get()) {
            ProxyClient.Reply r;
            try {
                r = c.poll();
            } catch (RuntimeException e) {
                if (stop.get() || !child.alive()) {
                    previous.forEach(i -> unknown.put(i, Boolean.TRUE));
                    return;
                }
                failed(e);
                continue;
            }
            if (r.status() != 200) {
                refused(r);
                continue;
            }
            if ("OK".equals(r.result().path("previousAck").asText(""))) {
                previous.forEach(i -> confirmed.put(i, Boolean.TRUE));
            }
            previous = Consumer.bodies(r).stream().map(b -> Integer.parseInt(b.substring(1))).toList();
            previous.forEach(i -> delivered.computeIfAbsent(i, k -> new AtomicInteger()).incrementAndGet());
            count.addAndGet(previous.size());
        }
    }

    /**
     * Drains the group after the restart: until every message is either confirmed from before or delivered
     * now, and then 5 s more with nothing new (what was in flight at the kill comes back after its 20 s).
     */
    private static ConcurrentMap<Integer, AtomicInteger> drain(ProxyClient client, String group, int messages,
                                                               ConcurrentMap<Integer, Boolean> confirmed,
                                                               ConcurrentMap<Integer, Boolean> unknown)
        throws InterruptedException {
        ConcurrentMap<Integer, AtomicInteger> after = new ConcurrentHashMap<>();
        AtomicLong lastNew = new AtomicLong(System.nanoTime());
        AtomicBoolean done = new AtomicBoolean();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < Integer.getInteger("bench.clients", 4); c++) {
            Thread t = new Thread(() -> {
                Consumer consumer = new Consumer(client, TOPIC, group).with("pullTimeout", "2");
                while (!done.get()) {
                    ProxyClient.Reply r;
                    try {
                        r = consumer.poll();
                    } catch (RuntimeException e) {
                        failed(e);
                        continue;
                    }
                    if (r.status() != 200) {
                        refused(r);
                        continue;
                    }
                    for (String b : Consumer.bodies(r)) {
                        after.computeIfAbsent(Integer.parseInt(b.substring(1)), k -> new AtomicInteger()).incrementAndGet();
                        lastNew.set(System.nanoTime());
                    }
                }
                try {
                    consumer.call("/mq/ack");
                } catch (RuntimeException e) {
                    failed(e);
                }
            }, "crash-drain-" + group + "-" + c);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
        while (System.nanoTime() < deadline) {
            boolean complete = IntStream.range(0, messages)
                .allMatch(i -> confirmed.containsKey(i) || unknown.containsKey(i) || after.containsKey(i));
            if (complete && System.nanoTime() - lastNew.get() > TimeUnit.SECONDS.toNanos(5)) {
                break;
            }
            Thread.sleep(500);
        }
        done.set(true);
        for (Thread t : threads) {
            t.join(10_000);
        }
        return after;
    }

    private static final AtomicInteger REFUSALS = new AtomicInteger();

    /** A poll the proxy did not answer 200: shown (the first few), never silently retried forever. */
    private static void refused(ProxyClient.Reply r) {
        if (REFUSALS.incrementAndGet() <= 5) {
            System.out.println("poll answered " + r.httpStatus() + ": " + r.raw().body());
        }
    }

    private static void failed(RuntimeException e) {
        if (REFUSALS.incrementAndGet() <= 5) {
            System.out.println("poll failed: " + e);
        }
    }

    /** utime + stime of a process, ms (Linux /proc; clock ticks of 10 ms). */
    private static long cpuMillis(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10;
        } catch (Exception e) {
            return 0;
        }
    }

    /** Times RocketMQ's own persist (full JSON, rename to .bak, write, 2 fsyncs) of an offset table on this disk. */
    private static void persistCost(Path offsets) throws Exception {
        Path work = Files.createTempDirectory("mqproxy-bench-persist");
        io.mqproxy.broker.RocketMqRuntime.prepare(work.resolve("logs"));
        try {
            Path copy = work.resolve("consumerOffset.json");
            Files.copy(offsets, copy);
            ConsumerOffsetManager real = manager(copy);
            real.load();
            time("this run's table (" + real.getOffsetTable().size() + " topic@group entries, "
                + Files.size(copy) + " bytes)", real);
            ConsumerOffsetManager big = manager(work.resolve("big.json"));
            for (int g = 0; g < 1_000; g++) {
                ConcurrentMap<Integer, Long> queues = new ConcurrentHashMap<>();
                for (int q = 0; q < 8; q++) {
                    queues.put(q, 1_000_000L + g * 10L + q);
                }
                big.getOffsetTable().put("topic-" + (g % 50) + "@group-" + g, queues);
            }
            big.persist();
            time("1,000 topic@group entries x 8 queues (" + Files.size(work.resolve("big.json")) + " bytes)", big);
        } finally {
            delete(work);
        }
    }

    private static ConsumerOffsetManager manager(Path file) {
        return new ConsumerOffsetManager() {
            @Override
            public String configFilePath() {
                return file.toString();
            }
        };
    }

    private static void time(String what, ConsumerOffsetManager manager) {
        for (int i = 0; i < 5; i++) {
            manager.persist();
        }
        int n = 50;
        long[] each = new long[n];
        for (int i = 0; i < n; i++) {
            long t = System.nanoTime();
            manager.persist();
            each[i] = System.nanoTime() - t;
        }
        java.util.Arrays.sort(each);
        System.out.printf(Locale.ROOT, "persist of %s: median %.2f ms, max %.2f ms (%d writes); at one write a second"
            + " that is %.2f%% of the broker's scheduler thread's time (fsyncs included)%n", what, each[n / 2] / 1e6,
            each[n - 1] / 1e6, n, each[n / 2] / 1e7);
    }

    private static void print(Outcome o) {
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "flush %d ms, run %d: restart to ready %d ms,"
            + " child CPU %.1f ms per 1,000 consumed", o.flushMillis, o.run, o.restartReadyMillis, o.cpuMsPer1k));
        o.groups.forEach((g, r) -> line.append(String.format(Locale.ROOT, "%n  %-16s %6.0f msg/s; confirmed %d,"
                + " ack in flight at the kill %d, delivered before the kill %d; after restart: duplicates %d"
                + " (%.2f s of consumption), unconfirmed delivered again %d, missing %d", g, r.rate, r.confirmed,
            r.ackUnknown, r.deliveredBefore, r.duplicates, r.duplicates / r.rate, r.redeliveredUnconfirmed,
            r.missing)));
        System.out.println(line);
    }

    private static void delete(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (Exception ignored) {
            // a temp folder
        }
    }
}
