package io.mqproxy.bench;

import static io.mqproxy.testing.ProxyClient.form;

import io.mqproxy.testing.Consumer;
import io.mqproxy.testing.ProxyClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Start and stop of the real jar with its embedded broker, a fresh process each run: measured, not
 * asserted. Run it with
 *
 * <pre>
 * mvn -q -DskipTests package && mvn -q test-compile exec:java@bench-lifecycle [-Dbench.runs=5 -Dbench.jar=target/mq-proxy.jar]
 * </pre>
 *
 * {@code bench.jar} may list several jars, comma-separated (e.g. a build from before a change and one
 * after): their runs alternate, so both see the same machine load, and each gets its own summary.
 *
 * Each run: start, poll {@code /ready} every 10 ms, then at once three produces and one poll (what a
 * client does right after "ready"; the proxy's first requests pay what start-up left undone), then a
 * stop with work in flight: a batch consumed and not acked, and a long poll waiting. It reports the
 * time to ready, each first request, how soon SIGTERM answered the waiting long poll, the time to
 * exit, and whether the store was closed cleanly (no {@code abort} file); then a restart on the same
 * data folder, to ready.
 */
public final class LifecycleBenchmark {
    private static final String PRODUCER = "mqcloud-http-test-topic-producer";
    private static final String JSON_PRODUCER = "mqcloud-json-test-topic-producer";
    private static final String TOPIC = "mqcloud-json-test-topic";
    private static final String CONSUMER = "http-clustering-consumer";

    private LifecycleBenchmark() {
    }

    public static void main(String[] args) {
        BenchSupport.runAndExit(LifecycleBenchmark::run);
    }

    private static void run() throws Exception {
        List<Path> jars = Stream.of(System.getProperty("bench.jar", "target/mq-proxy.jar").split(","))
            .map(String::trim).map(Path::of).toList();
        int runs = Integer.getInteger("bench.runs", 5);
        System.out.printf(Locale.ROOT, "lifecycle benchmark: %s, %d runs each, load average %s%n", jars, runs,
            BenchSupport.loadAverage());
        Map<Path, List<long[]>> rows = new LinkedHashMap<>();
        for (int i = 1; i <= runs; i++) {
            for (Path jar : jars) {
                Path dir = Files.createTempDirectory("mqproxy-bench-lifecycle");
                try {
                    long[] row = once(jar, dir);
                    rows.computeIfAbsent(jar, j -> new ArrayList<>()).add(row);
                    System.out.printf(Locale.ROOT, "%s run %d: ready %d ms; first produces %d, %d, %d ms; first poll %d ms;"
                            + " long poll answered %d ms after SIGTERM; exit %d ms after SIGTERM (embedded broker %d ms);"
                            + " clean store %s; restart ready %d ms; load %s%n", jar.getFileName(), i, row[0], row[1],
                        row[2], row[3], row[4], row[5], row[6], row[7], row[8] == 1 ? "yes" : "NO", row[9],
                        BenchSupport.loadAverage());
                } finally {
                    delete(dir);
                }
            }
        }
        String[] names = {"ready", "produce 1", "produce 2", "produce 3", "poll 1", "long poll answered",
            "exit after SIGTERM", "embedded broker stop", "ready (restart)"};
        rows.forEach((jar, list) -> {
            System.out.println(jar + ": median (min-max) over " + list.size() + " runs");
            for (int c = 0; c < names.length; c++) {
                int col = c < 8 ? c : 9;
                long[] v = list.stream().mapToLong(r -> r[col]).sorted().toArray();
                System.out.printf(Locale.ROOT, "  %-20s %6d ms (%d-%d)%n", names[c], v[(v.length - 1) / 2], v[0],
                    v[v.length - 1]);
            }
        });
    }

    /** ready, produce 1-3, poll 1, long poll answered, exit, broker stop (ms), clean (1/0), restart ready (ms). */
    private static long[] once(Path jar, Path dir) throws Exception {
        ChildProxy child = ChildProxy.start(jar, dir, Map.of());
        long[] row = new long[10];
        try {
            row[0] = child.awaitReady(180);
            ProxyClient client = child.client();
            for (int i = 0; i < 3; i++) {
                long t = System.nanoTime();
                ProxyClient.Reply r = client.produce(form("producer", PRODUCER, "message", "first " + i));
                row[1 + i] = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t);
                check(r, "produce");
            }
            long t = System.nanoTime();
            ProxyClient.Reply empty = new Consumer(client, TOPIC, CONSUMER).poll();
            row[4] = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t);
            check(empty, "poll");

            // Work in flight at the stop: a batch held without ack, a long poll waiting.
            check(client.produce(form("producer", JSON_PRODUCER, "message", "{\"held\":1}")), "produce");
            ProxyClient.Reply held = new Consumer(client, TOPIC, CONSUMER).pollWithoutAck();
            check(held, "poll");
            Consumer waiting = new Consumer(client, TOPIC, CONSUMER).with("pullTimeout", "30");
            long[] answeredAt = new long[1];
            CompletableFuture<ProxyClient.Reply> longPoll = CompletableFuture.supplyAsync(() -> {
                ProxyClient.Reply r = waiting.poll();
                answeredAt[0] = System.nanoTime();
                return r;
            });
            Thread.sleep(1_000);
            long sigterm = System.nanoTime();
            row[6] = child.stop(120);
            try {
                longPoll.get(30, TimeUnit.SECONDS);
                row[5] = TimeUnit.NANOSECONDS.toMillis(answeredAt[0] - sigterm);
            } catch (Exception cut) {
                row[5] = -1;
            }
            row[7] = child.logLines("embedded RocketMQ stopped in").stream().findFirst()
                .map(l -> Long.parseLong(l.replaceAll(".*stopped in (\\d+) ms.*", "$1"))).orElse(-1L);
            row[8] = Files.exists(dir.resolve("store").resolve("abort")) ? 0 : 1;
            row[9] = restart(jar, dir);
            return row;
        } finally {
            if (child.alive()) {
                child.kill9();
            }
        }
    }

    /** Start again on the data folder the first start left, to ready; then stopped. */
    private static long restart(Path jar, Path dir) throws Exception {
        ChildProxy again = ChildProxy.start(jar, dir, Map.of());
        try {
            long ready = again.awaitReady(180);
            again.stop(120);
            return ready;
        } finally {
            if (again.alive()) {
                again.kill9();
            }
        }
    }

    private static void check(ProxyClient.Reply r, String what) {
        if (r.status() != 200) {
            throw new IllegalStateException(what + " failed: " + r.raw().body());
        }
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
