package io.mqproxy.bench;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.mqproxy.testing.Consumer;
import io.mqproxy.testing.ProxyClient;
import io.mqproxy.testing.TestBroker;
import io.mqproxy.testing.TestProxy;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendCallback;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.remoting.protocol.body.ConsumeStatsList;

/**
 * The lag collector with many groups: time and broker calls per collection, and what collecting does to
 * production (the proxy's HTTP path next to the native client, with the collector off and on, in one
 * run). Measured, not asserted. Not a test: run it with
 *
 * <pre>
 * mvn -q test-compile exec:java@bench-monitor
 * </pre>
 *
 * Options ({@code -D...}): {@code bench.groups} (500) consumer groups over {@code bench.topics} (50) topics
 * of 8 queues, half concurrent, half queue-held; each topic gets {@code bench.backlog} (100) messages, and
 * 4 groups in 5 take a batch (some acked, some left in flight), 1 in 5 never reads. {@code bench.collectors}
 * (group:1,group:4,wide:1,wide:4; empty: none): the collector settings timed, one call per group or one per
 * broker for all its groups, and {@code monitor.brokerCalls}; {@code bench.collectSeconds} (30) of collections
 * each. Production: {@code bench.seconds} (10) per phase, {@code bench.rounds} (2) rounds
 * of native and HTTP single sends ({@code bench.concurrency}, 64 in flight, 1 KiB) with the collector off and
 * on at {@code bench.interval} (1) s, i.e. collecting back to back (the default interval is 15 s), in turn
 * (the order swapped each round), each on a proxy started for it and left {@value #SETTLE_SECONDS} s to settle.
 */
public final class MonitorBenchmark {
    private final int groups = Integer.getInteger("bench.groups", 500);
    private final int topics = Integer.getInteger("bench.topics", 50);
    private final int backlog = Integer.getInteger("bench.backlog", 100);
    private final int collectSeconds = Integer.getInteger("bench.collectSeconds", 30);
    private final int seconds = Integer.getInteger("bench.seconds", 10);
    private final int rounds = Integer.getInteger("bench.rounds", 2);
    private final int concurrency = Integer.getInteger("bench.concurrency", 64);
    private final int interval = Integer.getInteger("bench.interval", 1);
    /** Collector settings timed: per-group calls or one broker-wide call, and monitor.brokerCalls. */
    private final String collectors = System.getProperty("bench.collectors", "group:1,group:4,wide:1,wide:4");

    /** Seconds after a proxy starts before production is measured, collector on or off. */
    private static final int SETTLE_SECONDS = 15;

    private TestBroker broker;
    private final List<String> topicNames = new ArrayList<>();
    private final List<String> groupNames = new ArrayList<>();
    private final Map<String, String> topicOf = new LinkedHashMap<>();

    public static void main(String[] args) {
        BenchSupport.runAndExit(() -> new MonitorBenchmark().run());
    }

    private void run() throws Exception {
        System.out.printf(Locale.ROOT, "monitor benchmark: %d groups on %d topics x 8 queues, %d cores, %s%n", groups,
            topics, Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
        broker = TestBroker.get();
        for (int t = 0; t < topics; t++) {
            topicNames.add(broker.newTopic("mon", 8));
        }
        for (int g = 0; g < groups; g++) {
            String topic = topicNames.get(g % topics);
            String name = "mon-g" + g + "-" + topic.hashCode() % 1000;
            groupNames.add(name);
            topicOf.put(name, topic);
        }
        DefaultMQProducer nativeProducer = BenchSupport.nativeProducer("bench-mon-native", broker.namesrvAddr());
        try {
            seed(nativeProducer);
            for (String c : collectors.isBlank() ? new String[0] : collectors.split(",")) {
                String[] mode = c.trim().split(":");
                collections(mode[0].equals("wide"), Integer.parseInt(mode[1]));
            }
            brokerWideCall();
            production(nativeProducer);
        } finally {
            nativeProducer.shutdown();
        }
    }

    /** @param wide read each broker's groups in one call (the default from 32 groups), else one call per group */
    private TestProxy.Builder proxy(boolean monitor, boolean wide, int brokerCalls) {
        TestProxy.Builder b = TestProxy.builder()
            .set("monitor.enabled", Boolean.toString(monitor))
            .set("monitor.intervalSeconds", Integer.toString(interval))
            .set("monitor.brokerCalls", Integer.toString(brokerCalls))
            .set("monitor.brokerWideFrom", wide ? "32" : "1000000");
        for (String t : topicNames) {
            b.producer("p-" + t, t);
        }
        for (int g = 0; g < groups; g++) {
            String name = groupNames.get(g);
            b.consumer(name, topicOf.get(name), Map.of("pop", g % 2 == 0));
        }
        return b;
    }

    /** Messages on every topic; 4 groups in 5 take a batch (every other one left unacked), 1 in 5 never reads. */
    private void seed(DefaultMQProducer producer) throws Exception {
        byte[] body = BenchSupport.body(1024);
        for (String t : topicNames) {
            for (int i = 0; i < backlog; i++) {
                producer.send(new Message(t, body));
            }
        }
        long began = System.nanoTime();
        try (TestProxy p = proxy(false, true, 4).start()) {
            ProxyClient client = p.client();
            for (int g = 0; g < groups; g++) {
                if (g % 5 == 4) {
                    continue;
                }
                String name = groupNames.get(g);
                Consumer c = new Consumer(client, topicOf.get(name), name).with("maxPullSize", "4");
                c.pollWithoutAck();
                if (g % 2 == 1) {
                    c.call("/mq/ack");
                }
            }
        }
        System.out.printf(Locale.ROOT, "seeded: %d messages per topic, %d groups read once, in %.1f s%n", backlog,
            groups * 4 / 5, (System.nanoTime() - began) / 1e9);
    }

    /** Times collections with one call per group or one per broker, and {@code monitor.brokerCalls}. */
    private void collections(boolean wide, int brokerCalls) throws Exception {
        try (TestProxy p = proxy(true, wide, brokerCalls).start()) {
            MeterRegistry registry = p.app().metrics().registry();
            long waitStart = System.nanoTime();
            while (registry.find("mqproxy.monitor.collection").timer() == null
                || registry.find("mqproxy.monitor.collection").timer().count() == 0) {
                if (System.nanoTime() - waitStart > TimeUnit.SECONDS.toNanos(120)) {
                    throw new IllegalStateException("no collection within 120 s");
                }
                Thread.sleep(200);
            }
            Timer timer = registry.find("mqproxy.monitor.collection").timer();
            Counter calls = registry.find("mqproxy.monitor.broker.calls").counter();
            // The first collection: nothing known yet of any queue's first waiting message (-1: missed it).
            boolean caughtFirst = timer.count() == 1;
            double firstMs = caughtFirst ? timer.totalTime(TimeUnit.MILLISECONDS) : -1;
            double firstCalls = caughtFirst ? calls.count() : -1;
            long n0 = timer.count();
            double t0 = timer.totalTime(TimeUnit.MILLISECONDS);
            double c0 = calls.count();
            Map<Long, Long> cpu0 = BenchSupport.threadCpu();
            long wall0 = System.nanoTime();
            Thread.sleep(collectSeconds * 1000L);
            long n = timer.count() - n0;
            double ms = timer.totalTime(TimeUnit.MILLISECONDS) - t0;
            double c = calls.count() - c0;
            Map<String, Long> groupsCpu = new LinkedHashMap<>();
            BenchSupport.addGroups(groupsCpu, cpu0, BenchSupport.threadCpu(), java.util.Set.of());
            long collectorCpu = 0;
            for (Map.Entry<String, Long> e : groupsCpu.entrySet()) {
                if (e.getKey().startsWith("mqproxy-monitor")) {
                    collectorCpu += e.getValue();
                }
            }
            double wall = (System.nanoTime() - wall0) / 1e9;
            System.out.printf(Locale.ROOT, "collector, %s, brokerCalls=%d: first collection %.0f ms, %.0f broker "
                    + "calls; then %d collections in %d s: mean %.0f ms (%.2f ms per group), max %.0f ms (first "
                    + "included), %.0f broker calls per collection (%.2f per group); collector threads' CPU %.3f "
                    + "cores; busiest: %s%n",
                wide ? "one call per broker" : "one call per group", brokerCalls, firstMs, firstCalls, n,
                collectSeconds, ms / n, ms / n / groups,
                timer.max(TimeUnit.MILLISECONDS), c / n, c / n / groups, collectorCpu / 1e9 / wall,
                BenchSupport.topGroups(groupsCpu, (long) (wall * 1e9), 5));
        }
    }

    /** The one call per broker that would read every group at once, for comparison. */
    private void brokerWideCall() throws Exception {
        long best = Long.MAX_VALUE;
        int bytes = 0;
        int listed = 0;
        for (int i = 0; i < 5; i++) {
            long began = System.nanoTime();
            ConsumeStatsList all = broker.admin().fetchConsumeStatsInBroker(broker.brokerAddr(), false, 30_000);
            best = Math.min(best, System.nanoTime() - began);
            bytes = all.encode().length;
            listed = all.getConsumeStatsList().stream().mapToInt(Map::size).sum();
        }
        System.out.printf(Locale.ROOT, "for comparison, GET_BROKER_CONSUME_STATS (every group of the broker in one "
            + "call): best of 5 %.0f ms, %d groups listed, %d KiB%n", best / 1e6, listed, bytes / 1024);
    }

    private void production(DefaultMQProducer nativeProducer) throws Exception {
        String topic = topicNames.get(0);
        byte[] body = BenchSupport.body(1024);
        Map<String, double[]> results = new LinkedHashMap<>();
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
        try {
            for (int round = 0; round <= rounds; round++) {
                // Each round in the other order: what a phase inherits from the one before (JIT, GC, page
                // cache) falls on both alike.
                boolean[] order = round % 2 == 0 ? new boolean[] {false, true} : new boolean[] {true, false};
                for (boolean monitor : order) {
                    try (TestProxy p = proxy(monitor, true, 4).start()) {
                        // Both wait the same: the collector starts once the fleet agrees (10 s), then collects.
                        long settled = System.nanoTime() + TimeUnit.SECONDS.toNanos(SETTLE_SECONDS);
                        if (monitor) {
                            MeterRegistry r = p.app().metrics().registry();
                            while (r.find("mqproxy.monitor.collection").timer() == null
                                || r.find("mqproxy.monitor.collection").timer().count() == 0) {
                                Thread.sleep(200);
                            }
                        }
                        Thread.sleep(Math.max(0, TimeUnit.NANOSECONDS.toMillis(settled - System.nanoTime())));
                        long collections0 = collections(p);
                        Map<Long, Long> cpu0 = BenchSupport.threadCpu();
                        long process0 = BenchSupport.OS.getProcessCpuTime();
                        long wall0 = System.nanoTime();
                        HttpClient http = BenchSupport.httpClient(vertx, p.config().http().producePort(), concurrency);
                        Buffer form = Buffer.buffer("producer=p-" + topic + "&message="
                            + new String(body, StandardCharsets.US_ASCII));
                        double nat = nativeRate(nativeProducer, topic, body);
                        double web = httpRate(http, form);
                        http.close();
                        long during = collections(p) - collections0;
                        double wall = System.nanoTime() - wall0;
                        Map<String, Long> byGroup = new LinkedHashMap<>();
                        BenchSupport.addGroups(byGroup, cpu0, BenchSupport.threadCpu(), java.util.Set.of());
                        long collector = byGroup.entrySet().stream()
                            .filter(e -> e.getKey().startsWith("mqproxy-monitor")).mapToLong(Map.Entry::getValue).sum();
                        long brokerAdmin = byGroup.getOrDefault("AdminBrokerThread_N", 0L);
                        double process = (BenchSupport.OS.getProcessCpuTime() - process0) / wall;
                        if (round == 0) {
                            continue; // warm-up
                        }
                        String key = monitor ? "on" : "off";
                        double[] sum = results.computeIfAbsent(key, k -> new double[5]);
                        sum[0] += nat / rounds;
                        sum[1] += web / rounds;
                        sum[2] += collector / wall / rounds;
                        sum[3] += brokerAdmin / wall / rounds;
                        sum[4] += process / rounds;
                        System.out.printf(Locale.ROOT, "round %d, collector %s: native %.0f msg/s, HTTP %.0f msg/s, "
                            + "ratio %.2f (%d collections during the phases; cores: collector threads %.3f, broker "
                            + "admin threads %.3f, process %.2f; load average %s)%n", round, key, nat, web, web / nat,
                            during, collector / wall, brokerAdmin / wall, process, BenchSupport.loadAverage());
                    }
                }
            }
        } finally {
            vertx.close();
        }
        double[] off = results.get("off");
        double[] on = results.get("on");
        System.out.printf(Locale.ROOT, "production, mean of %d rounds: collector off: native %.0f, HTTP %.0f msg/s "
                + "(ratio %.2f); collector on (every %d s): native %.0f, HTTP %.0f msg/s (ratio %.2f); HTTP on/off "
                + "%.2f, native on/off %.2f; cores used by the collector's threads %.3f and the broker's admin threads "
                + "%.3f "
                + "(off: %.3f), process %.2f (off: %.2f)%n", rounds, off[0], off[1], off[1] / off[0], interval, on[0],
            on[1], on[1] / on[0], on[1] / off[1], on[0] / off[0], on[2], on[3], off[3], on[4], off[4]);
    }

    private static long collections(TestProxy p) {
        Timer t = p.app().metrics().registry().find("mqproxy.monitor.collection").timer();
        return t == null ? 0 : t.count();
    }

    private double nativeRate(DefaultMQProducer producer, String topic, byte[] body) throws Exception {
        Semaphore permits = new Semaphore(concurrency);
        LongAdder ok = new LongAdder();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds + 1);
        long measureFrom = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        long counted0 = -1;
        while (System.nanoTime() < end) {
            if (counted0 < 0 && System.nanoTime() >= measureFrom) {
                counted0 = ok.sum();
            }
            if (!permits.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                continue;
            }
            producer.send(new Message(topic, body), new SendCallback() {
                @Override
                public void onSuccess(SendResult r) {
                    ok.increment();
                    permits.release();
                }

                @Override
                public void onException(Throwable e) {
                    permits.release();
                }
            }, 10_000);
        }
        long counted = ok.sum() - Math.max(0, counted0);
        permits.acquire(concurrency);
        return counted / (double) seconds;
    }

    private double httpRate(HttpClient http, Buffer form) throws Exception {
        LongAdder ok = new LongAdder();
        Semaphore done = new Semaphore(0);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds + 1);
        long measureFrom = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        long[] counted0 = {-1};
        RequestOptions request = new RequestOptions().setMethod(HttpMethod.POST).setURI("/mq/produce")
            .putHeader("Content-Type", "application/x-www-form-urlencoded").setTimeout(30_000);
        Runnable[] fire = new Runnable[1];
        fire[0] = () -> {
            if (System.nanoTime() >= end) {
                done.release();
                return;
            }
            if (counted0[0] < 0 && System.nanoTime() >= measureFrom) {
                counted0[0] = ok.sum();
            }
            Future<Buffer> reply = http.request(request).compose(req -> req.send(form))
                .compose(resp -> resp.body());
            reply.onComplete(ar -> {
                if (ar.succeeded() && BenchSupport.status(ar.result()) == 200) {
                    ok.increment();
                }
                fire[0].run();
            });
        };
        for (int i = 0; i < concurrency; i++) {
            fire[0].run();
        }
        done.acquire(concurrency);
        return (ok.sum() - Math.max(0, counted0[0])) / (double) seconds;
    }
}
