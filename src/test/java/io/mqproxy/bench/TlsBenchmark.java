package io.mqproxy.bench;

import io.mqproxy.testing.SelfSignedCert;
import io.mqproxy.testing.TestBroker;
import io.mqproxy.testing.TestProxy;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.PemTrustOptions;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.common.message.Message;

/**
 * The cost of TLS on the listeners (http.tls), measured not asserted: two proxies on one embedded broker,
 * one plain and one with a self-signed certificate, driven alike in alternating rounds from a Vert.x
 * client in this JVM. Production: 1 KiB messages, keep-alive connections (as behind a balancer), and a new
 * connection per request (a handshake each). Consumption: one preloaded topic drained by each mode with a
 * group of its own. CPU per message is the whole JVM's (broker, proxy and load generator, which encrypts too),
 * steadier than rates on a shared machine; compare the two modes of one run, never absolutes.
 *
 * <pre>mvn -q test-compile exec:java@bench-tls  [-Dbench.seconds=10 -Dbench.warmup=20 -Dbench.rounds=3 -Dbench.concurrency=32
 *     -Dbench.messages=30000 -Dbench.consumers=8]</pre>
 */
public final class TlsBenchmark {
    private final int seconds = Integer.getInteger("bench.seconds", 10);
    private final int warmupSeconds = Integer.getInteger("bench.warmup", 20);
    private final int rounds = Integer.getInteger("bench.rounds", 3);
    private final int concurrency = Integer.getInteger("bench.concurrency", 32);
    private final int fresh = Integer.getInteger("bench.freshConcurrency", 8);
    private final int messages = Integer.getInteger("bench.messages", 30_000);
    private final int consumers = Integer.getInteger("bench.consumers", 8);
    private final String body = new String(BenchSupport.body(1024), StandardCharsets.US_ASCII);
    /** Every produce answered 200, across rounds. */
    private final AtomicLong produced = new AtomicLong();

    public static void main(String[] args) {
        BenchSupport.runAndExit(() -> new TlsBenchmark().run());
    }

    private void run() throws Exception {
        Path dir = Files.createTempDirectory("mqproxy-bench-tls");
        SelfSignedCert cert = SelfSignedCert.create(dir, "bench");
        TestBroker broker = TestBroker.get();
        String topic = broker.newTopic("bench-tls", 8);
        TestProxy.Builder common = TestProxy.builder().producer("bench-producer", topic);
        for (int r = 0; r < rounds; r++) {
            for (String mode : List.of("plain", "tls")) {
                common.consumer(group(mode, r), topic, Map.of("pop", true));
            }
        }
        try (TestProxy plain = common.start();
             TestProxy tls = common.set("http.tls.enabled", "true")
                 .set("http.tls.certFile", cert.certFile().toString())
                 .set("http.tls.keyFile", cert.keyFile().toString()).start()) {
            Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
            System.out.printf(Locale.ROOT, "TLS benchmark: %d s per round, %d rounds, %d keep-alive connections, "
                    + "%d fresh-connection clients, 1 KiB, %d s warm-up per mode; consume %d messages with %d clients; "
                + "%d cores, load %s%n",
                seconds, rounds, concurrency, fresh, warmupSeconds, messages, consumers,
                Runtime.getRuntime().availableProcessors(), BenchSupport.loadAverage());
            for (String mode : List.of("plain", "tls")) {
                // Warm-up, not reported: JIT of both paths, handshakes included.
                TestProxy p = mode.equals("tls") ? tls : plain;
                SelfSignedCert trust = mode.equals("tls") ? cert : null;
                produce(vertx, p, trust, concurrency, true, warmupSeconds);
                produce(vertx, p, trust, fresh, false, warmupSeconds);
            }
            for (int r = 0; r < rounds; r++) {
                for (String mode : List.of("plain", "tls")) {
                    TestProxy p = mode.equals("tls") ? tls : plain;
                    long cpu0 = BenchSupport.OS.getProcessCpuTime();
                    long ok0 = produced.get();
                    double keepAlive = produce(vertx, p, mode.equals("tls") ? cert : null, concurrency, true, seconds);
                    double keepAliveCpu = (BenchSupport.OS.getProcessCpuTime() - cpu0) / 1e3 / (produced.get() - ok0);
                    cpu0 = BenchSupport.OS.getProcessCpuTime();
                    ok0 = produced.get();
                    double perRequest = produce(vertx, p, mode.equals("tls") ? cert : null, fresh, false, seconds);
                    double perRequestCpu = (BenchSupport.OS.getProcessCpuTime() - cpu0) / 1e3 / (produced.get() - ok0);
                    System.out.printf(Locale.ROOT, "round %d %-5s produce keep-alive %7.0f msg/s (%4.0f us CPU/msg), "
                        + "new connection each %6.0f msg/s (%5.0f us CPU/msg)%n", r + 1, mode, keepAlive, keepAliveCpu,
                        perRequest, perRequestCpu);
                }
            }
            preload(broker.namesrvAddr(), topic);
            for (int r = 0; r < rounds; r++) {
                for (String mode : List.of("plain", "tls")) {
                    TestProxy p = mode.equals("tls") ? tls : plain;
                    long cpu0 = BenchSupport.OS.getProcessCpuTime();
                    double rate = drain(vertx, p, mode.equals("tls") ? cert : null, topic, group(mode, r));
                    double cpu = (BenchSupport.OS.getProcessCpuTime() - cpu0) / 1e3 / messages;
                    System.out.printf(Locale.ROOT, "round %d %-5s consume (pop, 32 per poll, ack by next poll) "
                        + "%7.0f msg/s (%4.0f us CPU/msg)%n", r + 1, mode, rate, cpu);
                }
            }
            System.out.println("load after: " + BenchSupport.loadAverage());
            vertx.close();
        }
    }

    private static String group(String mode, int round) {
        return "bench-" + mode + "-" + round;
    }

    private static HttpClient client(Vertx vertx, int port, SelfSignedCert cert, int connections, boolean keepAlive) {
        HttpClientOptions options = new HttpClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port)
            .setKeepAlive(keepAlive).setPipelining(false).setTcpNoDelay(true).setConnectTimeout(10_000);
        if (cert != null) {
            options.setSsl(true).setTrustOptions(new PemTrustOptions().addCertPath(cert.certFile().toString()))
                .setVerifyHost(true);
        }
        return vertx.createHttpClient(options, new PoolOptions().setHttp1MaxSize(connections).setMaxWaitQueueSize(-1));
    }

    /** Messages per second answered 200 over {@code seconds}, {@code inFlight} requests at a time. */
    private double produce(Vertx vertx, TestProxy proxy, SelfSignedCert cert, int inFlight, boolean keepAlive,
                           int seconds) throws Exception {
        HttpClient http = client(vertx, proxy.config().http().producePort(), cert, inFlight, keepAlive);
        Buffer form = Buffer.buffer("producer=bench-producer&message=" + URLEncoder.encode(body, StandardCharsets.UTF_8));
        AtomicLong ok = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        List<Future<Void>> loops = new ArrayList<>();
        for (int i = 0; i < inFlight; i++) {
            Promise<Void> done = Promise.promise();
            loops.add(done.future());
            sendLoop(http, form, end, ok, failed, done);
        }
        Future.all(loops).toCompletionStage().toCompletableFuture().get(seconds + 60L, TimeUnit.SECONDS);
        http.close();
        if (failed.get() > 0) {
            System.out.println("  (" + failed.get() + " produce requests failed)");
        }
        return ok.get() / (double) seconds;
    }

    private void sendLoop(HttpClient http, Buffer form, long end, AtomicLong ok, AtomicLong failed, Promise<Void> done) {
        if (System.nanoTime() >= end) {
            done.complete();
            return;
        }
        http.request(new RequestOptions().setMethod(HttpMethod.POST).setURI("/mq/produce")
                .putHeader("Content-Type", "application/x-www-form-urlencoded"))
            .compose(req -> req.send(form))
            .compose(resp -> resp.body())
            .onComplete(ar -> {
                if (ar.succeeded() && BenchSupport.status(ar.result()) == 200) {
                    ok.incrementAndGet();
                    produced.incrementAndGet();
                } else {
                    failed.incrementAndGet();
                }
                sendLoop(http, form, end, ok, failed, done);
            });
    }

    private void preload(String namesrvAddr, String topic) throws Exception {
        DefaultMQProducer producer = BenchSupport.nativeProducer("bench-tls-preload", namesrvAddr);
        byte[] bytes = body.getBytes(StandardCharsets.US_ASCII);
        List<Message> batch = new ArrayList<>();
        for (int i = 0; i < messages; i++) {
            batch.add(new Message(topic, bytes));
            if (batch.size() == 64 || i == messages - 1) {
                producer.send(batch, 30_000);
                batch = new ArrayList<>();
            }
        }
        producer.shutdown();
    }

    /** Messages per second for {@code consumers} clients to take and ack all preloaded messages. */
    private double drain(Vertx vertx, TestProxy proxy, SelfSignedCert cert, String topic, String group) throws Exception {
        HttpClient http = client(vertx, proxy.config().http().consumePort(), cert, consumers, true);
        AtomicLong taken = new AtomicLong();
        long began = System.nanoTime();
        long deadline = began + TimeUnit.SECONDS.toNanos(300);
        List<Future<Void>> loops = new ArrayList<>();
        for (int i = 0; i < consumers; i++) {
            Promise<Void> done = Promise.promise();
            loops.add(done.future());
            pollLoop(http, topic, group, "", taken, deadline, done);
        }
        Future.all(loops).toCompletionStage().toCompletableFuture().get(320, TimeUnit.SECONDS);
        double rate = taken.get() / ((System.nanoTime() - began) / 1e9);
        http.close();
        return rate;
    }

    private void pollLoop(HttpClient http, String topic, String group, String requestId, AtomicLong taken,
                          long deadline, Promise<Void> done) {
        if (taken.get() >= messages || System.nanoTime() > deadline) {
            done.complete();
            return;
        }
        String uri = "/mq/message?topic=" + topic + "&consumer=" + group + "&pop=true&maxPullSize=32&pullTimeout=1"
            + "&requestId=" + requestId;
        http.request(HttpMethod.GET, uri).compose(req -> req.send()).compose(resp -> resp.body()).onComplete(ar -> {
            String next = "";
            if (ar.succeeded()) {
                try {
                    var result = BenchSupport.JSON.readTree(ar.result().getBytes()).path("result");
                    int n = result.path("msgListSize").asInt(0) + result.path("retryMsgListSize").asInt(0);
                    taken.addAndGet(n);
                    next = n > 0 ? result.path("requestId").asText("") : "";
                } catch (Exception e) {
                    next = "";
                }
            }
            pollLoop(http, topic, group, next, taken, deadline, done);
        });
    }
}
