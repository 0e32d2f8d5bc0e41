package io.mqproxy.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mqproxy.testing.TestBroker;
import io.mqproxy.testing.TestProxy;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendCallback;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.remoting.protocol.admin.TopicOffset;
import org.apache.rocketmq.remoting.protocol.admin.TopicStatsTable;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.message.MessageQueue;

/**
 * Produce throughput of the proxy's HTTP path next to the native RocketMQ client, against the same
 * embedded broker in one run: measured, not asserted. Not a test (no *Test / *IT name): run it with
 *
 * <pre>
 * mvn -q test-compile exec:java@bench
 * </pre>
 *
 * Options, as {@code -D...} on that command line (Maven sets them as system properties):
 * <ul>
 * <li>{@code bench.seconds} (15): measured time per phase, in {@code bench.rounds} (3) slices; each round
 *     runs every phase in turn, so drift (JIT, other processes) spreads over all phases alike;</li>
 * <li>{@code bench.warmup} (5): seconds per phase of an unmeasured round that runs every phase first;</li>
 * <li>{@code bench.concurrency} (64): single messages in flight, and HTTP connections;</li>
 * <li>{@code bench.size} (1024): body bytes; {@code bench.batch} (32): messages per batch;</li>
 * <li>{@code bench.batchConcurrency} (concurrency / 4): batches in flight, native and HTTP alike;</li>
 * <li>{@code bench.clientLoops} (1): event loops of the HTTP load generator;</li>
 * <li>{@code bench.phases} (all of native-single, native-single-autobatch, http-single,
 *     http-single-uncoalesced, native-serial, http-serial, native-batch, http-batch): a subset, to profile
 *     one path (a ratio is printed for each pair that ran). "autobatch" is the native producer with
 *     {@code setAutoBatch(true)} (RocketMQ's defaults: 10 ms hold, 32 KiB); "uncoalesced" a second proxy
 *     with {@code produce.coalesce: false}; "serial" one client sending one message at a time;</li>
 * <li>{@code bench.tracing} (false): the proxy exports spans (tracing.otlpEndpoint) to a collector in this
 *     JVM, which decodes them;</li>
 * <li>{@code bench.jfr} (none): a file for a JFR recording ("profile" settings) of the measured rounds;</li>
 * <li>{@code bench.external} (false): afterwards, also run native and HTTP single and batch with the load
 *     generator in a child JVM ({@link ProduceLoadClient}), and print the CPU this JVM (broker and proxy)
 *     spends per 1,000 messages, the proxy's threads' share, and the load generator's.</li>
 * </ul>
 * JVM options go in {@code MAVEN_OPTS}: exec:java runs in Maven's own JVM.
 *
 * <p>Everything (broker, proxy, load generator) shares one JVM and the machine's cores, so the figures
 * to compare are the ratios of one run, not absolutes. Each phase prints the CPU the whole process used
 * and the part the load generator itself used, to show whether it is the bottleneck. Each phase also
 * checks that the broker's offsets grew by exactly the number of messages answered as stored.
 */
public final class ProduceBenchmark {
    private static final ObjectMapper JSON = BenchSupport.JSON;
    private static final byte[] OK_PREFIX = "{\"status\":200".getBytes(StandardCharsets.US_ASCII);
    private static final String PRODUCER = "bench-producer";
    private static final String SCHEMA_PRODUCER = "bench-schema-producer";
    /** After the warm-up round, each measured phase still gets this long to reach its steady state. */
    private static final long RAMP_MILLIS = 1_000;

    private final int seconds = Integer.getInteger("bench.seconds", 15);
    private final int warmup = Integer.getInteger("bench.warmup", 5);
    private final int concurrency = Integer.getInteger("bench.concurrency", 64);
    private final int size = Integer.getInteger("bench.size", 1024);
    private final int batch = Integer.getInteger("bench.batch", 32);
    private final int batchConcurrency = Integer.getInteger("bench.batchConcurrency", Math.max(1, concurrency / 4));
    private final int clientLoops = Integer.getInteger("bench.clientLoops", 1);
    private final int rounds = Math.max(1, Integer.getInteger("bench.rounds", 3));
    /** Which phases to run, e.g. "http-single" when profiling one path; the ratio line needs all four. */
    private final Set<String> phases = Set.of(System.getProperty("bench.phases",
        "native-single,native-single-autobatch,http-single,http-single-uncoalesced,native-serial,http-serial,"
            + "native-batch,http-batch,http-json,http-json-schema").split(","));

    private final ThreadMXBean threads = BenchSupport.THREADS;
    private final com.sun.management.OperatingSystemMXBean os = BenchSupport.OS;

    private TestBroker broker;
    private String topic;

    public static void main(String[] args) {
        BenchSupport.runAndExit(() -> new ProduceBenchmark().run());
    }

    private void run() throws Exception {
        System.out.printf(Locale.ROOT, "produce benchmark: %d s per phase (after a %d s warm-up of each), "
                + "concurrency %d, "
                + "body %d bytes, batch %d x %d in flight, %d cores, %s%n", seconds, warmup, concurrency, size, batch,
            batchConcurrency, Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name")
                + " " + System.getProperty("java.version"));
        System.out.println("load generator: RocketMQ DefaultMQProducer (native phases), Vert.x core HttpClient "
            + "(HTTP phases, keep-alive, no pipelining, " + clientLoops + " event loop(s)); it runs in the SAME JVM "
            + "as the proxy and the embedded broker, on the same shared cores");

        broker = TestBroker.get();
        topic = broker.newTopic("bench", 8);
        byte[] body = BenchSupport.body(size);

        DefaultMQProducer nativeProducer = BenchSupport.nativeProducer("bench-native", broker.namesrvAddr());
        DefaultMQProducer autoBatchProducer = BenchSupport.nativeProducer("bench-native-autobatch",
            broker.namesrvAddr());
        autoBatchProducer.setAutoBatch(true);

        Vertx clientVertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(clientLoops));
        try (io.mqproxy.testing.OtlpReceiver collector = new io.mqproxy.testing.OtlpReceiver();
             TestProxy proxy = traced(TestProxy.builder().producer(PRODUCER, topic)
                 .producer(SCHEMA_PRODUCER, topic, BenchSupport.tenFieldSchema()), collector).start();
             TestProxy uncoalesced = phases.contains("http-single-uncoalesced")
                 ? TestProxy.builder().producer(PRODUCER, topic).set("produce.coalesce", "false").start() : null) {
            int port = proxy.config().http().producePort();
            HttpClient http = BenchSupport.httpClient(clientVertx, port, Math.max(concurrency, batchConcurrency));
            HttpClient httpUncoalesced = uncoalesced == null ? null
                : BenchSupport.httpClient(clientVertx, uncoalesced.config().http().producePort(), concurrency);
            Set<Long> clientThreads = BenchSupport.eventLoopThreads(clientVertx);
            spotCheck(http);

            Buffer singleBody = Buffer.buffer("producer=" + PRODUCER + "&message=" + new String(body,
                StandardCharsets.US_ASCII));
            StringBuilder json = new StringBuilder("{\"producer\":\"" + PRODUCER + "\",\"messages\":[");
            for (int i = 0; i < batch; i++) {
                json.append(i == 0 ? "\"" : ",\"").append(new String(body, StandardCharsets.US_ASCII)).append('"');
            }
            Buffer batchBody = Buffer.buffer(json.append("]}").toString());

            Map<String, Phase> all = new java.util.LinkedHashMap<>();
            all.put("native-single", new Phase("native single", 1, concurrency,
                () -> new NativeLoad(nativeProducer, concurrency, () -> List.of(new Message(topic, body)))));
            all.put("native-single-autobatch", new Phase("native single auto-batch", 1, concurrency,
                () -> new NativeLoad(autoBatchProducer, concurrency, () -> List.of(new Message(topic, body)))));
            all.put("http-single", new Phase("HTTP single", 1, concurrency,
                () -> new HttpLoad(http, "/mq/produce", "application/x-www-form-urlencoded", singleBody, concurrency,
                    clientThreads), proxy));
            // The same JSON body (10 fields, ~size bytes) to a producer without and with a schema of those fields.
            String jsonMessage = java.net.URLEncoder.encode(BenchSupport.tenFieldJson(size), StandardCharsets.UTF_8);
            Buffer plainJson = Buffer.buffer("producer=" + PRODUCER + "&message=" + jsonMessage);
            Buffer schemaJson = Buffer.buffer("producer=" + SCHEMA_PRODUCER + "&message=" + jsonMessage);
            all.put("http-json", new Phase("HTTP single JSON", 1, concurrency,
                () -> new HttpLoad(http, "/mq/produce", "application/x-www-form-urlencoded", plainJson, concurrency,
                    clientThreads), proxy));
            all.put("http-json-schema", new Phase("HTTP single JSON with schema", 1, concurrency,
                () -> new HttpLoad(http, "/mq/produce", "application/x-www-form-urlencoded", schemaJson, concurrency,
                    clientThreads), proxy));
            all.put("http-single-uncoalesced", new Phase("HTTP single uncoalesced", 1, concurrency,
                () -> new HttpLoad(httpUncoalesced, "/mq/produce", "application/x-www-form-urlencoded", singleBody,
                    concurrency, clientThreads)));
            all.put("native-serial", new Phase("native serial", 1, 1,
                () -> new NativeLoad(nativeProducer, 1, () -> List.of(new Message(topic, body)))));
            all.put("http-serial", new Phase("HTTP serial", 1, 1,
                () -> new HttpLoad(http, "/mq/produce", "application/x-www-form-urlencoded", singleBody, 1,
                    clientThreads), proxy));
            all.put("native-batch", new Phase("native batch", batch, batchConcurrency,
                () -> new NativeLoad(nativeProducer, batchConcurrency, () -> {
                    List<Message> msgs = new ArrayList<>(batch);
                    for (int i = 0; i < batch; i++) {
                        msgs.add(new Message(topic, body));
                    }
                    return msgs;
                })));
            all.put("http-batch", new Phase("HTTP batch", batch, batchConcurrency,
                () -> new HttpLoad(http, "/mq/produce/batch", "application/json", batchBody, batchConcurrency,
                    clientThreads)));
            all.keySet().retainAll(phases);

            // On 2 shared cores the JIT compilers take most of a core for the first ~30 s: a phase measured
            // then would mostly measure compilation. So every path is exercised once before any is measured.
            System.out.printf(Locale.ROOT, "warm-up: %d s per phase, all phases, not measured%n", warmup);
            for (Phase phase : all.values()) {
                Load load = phase.load().get();
                load.start();
                Thread.sleep(warmup * 1000L);
                load.stop();
            }
            // Measured in rounds (each phase in turn, `rounds` times): JIT activity and other processes'
            // load drift over a run, and rounds spread that drift over all phases alike.
            Map<String, Stats> results = new java.util.LinkedHashMap<>();
            all.forEach((key, phase) -> results.put(key, new Stats()));
            String jfr = System.getProperty("bench.jfr");
            jdk.jfr.Recording recording = null;
            if (jfr != null) {
                recording = new jdk.jfr.Recording(jdk.jfr.Configuration.getConfiguration("profile"));
                recording.enable("jdk.Compilation").withThreshold(java.time.Duration.ZERO);
                recording.start();
            }
            long sliceMillis = Math.max(1_000, seconds * 1000L / rounds);
            System.out.printf(Locale.ROOT, "measuring: %d round(s) of %.1f s per phase%n", rounds, sliceMillis / 1e3);
            for (int round = 0; round < rounds; round++) {
                for (Map.Entry<String, Phase> e : all.entrySet()) {
                    measure(e.getValue(), sliceMillis, results.get(e.getKey()));
                }
            }
            if (recording != null) {
                recording.dump(java.nio.file.Path.of(jfr));
                recording.close();
                System.out.println("JFR recording of the measured phases: " + jfr);
            }
            all.forEach((key, phase) -> results.get(key).print(phase));
            printRatios(results);
            if (Boolean.getBoolean("bench.external")) {
                externalPhases(port);
            }
            http.close();
            if (httpUncoalesced != null) {
                httpUncoalesced.close();
            }
        } finally {
            nativeProducer.shutdown();
            autoBatchProducer.shutdown();
        }
    }

    /**
     * The goals' figures: throughput ratios of each HTTP phase to its native peer (and to the auto-batching
     * native producer), and for one client sending one at a time, the p50 latencies and their difference.
     */
    private void printRatios(Map<String, Stats> results) {
        StringBuilder line = new StringBuilder("ratio http/native:");
        ratio(line, results, "single", "http-single", "native-single", 1);
        ratio(line, results, "single-vs-autobatch", "http-single", "native-single-autobatch", 1);
        ratio(line, results, "single-uncoalesced", "http-single-uncoalesced", "native-single", 1);
        ratio(line, results, "batch", "http-batch", "native-batch", batch);
        ratio(line, results, "serial", "http-serial", "native-serial", 1);
        ratio(line, results, "json", "http-json", "native-single", 1);
        ratio(line, results, "json-schema", "http-json-schema", "native-single", 1);
        System.out.println(line);
        if (results.containsKey("http-json") && results.containsKey("http-json-schema")) {
            System.out.printf(Locale.ROOT, "schema cost: with/without = %.2f (10-field schema, %d-byte JSON bodies)%n",
                results.get("http-json-schema").messagesPerSecond(1) / results.get("http-json").messagesPerSecond(1),
                size);
        }
        Stats nativeSerial = results.get("native-serial");
        Stats httpSerial = results.get("http-serial");
        if (nativeSerial != null && httpSerial != null) {
            double nativeP50 = nativeSerial.latencies.getValueAtPercentile(50) / 1e6;
            double httpP50 = httpSerial.latencies.getValueAtPercentile(50) / 1e6;
            System.out.printf(Locale.ROOT, "serial p50 ms: native=%.2f http=%.2f difference=%+.2f (goal: <= +1 ms)%n",
                nativeP50, httpP50, httpP50 - nativeP50);
        }
    }

    private static void ratio(StringBuilder line, Map<String, Stats> results, String name, String http,
                              String nativeKey, int messagesPerRequest) {
        Stats h = results.get(http);
        Stats n = results.get(nativeKey);
        if (h != null && n != null) {
            line.append(String.format(Locale.ROOT, " %s=%.2f", name,
                h.messagesPerSecond(messagesPerRequest) / n.messagesPerSecond(messagesPerRequest)));
        }
    }

    /** The external phases: the same loads, generated by a child JVM. */
    private void externalPhases(int port) throws Exception {
        System.out.printf(Locale.ROOT, "external load generator (child JVM): %d s warm-up, then %d s measured, "
            + "per phase%n", warmup, seconds);
        Map<String, double[]> r = new java.util.LinkedHashMap<>();
        String[][] phases = {
            {"native single", "native", broker.namesrvAddr(), topic, Integer.toString(concurrency), "1"},
            {"HTTP single", "http", Integer.toString(port), PRODUCER, Integer.toString(concurrency), "1"},
            {"native batch", "native", broker.namesrvAddr(), topic, Integer.toString(batchConcurrency),
                Integer.toString(batch)},
            {"HTTP batch", "http", Integer.toString(port), PRODUCER, Integer.toString(batchConcurrency),
                Integer.toString(batch)}};
        for (String[] ph : phases) {
            r.put(ph[0], external(ph[0], List.of(ph[1], ph[2], ph[3], ph[4], Integer.toString(size), ph[5],
                Integer.toString(warmup), Integer.toString(seconds))));
        }
        System.out.printf(Locale.ROOT, "ratio http/native (external load generator): single=%.2f batch=%.2f%n",
            r.get("HTTP single")[0] / r.get("native single")[0], r.get("HTTP batch")[0] / r.get("native batch")[0]);
        System.out.printf(Locale.ROOT, "cpu per 1,000 messages (external): single: proxy threads %.1f ms, "
                + "native client %.1f ms; batch: proxy threads %.1f ms, native client %.1f ms%n",
            r.get("HTTP single")[2], r.get("native single")[3], r.get("HTTP batch")[2], r.get("native batch")[3]);
    }

    /**
     * Runs one child load and returns {msg/s, this JVM's CPU ms per 1,000 messages, the proxy threads' part
     * of it, the child's CPU ms per 1,000}.
     */
    private double[] external(String name, List<String> args) throws Exception {
        List<String> command = new ArrayList<>(List.of(
            java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx512m", "-XX:+UseParallelGC", "-cp", BenchSupport.classpath(), ProduceLoadClient.class.getName()));
        command.addAll(args);
        Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        long cpu0 = 0;
        Map<Long, Long> threads0 = Map.of();
        String stop = null;
        try (java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(
            child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.equals("start")) {
                    threads0 = BenchSupport.threadCpu();
                    cpu0 = os.getProcessCpuTime();
                } else if (line.startsWith("stop ")) {
                    long cpu1 = os.getProcessCpuTime();
                    Map<Long, Long> threads1 = BenchSupport.threadCpu();
                    stop = line;
                    long proxyThreads = 0;
                    for (java.lang.management.ThreadInfo info : threads.getThreadInfo(
                        threads1.keySet().stream().mapToLong(Long::longValue).toArray())) {
                        if (info != null && isProxyThread(info.getThreadName())) {
                            proxyThreads += threads1.get(info.getThreadId()) - threads0.getOrDefault(info.getThreadId(), 0L);
                        }
                    }
                    Map<String, String> f = new java.util.HashMap<>();
                    for (String kv : line.substring(5).split(" ")) {
                        int eq = kv.indexOf('=');
                        if (eq > 0) {
                            f.put(kv.substring(0, eq), kv.substring(eq + 1));
                        }
                    }
                    double messages = Double.parseDouble(f.get("ok"));
                    double secs = Long.parseLong(f.get("nanos")) / 1e9;
                    double[] out = {messages / secs, (cpu1 - cpu0) / 1e6 / messages * 1000,
                        proxyThreads / 1e6 / messages * 1000, Long.parseLong(f.get("cpu")) / 1e6 / messages * 1000};
                    System.out.printf(Locale.ROOT, "[external %-14s] %9.0f msg/s  latency ms p50=%s p99=%s  errors=%s  "
                            + "cpu per 1,000 messages: this JVM %.1f ms (proxy threads %.1f ms), load generator %.1f ms%n",
                        name, out[0], f.get("p50"), f.get("p99"), f.get("errors"), out[1], out[2], out[3]);
                    if (!"0".equals(f.get("errors"))) {
                        System.out.println("    first error: " + line.substring(line.indexOf("first=") + 6));
                    }
                    child.waitFor(60, TimeUnit.SECONDS);
                    return out;
                } else if (line.contains("Exception") || line.contains("ERROR")) {
                    // Only trouble: the RocketMQ client prints its logging set-up on start.
                    System.out.println("    child: " + line);
                }
            }
        } finally {
            child.destroy();
        }
        throw new IllegalStateException("external load generator ended without figures: " + stop);
    }

    /**
     * The proxy's threads in this JVM: its event loops, its own pools, and the RocketMQ client threads (the
     * broker's own remoting client is idle here; the broker's server threads have other names).
     */
    private static boolean isProxyThread(String name) {
        return name.startsWith("vert.x-eventloop") || name.startsWith("mqproxy") || name.startsWith("NettyClient")
            || name.startsWith("AsyncSenderExecutor") || name.startsWith("MQClientFactoryScheduledThread")
            || name.startsWith("vert.x-worker");
    }

    /** One request over HTTP with a unique body, read back from the broker by the returned id. */
    private void spotCheck(HttpClient http) throws Exception {
        String text = "spot-check " + System.nanoTime() + " " + "é".repeat(3);
        Buffer form = Buffer.buffer("producer=" + PRODUCER + "&message="
            + java.net.URLEncoder.encode(text, StandardCharsets.UTF_8));
        Buffer reply = http.request(new RequestOptions().setMethod(HttpMethod.POST).setURI("/mq/produce")
                .putHeader("Content-Type", "application/x-www-form-urlencoded"))
            .compose(req -> req.send(form)).compose(resp -> resp.body())
            .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        JsonNode envelope = JSON.readTree(reply.getBytes());
        if (envelope.path("status").asInt() != 200) {
            throw new IllegalStateException("spot-check: HTTP produce failed: " + reply);
        }
        String msgId = envelope.path("result").path("msgId").asText();
        MessageExt stored = broker.admin().viewMessage(topic, msgId);
        String storedText = new String(stored.getBody(), StandardCharsets.UTF_8);
        if (!text.equals(storedText) || !topic.equals(stored.getTopic())) {
            throw new IllegalStateException("spot-check: stored '" + storedText + "' on " + stored.getTopic());
        }
        System.out.println("spot-check: HTTP produce answered 200 and the broker holds the message (msgId "
            + msgId + ", queue " + stored.getQueueId() + ", offset " + stored.getQueueOffset() + ")");
    }

    private record Phase(String name, int messagesPerRequest, int inFlight, java.util.function.Supplier<Load> load,
                         TestProxy proxy) {
        Phase(String name, int messagesPerRequest, int inFlight, java.util.function.Supplier<Load> load) {
            this(name, messagesPerRequest, inFlight, load, null);
        }
    }

    /** The proxy's coalescing meters: {messages sent in batches with others, such batches}. */
    /** With {@code bench.tracing}: spans of every request, exported to {@code collector}. */
    private static TestProxy.Builder traced(TestProxy.Builder proxy, io.mqproxy.testing.OtlpReceiver collector) {
        return Boolean.getBoolean("bench.tracing") ? proxy.set("tracing.otlpEndpoint", collector.url()) : proxy;
    }

    private static double[] coalescing(TestProxy proxy) {
        io.mqproxy.testing.MetricsScrape m = io.mqproxy.testing.MetricsScrape.of(proxy.client());
        return new double[] {m.value("mqproxy_produce_coalesced_messages"), m.value("mqproxy_produce_coalesced_batches")};
    }

    /** One phase's figures, summed over its rounds. */
    private final class Stats {
        final Histogram latencies = new Histogram(TimeUnit.MINUTES.toNanos(1), 3);
        long ok;
        long rejected;
        long failed;
        long nanos;
        long processCpu;
        long generatorCpu;
        long gcCpu;
        long jitCpu;
        long answered;
        long stored;
        final Map<String, Long> groups = new java.util.HashMap<>();
        /** Requests per second of each round, to show the spread within a run. */
        final List<Double> roundRates = new ArrayList<>();
        double coalescedMessages;
        double coalescedBatches;
        String firstError;

        double messagesPerSecond(int messagesPerRequest) {
            return ok * messagesPerRequest / (nanos / 1e9);
        }

        void print(Phase phase) {
            double secs = nanos / 1e9;
            System.out.printf(Locale.ROOT, "[%-24s] %9.0f msg/s %8.0f req/s  latency ms p50=%.2f p99=%.2f max=%.2f  "
                    + "ok=%d errors=%d (non-200 envelopes %d, failed sends %d)  in flight %d x %d msg  "
                    + "cpu: process %.2f cores, load generator %.2f cores%n",
                phase.name(), messagesPerSecond(phase.messagesPerRequest()), ok / secs,
                latencies.getValueAtPercentile(50) / 1e6, latencies.getValueAtPercentile(99) / 1e6,
                latencies.getMaxValue() / 1e6, ok, rejected + failed, rejected, failed, phase.inFlight(),
                phase.messagesPerRequest(), processCpu / (double) nanos, generatorCpu / (double) nanos);
            StringBuilder rates = new StringBuilder();
            roundRates.forEach(r -> rates.append(rates.length() == 0 ? "" : ", ")
                .append(String.format(Locale.ROOT, "%.0f", r * phase.messagesPerRequest())));
            System.out.println("    msg/s by round: " + rates);
            if (phase.proxy() != null) {
                System.out.printf(Locale.ROOT, "    coalesced: %.0f%% of the messages went in broker batches, %.1f "
                        + "messages per batch%n", 100 * coalescedMessages / Math.max(1, ok),
                    coalescedMessages / Math.max(1, coalescedBatches));
            }
            double messages = ok * (double) phase.messagesPerRequest();
            System.out.printf(Locale.ROOT, "    cpu per 1,000 messages: process %.1f ms, without the load generator "
                    + "%.1f ms%n", processCpu / 1e6 / messages * 1000, (processCpu - generatorCpu) / 1e6 / messages * 1000);
            System.out.printf(Locale.ROOT, "    cpu by thread group (cores): %s; JVM-internal: GC=%.2f, JIT=%.2f%n",
                BenchSupport.topGroups(groups, nanos, 8), gcCpu / (double) nanos, jitCpu / (double) nanos);
            if (firstError != null) {
                System.out.println("    first error: " + firstError);
            }
            System.out.printf(Locale.ROOT, "    check: %d messages answered as stored, broker offsets grew by %d%s%n",
                answered, stored, answered == stored ? " (match)" : "  MISMATCH");
        }
    }

    /** Runs a phase for one slice and adds its figures to {@code stats}. */
    private void measure(Phase phase, long millis, Stats stats) throws Exception {
        Load load = phase.load().get();
        System.gc();
        long offsetsBefore = storedMessages();
        load.start();
        Thread.sleep(RAMP_MILLIS);

        load.latencies.reset();
        long ok0 = load.ok.sum();
        long rejected0 = load.rejected.sum();
        long failed0 = load.failed.sum();
        long cpu0 = os.getProcessCpuTime();
        Map<Long, Long> threadCpu0 = BenchSupport.threadCpu();
        Map<String, Long> jvmCpu0 = BenchSupport.jvmInternalCpu();
        long genCpu0 = load.generatorCpuNanos();
        double[] coalescing0 = phase.proxy() == null ? null : coalescing(phase.proxy());
        long t0 = System.nanoTime();
        Thread.sleep(millis);
        long t1 = System.nanoTime();
        if (coalescing0 != null) {
            double[] coalescing1 = coalescing(phase.proxy());
            stats.coalescedMessages += coalescing1[0] - coalescing0[0];
            stats.coalescedBatches += coalescing1[1] - coalescing0[1];
        }
        long okInRound = load.ok.sum() - ok0;
        stats.ok += okInRound;
        stats.roundRates.add(okInRound / ((t1 - t0) / 1e9));
        stats.rejected += load.rejected.sum() - rejected0;
        stats.failed += load.failed.sum() - failed0;
        stats.processCpu += os.getProcessCpuTime() - cpu0;
        stats.generatorCpu += load.generatorCpuNanos() - genCpu0;
        BenchSupport.addGroups(stats.groups, threadCpu0, BenchSupport.threadCpu(), load.generatorThreads());
        Map<String, Long> jvmCpu = BenchSupport.jvmInternalCpu();
        stats.gcCpu += jvmCpu.get("GC") - jvmCpu0.get("GC");
        stats.jitCpu += jvmCpu.get("JIT") - jvmCpu0.get("JIT");
        stats.latencies.add(load.latencies.getIntervalHistogram());
        stats.nanos += t1 - t0;

        load.stop();
        if (stats.firstError == null) {
            stats.firstError = load.firstError.get();
        }
        // Every request answered 200 (ramp and drain included) must be in the broker, no more, no less.
        // The offsets are the consume queues', which the broker fills asynchronously: let it catch up.
        long answered = load.ok.sum() * phase.messagesPerRequest();
        long stored = storedMessages() - offsetsBefore;
        for (long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
             stored < answered && System.nanoTime() < deadline; stored = storedMessages() - offsetsBefore) {
            Thread.sleep(50);
        }
        stats.answered += answered;
        stats.stored += stored;
    }

    /** Sum of the topic's max offsets: the number of messages stored in it. */
    private long storedMessages() throws Exception {
        TopicStatsTable stats = broker.admin().examineTopicStats(topic);
        long sum = 0;
        for (Map.Entry<MessageQueue, TopicOffset> e : stats.getOffsetTable().entrySet()) {
            sum += e.getValue().getMaxOffset();
        }
        return sum;
    }

    /** A closed-loop load: a fixed number of requests in flight, each completion starts the next. */
    private abstract class Load {
        final Recorder latencies = new Recorder(TimeUnit.MINUTES.toNanos(1), 3);
        final LongAdder ok = new LongAdder();
        /** Answered, but not stored (non-200 envelope). */
        final LongAdder rejected = new LongAdder();
        /** No answer: transport failure, time-out, client exception. */
        final LongAdder failed = new LongAdder();
        final AtomicReference<String> firstError = new AtomicReference<>();
        volatile boolean running;

        abstract void start();

        /** Stops starting requests and waits until those in flight are answered. */
        abstract void stop() throws InterruptedException;

        abstract long generatorCpuNanos();

        abstract Set<Long> generatorThreads();

        void error(LongAdder counter, String what) {
            counter.increment();
            firstError.compareAndSet(null, what);
        }

    }

    /** The RocketMQ client's async send, a semaphore bounding what is in flight. */
    private final class NativeLoad extends Load {
        private final DefaultMQProducer producer;
        private final int inFlight;
        private final java.util.function.Supplier<List<Message>> messages;
        private final Semaphore permits;
        /** The driver and the client's callback threads: what the load generator costs. */
        private final Set<Long> generatorThreads = ConcurrentHashMap.newKeySet();
        private Thread driver;

        NativeLoad(DefaultMQProducer producer, int inFlight, java.util.function.Supplier<List<Message>> messages) {
            this.producer = producer;
            this.inFlight = inFlight;
            this.messages = messages;
            this.permits = new Semaphore(inFlight);
        }

        @Override
        void start() {
            running = true;
            driver = new Thread(this::drive, "bench-native-driver");
            driver.setDaemon(true);
            driver.start();
            generatorThreads.add(driver.getId());
        }

        private void drive() {
            while (running) {
                try {
                    if (!permits.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                        continue;
                    }
                } catch (InterruptedException e) {
                    return;
                }
                List<Message> msgs = messages.get();
                long started = System.nanoTime();
                SendCallback callback = new SendCallback() {
                    @Override
                    public void onSuccess(SendResult result) {
                        generatorThreads.add(Thread.currentThread().getId());
                        latencies.recordValue(System.nanoTime() - started);
                        if (result.getSendStatus() == SendStatus.SEND_OK) {
                            ok.increment();
                        } else {
                            error(rejected, result.getSendStatus().name());
                        }
                        permits.release();
                    }

                    @Override
                    public void onException(Throwable e) {
                        generatorThreads.add(Thread.currentThread().getId());
                        error(failed, e.toString());
                        permits.release();
                    }
                };
                try {
                    if (msgs.size() == 1) {
                        producer.send(msgs.get(0), callback, 10_000);
                    } else {
                        producer.send(msgs, callback, 10_000);
                    }
                } catch (Exception e) {
                    callback.onException(e);
                }
            }
        }

        @Override
        void stop() throws InterruptedException {
            running = false;
            driver.join();
            if (!permits.tryAcquire(inFlight, 30, TimeUnit.SECONDS)) {
                System.out.println("    warning: sends still in flight after 30 s");
            } else {
                permits.release(inFlight);
            }
        }

        @Override
        Set<Long> generatorThreads() {
            return Set.of(driver.getId());
        }

        @Override
        long generatorCpuNanos() {
            // The callbacks run on the client's threads, which also do the client's own work: the
            // driver plus callback threads bound the generator's cost from above.
            return BenchSupport.cpuOf(generatorThreads);
        }
    }

    /** Vert.x's HttpClient: one keep-alive connection per request in flight, the next sent on each answer. */
    private final class HttpLoad extends Load {
        private final HttpClient client;
        private final RequestOptions request;
        private final Buffer body;
        private final int inFlight;
        private final Set<Long> clientThreads;
        private final AtomicLong pending = new AtomicLong();
        private final CountDownLatch drained = new CountDownLatch(1);

        HttpLoad(HttpClient client, String uri, String contentType, Buffer body, int inFlight,
                 Set<Long> clientThreads) {
            this.client = client;
            this.request = new RequestOptions().setMethod(HttpMethod.POST).setURI(uri)
                .putHeader("Content-Type", contentType).setTimeout(30_000);
            this.body = body;
            this.inFlight = inFlight;
            this.clientThreads = clientThreads;
        }

        @Override
        void start() {
            running = true;
            pending.set(inFlight);
            for (int i = 0; i < inFlight; i++) {
                fire();
            }
        }

        private void fire() {
            long started = System.nanoTime();
            Future<Buffer> reply = client.request(request)
                .compose(req -> req.send(body))
                .compose(resp -> resp.statusCode() == 200 ? resp.body()
                    : Future.failedFuture("HTTP " + resp.statusCode()));
            reply.onComplete(ar -> {
                if (ar.succeeded()) {
                    latencies.recordValue(System.nanoTime() - started);
                    Buffer b = ar.result();
                    if (BenchSupport.startsWith(b, OK_PREFIX) || BenchSupport.status(b) == 200) {
                        ok.increment();
                    } else {
                        error(rejected, b.toString(StandardCharsets.UTF_8));
                    }
                } else {
                    error(failed, ar.cause().toString());
                }
                if (running) {
                    fire();
                } else if (pending.decrementAndGet() == 0) {
                    drained.countDown();
                }
            });
        }

        @Override
        void stop() throws InterruptedException {
            running = false;
            if (!drained.await(60, TimeUnit.SECONDS)) {
                System.out.println("    warning: requests still in flight after 60 s");
            }
        }

        @Override
        long generatorCpuNanos() {
            return BenchSupport.cpuOf(clientThreads);
        }

        @Override
        Set<Long> generatorThreads() {
            return clientThreads;
        }
    }
}
