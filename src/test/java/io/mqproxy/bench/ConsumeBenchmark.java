package io.mqproxy.bench;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.mqproxy.testing.TestBroker;
import io.mqproxy.testing.TestProxy;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.apache.rocketmq.client.consumer.AckCallback;
import org.apache.rocketmq.client.consumer.AckResult;
import org.apache.rocketmq.client.consumer.PopCallback;
import org.apache.rocketmq.client.consumer.PopResult;
import org.apache.rocketmq.client.consumer.PopStatus;
import org.apache.rocketmq.client.impl.MQClientAPIImpl;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendCallback;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.common.constant.ConsumeInitMode;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageConst;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.message.MessageQueue;
import org.apache.rocketmq.remoting.protocol.admin.TopicOffset;
import org.apache.rocketmq.remoting.protocol.header.PopMessageRequestHeader;
import org.apache.rocketmq.remoting.protocol.route.BrokerData;

/**
 * Consumption through the proxy next to the native RocketMQ POP client, on the same embedded broker in
 * one run: measured, not asserted. Not a test (no *Test / *IT name): run it with
 *
 * <pre>
 * mvn -q test-compile exec:java@bench-consume
 * </pre>
 *
 * Phases ({@code bench.phases}, default {@code drain,latency,idle,fanout}):
 * <ol>
 * <li>drain: a backlog of {@code bench.messages} (100000) messages of {@code bench.size} (1024) bytes on a
 *     topic of {@code bench.queues} (8) queues, drained in full by a fresh group per run: over HTTP by
 *     {@code bench.httpClients} (16) keep-alive clients, {@code bench.maxPullSize} (32) per poll, each poll
 *     acking the previous batch; natively by {@code MQClientAPIImpl.popMessageAsync}, 32 per pop,
 *     {@code bench.nativeInFlight} (4) pops in flight, a batch ack per pop. Concurrent (pop=true), then
 *     queue-held (pop=false / order=true) unless {@code bench.orderly=false}; {@code bench.drainRounds} (2)
 *     rounds after an unmeasured warm-up of {@code bench.warmupMessages} (10000) per path.</li>
 * <li>latency: {@code bench.latency.clients} (8) clients long-polling ({@code bench.latency.pullTimeout}, 10 s)
 *     an empty topic; one native send every {@code bench.latency.intervalMs} (20) ms, {@code
 *     bench.latency.messages} (500) measured after {@code bench.latency.warmup} (50) unmeasured; send-to-receipt time;
 *     with {@code bench.latency.external=true} the clients run in a child JVM ({@link LatencyPollClient}).</li>
 * <li>idle: {@code bench.idle.polls} (10000) concurrent long polls ({@code bench.idle.pullTimeout}, 30 s) on
 *     one group with nothing to consume, from a child JVM ({@link IdlePollClient}), over source addresses
 *     {@code bench.idle.sourceIps} (127.0.0.1);  memory of this JVM before and during;
 *     with {@code bench.idle.histogram=true} also the classes whose live objects grew most.</li>
 * <li>filter (not in the default list; also {@code -Dbench.filter=TAG}): a backlog of {@code bench.messages}
 *     tagged half {@code a}, half {@code b}; the proxy's group has the TAG filter {@code a}, the native client pops
 *     with the same tag expression, on the same broker in the same run; each drains the {@code a} half
 *     (concurrent, {@code bench.drainRounds} rounds after a warm-up of {@code bench.warmupMessages}).</li>
 * <li>fanout: a broadcast group on a backlog of {@code bench.fanout.messages} (10000); {@code
 *     bench.fanout.clients} (1,10,100) clientIds draining it concurrently, each at most {@code
 *     bench.fanout.seconds} (20) s.</li>
 * </ol>
 * With {@code bench.drain.command} (e.g. {@code python3 clients/python/bench/drain.py}) the drain phase also runs
 * that command on a fresh group per run, against the same proxy and topic, after the HTTP client: a client library's
 * consumer next to this load generator ({@link #drainExternal}).
 * {@code bench.clientLoops} (1): event loops of the in-process HTTP load generator. JVM options go in
 * {@code MAVEN_OPTS}: exec:java runs in Maven's own JVM, with the broker, the proxy and the load generator.
 * Figures are noisy on a shared machine: compare the ratios of one run.
 */
public final class ConsumeBenchmark {
    private static final int MAX_PER_POP = 32;
    private final boolean latencyExternal = Boolean.getBoolean("bench.latency.external");
    private final int latencyWarmup = Integer.getInteger("bench.latency.warmup", 50);

    private final int messages = Integer.getInteger("bench.messages", 100_000);
    private final int size = Integer.getInteger("bench.size", 1024);
    private final int queues = Integer.getInteger("bench.queues", 8);
    private final int httpClients = Integer.getInteger("bench.httpClients", 16);
    private final int maxPullSize = Integer.getInteger("bench.maxPullSize", 32);
    private final int nativeInFlight = Integer.getInteger("bench.nativeInFlight", 4);
    private final int drainRounds = Math.max(1, Integer.getInteger("bench.drainRounds", 2));
    /** HTTP drains' pullTimeout, s (0: a poll that finds nothing answers at once, as the native pops' pollTime 0). */
    private final int drainPullTimeout = Integer.getInteger("bench.drain.pullTimeout", 0);
    private final int warmupMessages = Integer.getInteger("bench.warmupMessages", 10_000);
    /** A client library's drain, run as a child process: {@link #drainExternal}. Empty: none. */
    private final String drainCommand = System.getProperty("bench.drain.command", "").trim();
    private final boolean orderly = Boolean.parseBoolean(System.getProperty("bench.orderly", "true"));
    private final int latencyClients = Integer.getInteger("bench.latency.clients", 8);
    private final int latencyMessages = Integer.getInteger("bench.latency.messages", 500);
    private final int latencyInterval = Integer.getInteger("bench.latency.intervalMs", 20);
    private final int latencyPullTimeout = Integer.getInteger("bench.latency.pullTimeout", 10);
    /** Native POP long polls measured next to the HTTP clients, on a group of their own: the broker's own floor. */
    private final int latencyNativePollers = Integer.getInteger("bench.latency.nativePollers", 8);
    private final int idlePolls = Integer.getInteger("bench.idle.polls", 10_000);
    private final boolean idleHistogram = Boolean.getBoolean("bench.idle.histogram");
    private final int idlePullTimeout = Integer.getInteger("bench.idle.pullTimeout", 30);
    private final String idleSourceIps = System.getProperty("bench.idle.sourceIps", "127.0.0.1");
    private final int fanoutMessages = Integer.getInteger("bench.fanout.messages", 10_000);
    private final String fanoutClients = System.getProperty("bench.fanout.clients", "1,10,100");
    private final int fanoutSeconds = Integer.getInteger("bench.fanout.seconds", 20);
    private final int clientLoops = Integer.getInteger("bench.clientLoops", 1);
    /** The native pops' tag expression: {@code *}, or the filter phase's. */
    private volatile String nativeExpression = "*";
    private final Set<String> phases = Set.of(System.getProperty("bench.phases", "drain,latency,idle,fanout")
        .split(","));

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "bench-timer");
        t.setDaemon(true);
        return t;
    });

    private TestBroker broker;
    private DefaultMQProducer producer;
    private MQClientAPIImpl api;
    private Vertx clientVertx;
    private HttpClient http;
    private Set<Long> clientThreads;
    private TestProxy proxy;

    public static void main(String[] args) {
        BenchSupport.runAndExit(() -> new ConsumeBenchmark().run());
    }

    private void run() throws Exception {
        long started = System.nanoTime();
        System.out.printf(Locale.ROOT, "consume benchmark: load average at start %s; %d cores; %s %s; JVM args %s; "
                + "max heap %s; ulimit -n (this JVM) %s%n", BenchSupport.loadAverage(),
            Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name"),
            System.getProperty("java.version"), ManagementFactory.getRuntimeMXBean().getInputArguments(),
            BenchSupport.mib(Runtime.getRuntime().maxMemory()), openFilesLimit());
        System.out.println("one JVM holds the embedded broker, the proxy and the load generator (Vert.x HttpClient, "
            + clientLoops + " event loop(s); native RocketMQ client), on the same shared cores; the idle phase's "
            + "10k connections come from a child JVM");

        broker = TestBroker.get();
        producer = BenchSupport.nativeProducer("bench-consume-native", broker.namesrvAddr());
        api = producer.getDefaultMQProducerImpl().getMqClientFactory().getMQClientAPIImpl();

        String drainTopic = broker.newTopic("bench-drain", queues);
        String latencyTopic = broker.newTopic("bench-latency", queues);
        String idleTopic = broker.newTopic("bench-idle", queues);
        String fanoutTopic = broker.newTopic("bench-fanout", queues);
        boolean filterPhase = phases.contains("filter") || "TAG".equals(System.getProperty("bench.filter"));
        String filterTopic = filterPhase ? broker.newTopic("bench-filter", queues) : null;

        TestProxy.Builder builder = TestProxy.builder()
            .set("consume.maxPollsInFlight", Integer.toString(Math.max(10_000, idlePolls * 2)));
        // -Dbench.proxy.<key>=<value>: a proxy setting for this run (e.g. bench.proxy.consume.longPollSliceMillis).
        System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith("bench.proxy."))
            .forEach(k -> builder.set(k.substring("bench.proxy.".length()), System.getProperty(k)));
        for (String run : drainRuns()) {
            builder.consumer("bench-http-pop-" + run, drainTopic, Map.of("pop", true));
            builder.consumer("bench-http-ord-" + run, drainTopic, Map.of("pop", false));
            if (!drainCommand.isEmpty()) {
                builder.consumer("bench-ext-pop-" + run, drainTopic, Map.of("pop", true));
                builder.consumer("bench-ext-ord-" + run, drainTopic, Map.of("pop", false));
            }
        }
        if (filterPhase) {
            for (String run : drainRuns()) {
                builder.consumer("bench-http-flt-" + run, filterTopic, Map.of("pop", true, "filter",
                    Map.of("type", "TAG", "expression", "a")));
            }
        }
        builder.consumer("bench-latency", latencyTopic, Map.of("pop", true));
        builder.consumer("bench-idle", idleTopic, Map.of("pop", true));
        builder.consumer("bench-fanout", fanoutTopic, Map.of("mode", "broadcast"));

        clientVertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(clientLoops));
        clientThreads = BenchSupport.eventLoopThreads(clientVertx);
        try (TestProxy p = builder.start()) {
            proxy = p;
            // A connection for every latency client: with fewer, the rest of the polls would wait in the client's
            // queue, not at the proxy (before 2026-12-02's third pass the pool had 256, so the in-JVM latency phase
            // had at most 256 polls waiting).
            http = BenchSupport.httpClient(clientVertx, p.config().http().consumePort(),
                Math.max(256, latencyClients + 1));
            if (phases.contains("drain")) {
                drain(drainTopic);
            }
            if (phases.contains("latency")) {
                if (latencyExternal) {
                    latencyExternal(latencyTopic);
                } else {
                    latency(latencyTopic);
                }
            }
            if (phases.contains("idle")) {
                idle(idleTopic);
            }
            if (phases.contains("fanout")) {
                fanout(fanoutTopic);
            }
            if (filterPhase) {
                filter(filterTopic);
            }
        } finally {
            producer.shutdown();
        }
        System.out.printf(Locale.ROOT, "load average at end %s; total run %.0f s%n", BenchSupport.loadAverage(),
            (System.nanoTime() - started) / 1e9);
    }

    private List<String> drainRuns() {
        List<String> runs = new ArrayList<>(List.of("w"));
        for (int r = 1; r <= drainRounds; r++) {
            runs.add("r" + r);
        }
        return runs;
    }

    // ---------------------------------------------------------------- 1. drain

    private record Drain(String name, long messages, long retried, long nanos, long requests, long empty, long errors,
                         Histogram latency, BenchSupport.CpuWindow.Used cpu, String firstError) {
        double rate() {
            return messages / (nanos / 1e9);
        }

        void print() {
            System.out.printf(Locale.ROOT, "  [%-15s] %8.0f msg/s  %d msgs in %.2f s (retried %d), %d requests "
                    + "(%d empty), errors %d, request ms p50=%.2f p99=%.2f max=%.2f%n", name, rate(), messages,
                nanos / 1e9, retried, requests, empty, errors, latency.getValueAtPercentile(50) / 1e6,
                latency.getValueAtPercentile(99) / 1e6, latency.getMaxValue() / 1e6);
            System.out.println("      " + cpu.line());
            if (firstError != null) {
                System.out.println("      first error: " + firstError);
            }
        }
    }

    private void drain(String topic) throws Exception {
        System.out.printf(Locale.ROOT, "%n== 1. drain: %d x %d B backlog, %d queues; HTTP %d clients, maxPullSize %d, "
                + "each poll acks the previous batch; native popMessageAsync %d per pop, %d in flight, batch ack; "
                + "HTTP pullTimeout %d / native pollTime 0; fresh group per run%n", messages, size, queues, httpClients,
            maxPullSize, MAX_PER_POP, nativeInFlight, drainPullTimeout);
        long t0 = System.nanoTime();
        produceBacklog(topic, messages);
        System.out.printf(Locale.ROOT, "  backlog produced natively in batches of 32: %.1f s (%.0f msg/s)%n",
            (System.nanoTime() - t0) / 1e9, messages / ((System.nanoTime() - t0) / 1e9));

        List<String> modes = orderly ? List.of("pop", "ord") : List.of("pop");
        System.out.printf(Locale.ROOT, "  warm-up (not measured): %d messages per path%n", warmupMessages);
        for (String mode : modes) {
            drainNative(topic, "bench-native-" + mode + "-w", mode.equals("ord"), warmupMessages, "warm-up");
            drainHttp(topic, "bench-http-" + mode + "-w", mode.equals("ord"), warmupMessages, "warm-up");
            if (!drainCommand.isEmpty()) {
                drainExternal(topic, "bench-ext-" + mode + "-w", mode.equals("ord"), warmupMessages, "warm-up");
            }
        }
        Map<String, List<Drain>> results = new LinkedHashMap<>();
        for (int r = 1; r <= drainRounds; r++) {
            System.out.printf(Locale.ROOT, "  round %d (load average %s)%n", r, BenchSupport.loadAverage());
            for (String mode : modes) {
                boolean ord = mode.equals("ord");
                String label = ord ? "orderly" : "concurrent";
                Drain n = drainNative(topic, "bench-native-" + mode + "-r" + r, ord, messages, "native " + label);
                n.print();
                results.computeIfAbsent("native " + label, k -> new ArrayList<>()).add(n);
                Drain h = drainHttp(topic, "bench-http-" + mode + "-r" + r, ord, messages, "HTTP " + label);
                h.print();
                results.computeIfAbsent("HTTP " + label, k -> new ArrayList<>()).add(h);
                if (!drainCommand.isEmpty()) {
                    Drain e = drainExternal(topic, "bench-ext-" + mode + "-r" + r, ord, messages, "ext " + label);
                    e.print();
                    results.computeIfAbsent("ext " + label, k -> new ArrayList<>()).add(e);
                }
            }
        }
        System.out.println("  summary (messages / time over all rounds):");
        Map<String, Double> rates = new LinkedHashMap<>();
        results.forEach((name, list) -> {
            long msgs = list.stream().mapToLong(Drain::messages).sum();
            long nanos = list.stream().mapToLong(Drain::nanos).sum();
            double rate = msgs / (nanos / 1e9);
            rates.put(name, rate);
            System.out.printf(Locale.ROOT, "  [%-15s] %8.0f msg/s  (rounds: %s)%n", name, rate,
                list.stream().map(d -> String.format(Locale.ROOT, "%.0f", d.rate())).toList());
        });
        System.out.printf(Locale.ROOT, "ratio http/native: drain=%.2f%s%n",
            rates.get("HTTP concurrent") / rates.get("native concurrent"),
            orderly ? String.format(Locale.ROOT, " drain-orderly=%.2f",
                rates.get("HTTP orderly") / rates.get("native orderly")) : "");
        if (!drainCommand.isEmpty()) {
            System.out.printf(Locale.ROOT, "ratio external/http (%s): drain=%.2f%s%n", drainCommand,
                rates.get("ext concurrent") / rates.get("HTTP concurrent"),
                orderly ? String.format(Locale.ROOT, " drain-orderly=%.2f",
                    rates.get("ext orderly") / rates.get("HTTP orderly")) : "");
        }
    }

    /**
     * {@code bench.drain.command} with the arguments {@code url topic group messages clients maxPullSize pop
     * pullTimeout} (this drain's {@code bench.httpClients}, {@code bench.maxPullSize} and
     * {@code bench.drain.pullTimeout}), in a child process; its result line is {@code result <messages> <seconds to the
     * target> <polls> <errors> <cpu seconds of the child>}. The child's CPU is printed apart: not in this JVM's.
     */
    private Drain drainExternal(String topic, String group, boolean ord, long target, String name) throws Exception {
        List<String> command = new ArrayList<>(List.of(drainCommand.split("\\s+")));
        command.addAll(List.of("http://127.0.0.1:" + proxy.config().http().consumePort(), topic, group,
            Long.toString(target), Integer.toString(httpClients), Integer.toString(maxPullSize), Boolean.toString(!ord),
            Integer.toString(drainPullTimeout)));
        BenchSupport.CpuWindow cpu = new BenchSupport.CpuWindow();
        Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        // Read on a thread, so that the 10-minute bound holds even for a child that never ends its output; its
        // other lines (its errors) are printed. A child still running 10 s after its result is ended: the result
        // stands (a pending timer kept the first TypeScript adapter alive for 10 minutes after its result).
        String last;
        try {
            last = expect(linesOf(child, "drain-child"), "result ", TimeUnit.MINUTES.toSeconds(10));
        } catch (IllegalStateException e) {
            child.destroyForcibly();
            throw new IllegalStateException(name + ": " + command + " ended without a result line");
        }
        if (!child.waitFor(10, TimeUnit.SECONDS)) {
            System.out.println("      [" + name + "] the child was still running 10 s after its result: ended");
            child.destroyForcibly();
        }
        String[] f = last.split(" ");
        System.out.printf(Locale.ROOT, "      [%s] child process cpu %.2f s%n", name, Double.parseDouble(f[5]));
        return new Drain(name, Long.parseLong(f[1]), 0, (long) (Double.parseDouble(f[2]) * 1e9), Long.parseLong(f[3]),
            0, Long.parseLong(f[4]), new Histogram(3), cpu.end(Set.of()), null);
    }

    /**
     * The drain under a TAG filter: half the backlog tagged {@code a}, which the proxy's group (filter {@code a})
     * and the native client (pops with expression {@code a}) each drain; the broker skips the other half for both.
     */
    private void filter(String topic) throws Exception {
        System.out.printf(Locale.ROOT, "%n== filter: %d x %d B backlog tagged half a, half b, %d queues; proxy group "
                + "with TAG filter a, native pops with expression a; HTTP %d clients, maxPullSize %d; each drains the "
                + "%d tagged a%n", messages, size, queues, httpClients, maxPullSize, messages / 2);
        long t0 = System.nanoTime();
        produceBacklog(topic, messages, i -> i % 2 == 0 ? "a" : "b");
        System.out.printf(Locale.ROOT, "  backlog produced natively in batches of 32: %.1f s%n",
            (System.nanoTime() - t0) / 1e9);
        int target = messages / 2;
        nativeExpression = "a";
        try {
            drainNative(topic, "bench-native-flt-w", false, Math.min(warmupMessages, target), "warm-up");
            drainHttp(topic, "bench-http-flt-w", false, Math.min(warmupMessages, target), "warm-up");
            List<Drain> nat = new ArrayList<>();
            List<Drain> web = new ArrayList<>();
            for (int r = 1; r <= drainRounds; r++) {
                Drain n = drainNative(topic, "bench-native-flt-r" + r, false, target, "native filtered");
                n.print();
                nat.add(n);
                Drain h = drainHttp(topic, "bench-http-flt-r" + r, false, target, "HTTP filtered");
                h.print();
                web.add(h);
            }
            double nativeRate = nat.stream().mapToLong(Drain::messages).sum()
                / (nat.stream().mapToLong(Drain::nanos).sum() / 1e9);
            double httpRate = web.stream().mapToLong(Drain::messages).sum()
                / (web.stream().mapToLong(Drain::nanos).sum() / 1e9);
            System.out.printf(Locale.ROOT, "  [%-15s] %8.0f msg/s%n  [%-15s] %8.0f msg/s%n", "native filtered",
                nativeRate, "HTTP filtered", httpRate);
            System.out.printf(Locale.ROOT, "ratio http/native: drain-filtered=%.2f%n", httpRate / nativeRate);
        } finally {
            nativeExpression = "*";
        }
    }

    /** Native batches of 32, a few in flight; returns once the consume queues hold them all. */
    private void produceBacklog(String topic, int count) throws Exception {
        produceBacklog(topic, count, i -> null);
    }

    /** The same, message i tagged {@code tags.apply(i)} (null: no tag). */
    private void produceBacklog(String topic, int count, java.util.function.IntFunction<String> tags)
        throws Exception {
        byte[] body = BenchSupport.body(size);
        long before = storedMessages(topic);
        Semaphore inFlight = new Semaphore(8);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int sent = 0; sent < count; sent += MAX_PER_POP) {
            List<Message> batch = new ArrayList<>();
            for (int i = 0; i < Math.min(MAX_PER_POP, count - sent); i++) {
                String tag = tags.apply(sent + i);
                batch.add(tag == null ? new Message(topic, body) : new Message(topic, tag, body));
            }
            inFlight.acquire();
            producer.send(batch, new SendCallback() {
                @Override
                public void onSuccess(SendResult sendResult) {
                    inFlight.release();
                }

                @Override
                public void onException(Throwable e) {
                    failure.compareAndSet(null, e);
                    inFlight.release();
                }
            }, 30_000);
        }
        inFlight.acquire(8);
        if (failure.get() != null) {
            throw new IllegalStateException("backlog not produced", failure.get());
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (storedMessages(topic) - before < count && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
    }

    private long storedMessages(String topic) throws Exception {
        long sum = 0;
        for (Map.Entry<MessageQueue, TopicOffset> e : broker.admin().examineTopicStats(topic).getOffsetTable()
            .entrySet()) {
            sum += e.getValue().getMaxOffset();
        }
        return sum;
    }

    /**
     * A native pop, answered to {@code answered}. A pop that fails is counted in {@code errors} and its
     * {@code lane} runs again 100 ms later.
     */
    private void popAsync(PopMessageRequestHeader h, String brokerName, String addr, long timeoutMillis,
                          Consumer<PopResult> answered, Runnable lane, LongAdder errors,
                          AtomicReference<String> firstError) {
        PopCallback callback = new PopCallback() {
            @Override
            public void onSuccess(PopResult r) {
                answered.accept(r);
            }

            @Override
            public void onException(Throwable e) {
                errors.increment();
                firstError.compareAndSet(null, "pop: " + e);
                timer.schedule(lane, 100, TimeUnit.MILLISECONDS);
            }
        };
        try {
            api.popMessageAsync(brokerName, addr, h, timeoutMillis, callback);
        } catch (Exception e) {
            callback.onException(e);
        }
    }

    /** Acks a popped batch by its handles; a failure to send reaches {@code done} like any other. */
    private void ackAsync(String addr, String topic, String group, List<String> handles, AckCallback done) {
        try {
            api.batchAckMessageAsync(addr, 10_000, done, topic, group, handles);
        } catch (Exception e) {
            done.onException(e);
        }
    }

    /**
     * A native pop of up to 32 from any queue of {@code topic}, reserved for 300 s; {@code pollMillis} 0 answers at
     * once, more waits at the broker (which times the wait from the header's born time).
     */
    private static PopMessageRequestHeader popHeader(String group, String topic, long pollMillis, boolean order) {
        PopMessageRequestHeader h = new PopMessageRequestHeader();
        h.setConsumerGroup(group);
        h.setTopic(topic);
        h.setQueueId(-1);
        h.setMaxMsgNums(MAX_PER_POP);
        h.setInvisibleTime(300_000L);
        h.setPollTime(pollMillis);
        h.setBornTime(pollMillis > 0 ? System.currentTimeMillis() : 0L);
        h.setInitMode(ConsumeInitMode.MIN);
        h.setExpType("TAG");
        h.setExp("*");
        h.setOrder(order);
        return h;
    }

    /** {@code lanes} pops in flight until {@code target} messages came; each batch acked at once. */
    private Drain drainNative(String topic, String group, boolean ord, long target, String name) throws Exception {
        BrokerData brokerData = broker.admin().examineTopicRouteInfo(topic).getBrokerDatas().get(0);
        String brokerName = brokerData.getBrokerName();
        String addr = brokerData.selectBrokerAddr();
        AtomicLong delivered = new AtomicLong();
        LongAdder retried = new LongAdder();
        LongAdder requests = new LongAdder();
        LongAdder empty = new LongAdder();
        LongAdder errors = new LongAdder();
        AtomicReference<String> firstError = new AtomicReference<>();
        AtomicInteger busy = new AtomicInteger(nativeInFlight);
        AtomicInteger acksPending = new AtomicInteger();
        CompletableFuture<Void> done = new CompletableFuture<>();
        Recorder latency = new Recorder(TimeUnit.MINUTES.toNanos(1), 3);
        Runnable maybeDone = () -> {
            if (busy.get() == 0 && acksPending.get() == 0) {
                done.complete(null);
            }
        };
        AckCallback ackDone = new AckCallback() {
            @Override
            public void onSuccess(AckResult r) {
                acksPending.decrementAndGet();
                maybeDone.run();
            }

            @Override
            public void onException(Throwable e) {
                errors.increment();
                firstError.compareAndSet(null, "ack: " + e);
                acksPending.decrementAndGet();
                maybeDone.run();
            }
        };
        Runnable[] lane = new Runnable[1];
        lane[0] = () -> {
            if (delivered.get() >= target) {
                busy.decrementAndGet();
                maybeDone.run();
                return;
            }
            long sent = System.nanoTime();
            requests.increment();
            PopMessageRequestHeader header = popHeader(group, topic, 0, ord);
            header.setExp(nativeExpression);
            popAsync(header, brokerName, addr, 10_000, r -> {
                latency.recordValue(System.nanoTime() - sent);
                if (r.getPopStatus() == PopStatus.FOUND && !r.getMsgFoundList().isEmpty()) {
                    List<String> handles = new ArrayList<>(r.getMsgFoundList().size());
                    for (MessageExt m : r.getMsgFoundList()) {
                        handles.add(m.getProperty(MessageConst.PROPERTY_POP_CK));
                        if (m.getReconsumeTimes() > 0) {
                            retried.increment();
                        }
                    }
                    delivered.addAndGet(handles.size());
                    acksPending.incrementAndGet();
                    ackAsync(addr, topic, group, handles, ackDone);
                } else {
                    empty.increment();
                }
                lane[0].run();
            }, lane[0], errors, firstError);
        };
        BenchSupport.CpuWindow cpu = new BenchSupport.CpuWindow();
        long t0 = System.nanoTime();
        for (int i = 0; i < nativeInFlight; i++) {
            lane[0].run();
        }
        done.get(10, TimeUnit.MINUTES);
        long nanos = System.nanoTime() - t0;
        // The native client's callbacks run on its own threads, which also do its work: not counted as generator.
        return new Drain(name, delivered.get(), retried.sum(), nanos, requests.sum(), empty.sum(), errors.sum(),
            latency.getIntervalHistogram(), cpu.end(Set.of()), firstError.get());
    }

    /** {@code httpClients} clients polling until {@code target} messages came; each acks its last batch at the end. */
    private Drain drainHttp(String topic, String group, boolean ord, long target, String name) throws Exception {
        AtomicLong delivered = new AtomicLong();
        LongAdder retried = new LongAdder();
        LongAdder requests = new LongAdder();
        LongAdder empty = new LongAdder();
        LongAdder errors = new LongAdder();
        AtomicReference<String> firstError = new AtomicReference<>();
        AtomicLong reachedAt = new AtomicLong();
        Recorder latency = new Recorder(TimeUnit.MINUTES.toNanos(1), 3);
        List<CompletableFuture<Void>> clients = new ArrayList<>();
        BenchSupport.CpuWindow cpu = new BenchSupport.CpuWindow();
        long t0 = System.nanoTime();
        for (int i = 0; i < httpClients; i++) {
            Poller poller = new Poller(topic, group, "&pop=" + !ord + "&maxPullSize=" + maxPullSize
                + (drainPullTimeout > 0 ? "&pullTimeout=" + drainPullTimeout : ""));
            CompletableFuture<Void> finished = new CompletableFuture<>();
            clients.add(finished);
            Runnable[] step = new Runnable[1];
            step[0] = () -> {
                if (delivered.get() >= target) {
                    poller.finish().onComplete(ar -> finished.complete(null));
                    return;
                }
                long sent = System.nanoTime();
                requests.increment();
                poller.poll(null).onComplete(ar -> {
                    if (ar.failed() || ar.result().status() != 200) {
                        errors.increment();
                        firstError.compareAndSet(null, ar.failed() ? ar.cause().toString() : ar.result().toString());
                        timer.schedule(() -> clientVertx.runOnContext(v -> step[0].run()), 100, TimeUnit.MILLISECONDS);
                        return;
                    }
                    latency.recordValue(System.nanoTime() - sent);
                    Reply r = ar.result();
                    if (r.fresh() + r.retried() == 0) {
                        empty.increment();
                    }
                    retried.add(r.retried());
                    long total = delivered.addAndGet(r.fresh() + r.retried());
                    if (total >= target && total - (r.fresh() + r.retried()) < target) {
                        reachedAt.set(System.nanoTime());
                    }
                    step[0].run();
                });
            };
            step[0].run();
        }
        CompletableFuture.allOf(clients.toArray(CompletableFuture[]::new)).get(10, TimeUnit.MINUTES);
        // Until the target was delivered: the other clients' last polls may wait out a pullTimeout after it.
        long nanos = (reachedAt.get() > 0 ? reachedAt.get() : System.nanoTime()) - t0;
        return new Drain(name, delivered.get(), retried.sum(), nanos, requests.sum(), empty.sum(), errors.sum(),
            latency.getIntervalHistogram(), cpu.end(clientThreads), firstError.get());
    }

    // ---------------------------------------------------------------- HTTP consumer

    /** What the load generator reads from a poll's answer (streamed, the message objects skipped). */
    private record Reply(int status, String result, String requestId, int fresh, int retried) {
    }

    /** One consuming client: polls, passing the previous requestId, which acks the previous batch. */
    private final class Poller {
        private final String query;
        private String requestId = "";

        Poller(String topic, String group, String extra) {
            this.query = "topic=" + topic + "&consumer=" + group + extra;
        }

        Future<Reply> poll(Consumer<String> bodies) {
            return call("/mq/message", bodies, 30_000);
        }

        Future<Reply> poll(Consumer<String> bodies, long timeoutMillis) {
            return call("/mq/message", bodies, timeoutMillis);
        }

        /** Acks the last batch, if any (the client stops). */
        Future<Reply> finish() {
            if (requestId.isEmpty()) {
                return Future.succeededFuture();
            }
            return call("/mq/ack", null, 30_000);
        }

        private Future<Reply> call(String path, Consumer<String> bodies, long timeoutMillis) {
            RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET)
                .setURI(path + "?" + query + "&requestId=" + requestId).setTimeout(timeoutMillis);
            return http.request(options).compose(req -> req.send())
                .compose(resp -> resp.statusCode() == 200 ? resp.body()
                    : Future.failedFuture("HTTP " + resp.statusCode()))
                .map(b -> {
                    Reply r = parse(b, bodies);
                    if (r.status() == 200 && path.equals("/mq/message")) {
                        requestId = r.requestId() == null ? "" : r.requestId();
                    } else if (r.status() == 200) {
                        requestId = "";
                    }
                    return r;
                });
        }
    }

    private static Reply parse(Buffer b, Consumer<String> bodies) {
        try (JsonParser p = BenchSupport.JSON.getFactory().createParser(b.getBytes())) {
            int status = -1;
            String result = null;
            String requestId = null;
            int fresh = 0;
            int retried = 0;
            p.nextToken();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                if (field.equals("status")) {
                    status = p.getIntValue();
                } else if (field.equals("result") && t == JsonToken.START_OBJECT) {
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String f = p.currentName();
                        JsonToken v = p.nextToken();
                        switch (f) {
                            case "status" -> result = p.getText();
                            case "requestId" -> requestId = p.getText();
                            case "msgListSize" -> fresh = p.getIntValue();
                            case "retryMsgListSize" -> retried = p.getIntValue();
                            default -> {
                                if (bodies != null && v == JsonToken.START_ARRAY
                                    && (f.equals("msgList") || f.equals("retryMsgList"))) {
                                    while (p.nextToken() == JsonToken.START_OBJECT) {
                                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                                            String mf = p.currentName();
                                            p.nextToken();
                                            if (mf.equals("message")) {
                                                bodies.accept(p.getText());
                                            } else {
                                                p.skipChildren();
                                            }
                                        }
                                    }
                                } else {
                                    p.skipChildren();
                                }
                            }
                        }
                    }
                } else {
                    p.skipChildren();
                }
            }
            return new Reply(status, result, requestId, fresh, retried);
        } catch (IOException e) {
            return new Reply(-1, "unparsable: " + e.getMessage(), null, 0, 0);
        }
    }

    // ---------------------------------------------------------------- 2. latency

    /** One native send every {@code latencyInterval} ms, bodies {@code "index sendNanos"}. */
    private void sendTimed(String topic, int count) throws Exception {
        // "sent at" times in the slowest lists count from here; the JVM's uptime lines them up with a GC log.
        System.out.printf(Locale.ROOT, "  first send at JVM uptime %.3f s%n",
            java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime() / 1e3);
        long t0 = System.nanoTime();
        long intervalNanos = TimeUnit.MILLISECONDS.toNanos(latencyInterval);
        for (int i = 0; i < count; i++) {
            long due = t0 + i * intervalNanos;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            Message m = new Message(topic, (i + " " + System.nanoTime()).getBytes(StandardCharsets.US_ASCII));
            producer.send(m, 10_000);
        }
    }

    /**
     * The latency phase with the clients in a child JVM ({@link LatencyPollClient}): this JVM holds the broker,
     * the proxy and the sender only.
     */
    private void latencyExternal(String topic) throws Exception {
        System.out.printf(Locale.ROOT, "%n== 2b. produce-to-delivery latency, clients in a child JVM: %d clients "
                + "long-polling (pullTimeout %d s); one native send every %d ms; %d measured after %d unmeasured%n",
            latencyClients, latencyPullTimeout, latencyInterval, latencyMessages, latencyWarmup);
        Child child = Child.start("latency", List.of("-Xmx1g"), LatencyPollClient.class,
            Integer.toString(proxy.config().http().consumePort()), Integer.toString(latencyClients),
            Integer.toString(latencyPullTimeout), topic, "bench-latency", Integer.toString(latencyWarmup),
            Integer.toString(latencyMessages), Integer.toString(latencyInterval));
        try {
            long childClock = Long.parseLong(child.expect("clock ", 60).substring("clock ".length()));
            // The pipe and the child's start make this a few ms at most when both read one monotonic clock.
            System.out.printf(Locale.ROOT, "  clocks: this JVM's nanoTime minus the child's, read across the pipe: "
                + "%.1f ms%n", (System.nanoTime() - childClock) / 1e6);
            child.expect("ready", 60);
            NativeLatency nativeLatency = new NativeLatency(topic);
            Thread.sleep(1_000); // every client is waiting
            sendTimed(topic, latencyWarmup + latencyMessages);
            String result;
            try {
                result = child.expect("result ", 15);
            } catch (IllegalStateException late) {
                child.tell("stop");
                result = child.expect("result ", 30);
            }
            System.out.println("  " + result.substring("result ".length()));
            System.out.println("  " + child.expect("slowest", 10));
            nativeLatency.report();
        } finally {
            child.process().destroy();
            child.process().waitFor(30, TimeUnit.SECONDS);
        }
    }

    private void latency(String topic) throws Exception {
        System.out.printf(Locale.ROOT, "%n== 2. produce-to-delivery latency: %d clients long-polling (pullTimeout %d s,"
                + " concurrent group) an empty topic; one native send every %d ms; %d measured after %d unmeasured; "
                + "consume.longPollSliceMillis %d%n", latencyClients, latencyPullTimeout, latencyInterval,
            latencyMessages, latencyWarmup, proxy.config().consume().longPollSliceMillis());
        LatencyTally tally = new LatencyTally(latencyWarmup, latencyMessages, latencyInterval);
        LongAdder errors = new LongAdder();
        LongAdder polls = new LongAdder();
        AtomicReference<String> firstError = new AtomicReference<>();
        // Bodies "index sendNanos": the sender and the clients share this JVM's nanoTime clock.
        Consumer<String> onMessage = text -> tally.record(text, System.nanoTime());
        AtomicInteger running = new AtomicInteger(1);
        List<CompletableFuture<Void>> clients = new ArrayList<>();
        for (int i = 0; i < latencyClients; i++) {
            Poller poller = new Poller(topic, "bench-latency", "&pop=true&pullTimeout=" + latencyPullTimeout);
            CompletableFuture<Void> finished = new CompletableFuture<>();
            clients.add(finished);
            Runnable[] step = new Runnable[1];
            step[0] = () -> {
                if (running.get() == 0) {
                    poller.finish().onComplete(ar -> finished.complete(null));
                    return;
                }
                polls.increment();
                poller.poll(onMessage, (latencyPullTimeout + 30) * 1000L).onComplete(ar -> {
                    if (ar.failed() || ar.result().status() != 200) {
                        errors.increment();
                        firstError.compareAndSet(null, ar.failed() ? ar.cause().toString() : ar.result().toString());
                        timer.schedule(() -> clientVertx.runOnContext(v -> step[0].run()), 100, TimeUnit.MILLISECONDS);
                        return;
                    }
                    step[0].run();
                });
            };
            clientVertx.runOnContext(v -> step[0].run());
        }
        NativeLatency nativeLatency = new NativeLatency(topic);
        Thread.sleep(1_000); // every client is waiting
        sendTimed(topic, latencyWarmup + latencyMessages);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (tally.received() < latencyMessages && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        running.set(0);
        System.out.printf(Locale.ROOT, "  received %d of %d measured (plus %d unmeasured), %d polls, errors %d, "
                + "duplicates %d%n", tally.received(), latencyMessages, latencyWarmup, polls.sum(), errors.sum(),
            tally.duplicates());
        System.out.println("  " + tally.percentiles());
        System.out.println("  " + tally.slowest() + " clients began polling at -1000 ms, pullTimeout "
            + latencyPullTimeout + " s");
        if (firstError.get() != null) {
            System.out.println("  first error: " + firstError.get());
        }
        nativeLatency.report();
        // Clients still waiting end with their pullTimeout.
        CompletableFuture.allOf(clients.toArray(CompletableFuture[]::new))
            .get(latencyPullTimeout + 40L, TimeUnit.SECONDS);
    }

    /**
     * The same sends received by native POP long polls ({@code popMessageAsync}, pollTime one long-poll slice, as
     * the proxy's own), {@code bench.latency.nativePollers} of them on a group of their own, each batch acked: what
     * the broker delivers without HTTP, in the same run.
     */
    private final class NativeLatency {
        private final LatencyTally tally = new LatencyTally(latencyWarmup, latencyMessages, latencyInterval);
        private final AtomicInteger running = new AtomicInteger(1);
        private final LongAdder errors = new LongAdder();
        private final AtomicReference<String> firstError = new AtomicReference<>();

        NativeLatency(String topic) throws Exception {
            BrokerData brokerData = broker.admin().examineTopicRouteInfo(topic).getBrokerDatas().get(0);
            String brokerName = brokerData.getBrokerName();
            String addr = brokerData.selectBrokerAddr();
            String group = "bench-latency-native";
            AckCallback ignore = new AckCallback() {
                @Override
                public void onSuccess(AckResult r) {
                }

                @Override
                public void onException(Throwable e) {
                    errors.increment();
                    firstError.compareAndSet(null, "ack: " + e);
                }
            };
            for (int i = 0; i < latencyNativePollers; i++) {
                Runnable[] lane = new Runnable[1];
                lane[0] = () -> {
                    if (running.get() == 0) {
                        return;
                    }
                    long pollMillis = proxy.config().consume().longPollSliceMillis();
                    popAsync(popHeader(group, topic, pollMillis, false), brokerName, addr, pollMillis + 10_000L, r -> {
                        long now = System.nanoTime();
                        if (r.getPopStatus() == PopStatus.FOUND && !r.getMsgFoundList().isEmpty()) {
                            List<String> handles = new ArrayList<>(r.getMsgFoundList().size());
                            for (MessageExt m : r.getMsgFoundList()) {
                                tally.record(new String(m.getBody(), StandardCharsets.US_ASCII), now);
                                handles.add(m.getProperty(MessageConst.PROPERTY_POP_CK));
                            }
                            ackAsync(addr, topic, group, handles, ignore);
                        }
                        lane[0].run();
                    }, lane[0], errors, firstError);
                };
                lane[0].run();
            }
        }

        /** Prints the native figures and stops the pollers (each ends with its current pop). */
        void report() throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (tally.received() < latencyMessages && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            running.set(0);
            System.out.printf(Locale.ROOT, "  native, %d POP long polls (pollTime %d ms) on a group of their own, same "
                    + "sends: received %d of %d measured, errors %d, duplicates %d%n", latencyNativePollers,
                proxy.config().consume().longPollSliceMillis(), tally.received(), latencyMessages, errors.sum(),
                tally.duplicates());
            System.out.println("  native " + tally.percentiles());
            System.out.println("  native " + tally.slowest());
            if (firstError.get() != null) {
                System.out.println("  native first error: " + firstError.get());
            }
        }
    }

    // ---------------------------------------------------------------- 3. idle long polls

    private void idle(String topic) throws Exception {
        System.out.printf(Locale.ROOT, "%n== 3. idle long polls: %d concurrent polls (pullTimeout %d s) on one "
                + "concurrent group, nothing to consume; consume.maxPollsInFlight %d, maxBrokerWaitsPerGroup %d%n",
            idlePolls, idlePullTimeout, proxy.config().consume().maxPollsInFlight(),
            proxy.config().consume().maxBrokerWaitsPerGroup());
        System.out.printf(Locale.ROOT, "  limits: ulimit -n %s per process (both ends of 10k local connections in "
                + "one JVM need 20k descriptors, so the clients run in a child JVM); ephemeral ports %s; "
                + "somaxconn %s; source addresses %s%n", openFilesLimit(),
            readQuietly("/proc/sys/net/ipv4/ip_local_port_range").replaceAll("\\s+", "-"),
            readQuietly("/proc/sys/net/core/somaxconn"), idleSourceIps);
        Memory before = Memory.now();
        Map<String, long[]> histogramBefore = idleHistogram ? BenchSupport.classHistogram() : null;
        Child child = Child.start("idle", List.of("-Xmx1g", "-XX:+UseParallelGC"), IdlePollClient.class,
            Integer.toString(proxy.config().http().consumePort()), Integer.toString(idlePolls),
            Integer.toString(idlePullTimeout), topic, "bench-idle", idleSourceIps, "500");

        String childBaseline = child.expect("memory baseline", 60);
        long t0 = System.nanoTime();
        String sent = child.expect("sent ", 60);
        // All written by the client; wait until the proxy holds them all.
        long peakInFlight = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline) {
            peakInFlight = Math.max(peakInFlight, pollsInFlight());
            if (peakInFlight >= idlePolls) {
                break;
            }
            Thread.sleep(100);
        }
        double rampSeconds = (System.nanoTime() - t0) / 1e9;
        Memory during = Memory.now();
        String growth = idleHistogram
            ? BenchSupport.histogramGrowth(histogramBefore, BenchSupport.classHistogram(),
                Integer.getInteger("bench.idle.histogram.top", 40), idlePolls) : null;
        child.tell("measure");
        String childDuring = child.expect("memory during", 60);
        long inFlightAfter = pollsInFlight();
        String done = child.expect("done ", idlePullTimeout + 150);
        child.process().waitFor(30, TimeUnit.SECONDS);
        // The server closes its ends as it reads the client's FINs: give it a moment before counting.
        long settle = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (BenchSupport.openFds() > before.fds + 100 && System.nanoTime() < settle) {
            Thread.sleep(100);
        }
        Memory after = Memory.now();
        String remained = idleHistogram
            ? BenchSupport.histogramGrowth(histogramBefore, BenchSupport.classHistogram(), 10, idlePolls) : null;

        System.out.printf(Locale.ROOT, "  child: %s; all in flight at the proxy %.1f s after start (polls in flight "
                + "seen: %d, still %d after measuring)%n", sent, rampSeconds, peakInFlight, inFlightAfter);
        System.out.println("  this JVM (broker + proxy + in-process load generator, idle): " + before);
        System.out.println("  this JVM with the polls in flight:                           " + during);
        System.out.println("  this JVM after they were answered:                           " + after);
        System.out.printf(Locale.ROOT, "  added by %d waiting polls (this JVM: proxy + broker side): heap after GC "
                + "%s (%.1f KiB per poll), RSS %s (%.1f KiB per poll), fds %+d, threads %+d%n", idlePolls,
            BenchSupport.mib(during.heap - before.heap), (during.heap - before.heap) / 1024.0 / idlePolls,
            BenchSupport.mib(during.rss - before.rss), (during.rss - before.rss) / 1024.0 / idlePolls,
            during.fds - before.fds, during.threads - before.threads);
        System.out.println("  load generator (child JVM, not in the figures above): " + childBaseline.substring(7)
            + " -> " + childDuring.substring(7));
        System.out.println("  client outcome: " + done);
        if (growth != null) {
            System.out.println("  live objects added with the polls in flight (largest by bytes):");
            System.out.print(growth);
            System.out.println("  live objects left after they were answered, against before (largest 10):");
            System.out.print(remained);
        }
    }

    private record Memory(long heap, long rss, int fds, int threads) {
        static Memory now() {
            return new Memory(BenchSupport.heapUsedAfterGc(), BenchSupport.rss(), BenchSupport.openFds(),
                BenchSupport.threadCount());
        }

        @Override
        public String toString() {
            return "heap after GC " + BenchSupport.mib(heap) + ", RSS " + BenchSupport.mib(rss) + ", fds " + fds
                + ", threads " + threads;
        }
    }

    /** A load generator in a JVM of its own; its output lines are queued for {@link #expect}. */
    private record Child(Process process, BlockingQueue<String> lines, PrintWriter input) {
        static Child start(String name, List<String> jvmOptions, Class<?> main, String... args) throws IOException {
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(jvmOptions);
            command.addAll(List.of("-cp", classpath(), main.getName()));
            command.addAll(List.of(args));
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            return new Child(process, linesOf(process, name),
                new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8));
        }

        /** The first line starting with {@code prefix} within {@code seconds}; lines before it are printed. */
        String expect(String prefix, long seconds) throws Exception {
            return ConsumeBenchmark.expect(lines, prefix, seconds);
        }

        void tell(String line) {
            input.println(line);
        }
    }

    /** The lines {@code process} writes, read on a daemon thread, then {@code <eof>}. */
    private static BlockingQueue<String> linesOf(Process process, String name) {
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // child gone
            }
            lines.add("<eof>");
        }, "bench-" + name + "-reader");
        reader.setDaemon(true);
        reader.start();
        return lines;
    }

    private static String expect(BlockingQueue<String> lines, String prefix, long seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            String line = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null || line.equals("<eof>")) {
                throw new IllegalStateException("idle client: no '" + prefix + "' line");
            }
            if (line.startsWith(prefix)) {
                return line;
            }
            System.out.println("  child: " + line);
        }
    }

    /** Polls the proxy holds right now: its admission semaphore, read by reflection (a benchmark's peek). */
    private long pollsInFlight() {
        try {
            java.lang.reflect.Field consume = proxy.app().getClass().getDeclaredField("consume");
            consume.setAccessible(true);
            Object service = consume.get(proxy.app());
            java.lang.reflect.Field polls = service.getClass().getDeclaredField("polls");
            polls.setAccessible(true);
            return proxy.config().consume().maxPollsInFlight() - ((Semaphore) polls.get(service)).availablePermits();
        } catch (ReflectiveOperationException e) {
            return -1;
        }
    }

    private static String classpath() {
        return BenchSupport.classpath();
    }

    private static String openFilesLimit() {
        try {
            for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    String[] f = line.substring("Max open files".length()).trim().split("\\s+");
                    return f[0] + " (hard " + f[1] + ")";
                }
            }
        } catch (IOException ignored) {
            // not Linux
        }
        return "?";
    }

    private static String readQuietly(String file) {
        try {
            // /proc/sys files report size 0: read them by lines
            return String.join(" ", java.nio.file.Files.readAllLines(Path.of(file))).trim();
        } catch (IOException e) {
            return "?";
        }
    }

    // ---------------------------------------------------------------- 4. fan-out

    private void fanout(String topic) throws Exception {
        System.out.printf(Locale.ROOT, "%n== 4. fan-out: broadcast group (queue-held, the default mode), backlog %d x %d"
                + " B; N clientIds drain it concurrently, one connection each, maxPullSize %d, each at most %d s%n",
            fanoutMessages, size, maxPullSize, fanoutSeconds);
        produceBacklog(topic, fanoutMessages);
        String[] counts = fanoutClients.split(",");
        for (String c : counts) {
            int n = Integer.parseInt(c.trim());
            AtomicLong delivered = new AtomicLong();
            LongAdder errors = new LongAdder();
            AtomicInteger complete = new AtomicInteger();
            AtomicReference<String> firstError = new AtomicReference<>();
            Recorder firstReply = new Recorder(TimeUnit.MINUTES.toNanos(1), 3);
            long stopAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(fanoutSeconds);
            List<CompletableFuture<Void>> clients = new ArrayList<>();
            AtomicLong peakRss = new AtomicLong(BenchSupport.rss());
            AtomicLong peakHeap = new AtomicLong(BenchSupport.heapUsed());
            var sampler = timer.scheduleAtFixedRate(() -> {
                peakRss.accumulateAndGet(BenchSupport.rss(), Math::max);
                peakHeap.accumulateAndGet(BenchSupport.heapUsed(), Math::max);
            }, 250, 250, TimeUnit.MILLISECONDS);
            BenchSupport.CpuWindow cpu = new BenchSupport.CpuWindow();
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                Poller poller = new Poller(topic, "bench-fanout", "&maxPullSize=" + maxPullSize + "&clientId=fan"
                    + n + "-client-" + i);
                long[] got = new long[1];
                boolean[] first = {true};
                CompletableFuture<Void> finished = new CompletableFuture<>();
                clients.add(finished);
                Runnable[] step = new Runnable[1];
                step[0] = () -> {
                    if (got[0] >= fanoutMessages || System.nanoTime() > stopAt) {
                        if (got[0] >= fanoutMessages) {
                            complete.incrementAndGet();
                        }
                        poller.finish().onComplete(ar -> finished.complete(null));
                        return;
                    }
                    poller.poll(null).onComplete(ar -> {
                        if (first[0]) {
                            first[0] = false;
                            firstReply.recordValue(System.nanoTime() - t0);
                        }
                        if (ar.failed() || ar.result().status() != 200) {
                            errors.increment();
                            firstError.compareAndSet(null, ar.failed() ? ar.cause().toString()
                                : ar.result().toString());
                            timer.schedule(() -> clientVertx.runOnContext(v -> step[0].run()), 100,
                                TimeUnit.MILLISECONDS);
                            return;
                        }
                        int k = ar.result().fresh() + ar.result().retried();
                        got[0] += k;
                        delivered.addAndGet(k);
                        step[0].run();
                    });
                };
                clientVertx.runOnContext(v -> step[0].run());
            }
            CompletableFuture.allOf(clients.toArray(CompletableFuture[]::new))
                .get(fanoutSeconds + 120L, TimeUnit.SECONDS);
            long nanos = System.nanoTime() - t0;
            BenchSupport.CpuWindow.Used used = cpu.end(clientThreads);
            sampler.cancel(false);
            Histogram fr = firstReply.getIntervalHistogram();
            System.out.printf(Locale.ROOT, "  [%3d clientIds] %8.0f msg/s delivered in all (%.0f per clientId), %d msgs "
                    + "in %.1f s, %d of %d clientIds got the whole backlog, errors %d; first answer after ms p50=%.0f "
                    + "max=%.0f (admission via the name server KV)%n", n, delivered.get() / (nanos / 1e9),
                delivered.get() / (nanos / 1e9) / n, delivered.get(), nanos / 1e9, complete.get(), n, errors.sum(),
                fr.getValueAtPercentile(50) / 1e6, fr.getMaxValue() / 1e6);
            System.out.printf(Locale.ROOT, "      memory: peak heap used %s, peak RSS %s, heap after GC at the end %s%n",
                BenchSupport.mib(peakHeap.get()), BenchSupport.mib(peakRss.get()),
                BenchSupport.mib(BenchSupport.heapUsedAfterGc()));
            System.out.println("      " + used.line());
            if (firstError.get() != null) {
                System.out.println("      first error: " + firstError.get());
            }
        }
    }
}
