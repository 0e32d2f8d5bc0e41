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
import io.mqproxy.security.RequestSignature;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.common.message.Message;

/**
 * The cost of TLS on the listeners (http.tls) and of data clients' credentials (security.requireCredentials),
 * measured not asserted: proxies on one embedded broker (plain; TLS with a self-signed certificate; credentials
 * required, sent as a bearer token; the same, each request signed with the access key), driven alike in
 * alternating rounds from a Vert.x client in this JVM (which also computes the signatures). Production: 1 KiB messages, keep-alive connections (as behind a balancer), and a new
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
    /** Makes every signed produce's body differ: a signature is accepted once. */
    private final AtomicLong sequence = new AtomicLong();
    /** Signed polls refused as replays (two identical polls in one millisecond), sent again. */
    private final AtomicLong replays = new AtomicLong();
    private static final List<String> MODES = List.of("plain", "tls", "bearer", "signed");
    private static final String KEY = "bench-key";
    private static final String SECRET = "bench-secret-0123456789";

    public static void main(String[] args) {
        BenchSupport.runAndExit(() -> new TlsBenchmark().run());
    }

    private void run() throws Exception {
        Path dir = Files.createTempDirectory("mqproxy-bench-tls");
        SelfSignedCert cert = SelfSignedCert.create(dir, "bench");
        TestBroker broker = TestBroker.get();
        String topic = broker.newTopic("bench-tls", 8);
        TestProxy.Builder common = TestProxy.builder().producer("bench-producer", topic);
        List<String> groups = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            for (String mode : MODES) {
                common.consumer(group(mode, r), topic, Map.of("pop", true));
                groups.add(group(mode, r));
            }
        }
        try (TestProxy plain = common.start();
             TestProxy guarded = common.set("security.requireCredentials", "true")
                 .credential(KEY, SECRET, List.of("bench-producer"), groups).start();
             TestProxy tls = common.set("security.requireCredentials", "false").set("http.tls.enabled", "true")
                 .set("http.tls.certFile", cert.certFile().toString())
                 .set("http.tls.keyFile", cert.keyFile().toString()).start()) {
            Map<String, TestProxy> proxies = Map.of("plain", plain, "tls", tls, "bearer", guarded, "signed", guarded);
            Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
            System.out.printf(Locale.ROOT, "TLS benchmark: %d s per round, %d rounds, %d keep-alive connections, "
                    + "%d fresh-connection clients, 1 KiB, %d s warm-up per mode; consume %d messages with %d clients; "
                + "%d cores, load %s%n",
                seconds, rounds, concurrency, fresh, warmupSeconds, messages, consumers,
                Runtime.getRuntime().availableProcessors(), BenchSupport.loadAverage());
            for (String mode : MODES) {
                // Warm-up, not reported: JIT of every path, handshakes included.
                TestProxy p = proxies.get(mode);
                SelfSignedCert trust = mode.equals("tls") ? cert : null;
                produce(vertx, p, trust, mode, concurrency, true, warmupSeconds);
                produce(vertx, p, trust, mode, fresh, false, warmupSeconds);
            }
            for (int r = 0; r < rounds; r++) {
                for (String mode : MODES) {
                    TestProxy p = proxies.get(mode);
                    long cpu0 = BenchSupport.OS.getProcessCpuTime();
                    long ok0 = produced.get();
                    double keepAlive = produce(vertx, p, mode.equals("tls") ? cert : null, mode, concurrency, true,
                        seconds);
                    double keepAliveCpu = (BenchSupport.OS.getProcessCpuTime() - cpu0) / 1e3 / (produced.get() - ok0);
                    cpu0 = BenchSupport.OS.getProcessCpuTime();
                    ok0 = produced.get();
                    double perRequest = produce(vertx, p, mode.equals("tls") ? cert : null, mode, fresh, false, seconds);
                    double perRequestCpu = (BenchSupport.OS.getProcessCpuTime() - cpu0) / 1e3 / (produced.get() - ok0);
                    System.out.printf(Locale.ROOT, "round %d %-6s produce keep-alive %7.0f msg/s (%4.0f us CPU/msg), "
                        + "new connection each %6.0f msg/s (%5.0f us CPU/msg)%n", r + 1, mode, keepAlive, keepAliveCpu,
                        perRequest, perRequestCpu);
                }
            }
            preload(broker.namesrvAddr(), topic);
            for (int r = 0; r < rounds; r++) {
                for (String mode : MODES) {
                    TestProxy p = proxies.get(mode);
                    long cpu0 = BenchSupport.OS.getProcessCpuTime();
                    double rate = drain(vertx, p, mode.equals("tls") ? cert : null, mode, topic, group(mode, r));
                    double cpu = (BenchSupport.OS.getProcessCpuTime() - cpu0) / 1e3 / messages;
                    System.out.printf(Locale.ROOT, "round %d %-6s consume (pop, 32 per poll, ack by next poll) "
                        + "%7.0f msg/s (%4.0f us CPU/msg)%n", r + 1, mode, rate, cpu);
                }
            }
            System.out.println("signed polls sent again after a replay refusal: " + replays.get());
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
    private double produce(Vertx vertx, TestProxy proxy, SelfSignedCert cert, String mode, int inFlight,
                           boolean keepAlive, int seconds) throws Exception {
        HttpClient http = client(vertx, proxy.config().http().producePort(), cert, inFlight, keepAlive);
        String form = "producer=bench-producer&message=" + URLEncoder.encode(body, StandardCharsets.UTF_8);
        AtomicLong ok = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        List<Future<Void>> loops = new ArrayList<>();
        for (int i = 0; i < inFlight; i++) {
            Promise<Void> done = Promise.promise();
            loops.add(done.future());
            sendLoop(http, form, mode, end, ok, failed, done);
        }
        Future.all(loops).toCompletionStage().toCompletableFuture().get(seconds + 60L, TimeUnit.SECONDS);
        http.close();
        if (failed.get() > 0) {
            System.out.println("  (" + failed.get() + " produce requests failed)");
        }
        return ok.get() / (double) seconds;
    }

    private void sendLoop(HttpClient http, String form, String mode, long end, AtomicLong ok, AtomicLong failed,
                          Promise<Void> done) {
        if (System.nanoTime() >= end) {
            done.complete();
            return;
        }
        // Signed bodies differ (a signature is accepted once), as real messages do; the others send one body.
        Buffer bytes = Buffer.buffer(mode.equals("signed") ? form + "-" + sequence.incrementAndGet() : form);
        RequestOptions options = credentials(new RequestOptions().setMethod(HttpMethod.POST).setURI("/mq/produce")
            .putHeader("Content-Type", "application/x-www-form-urlencoded"), mode, "/mq/produce", null, bytes.getBytes());
        http.request(options)
            .compose(req -> req.send(bytes))
            .compose(resp -> resp.body())
            .onComplete(ar -> {
                if (ar.succeeded() && BenchSupport.status(ar.result()) == 200) {
                    ok.incrementAndGet();
                    produced.incrementAndGet();
                } else {
                    failed.incrementAndGet();
                }
                sendLoop(http, form, mode, end, ok, failed, done);
            });
    }

    /** What the mode's client adds: a bearer token, or its access key, a timestamp and the signature. */
    private static RequestOptions credentials(RequestOptions options, String mode, String path, String query,
                                              byte[] body) {
        if (mode.equals("bearer")) {
            options.putHeader("Authorization", "Bearer " + SECRET);
        } else if (mode.equals("signed")) {
            String ts = Long.toString(System.currentTimeMillis());
            options.putHeader(RequestSignature.KEY_HEADER, KEY).putHeader(RequestSignature.TIMESTAMP_HEADER, ts)
                .putHeader(RequestSignature.SIGNATURE_HEADER, RequestSignature.sign(SECRET,
                    RequestSignature.stringToSign(options.getMethod().name(), path, query, body, ts)));
        }
        return options;
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
    private double drain(Vertx vertx, TestProxy proxy, SelfSignedCert cert, String mode, String topic, String group)
        throws Exception {
        HttpClient http = client(vertx, proxy.config().http().consumePort(), cert, consumers, true);
        AtomicLong taken = new AtomicLong();
        long began = System.nanoTime();
        long deadline = began + TimeUnit.SECONDS.toNanos(300);
        List<Future<Void>> loops = new ArrayList<>();
        for (int i = 0; i < consumers; i++) {
            Promise<Void> done = Promise.promise();
            loops.add(done.future());
            pollLoop(http, mode, topic, group, "", taken, deadline, done);
        }
        Future.all(loops).toCompletionStage().toCompletableFuture().get(320, TimeUnit.SECONDS);
        double rate = taken.get() / ((System.nanoTime() - began) / 1e9);
        http.close();
        return rate;
    }

    private void pollLoop(HttpClient http, String mode, String topic, String group, String requestId,
                          AtomicLong taken, long deadline, Promise<Void> done) {
        if (taken.get() >= messages || System.nanoTime() > deadline) {
            done.complete();
            return;
        }
        String query = "topic=" + topic + "&consumer=" + group + "&pop=true&maxPullSize=32&pullTimeout=1"
            + "&requestId=" + requestId;
        RequestOptions options = credentials(new RequestOptions().setMethod(HttpMethod.GET)
            .setURI("/mq/message?" + query), mode, "/mq/message", query, new byte[0]);
        http.request(options).compose(req -> req.send()).compose(resp -> resp.body()).onComplete(ar -> {
            String next = "";
            if (ar.succeeded()) {
                try {
                    var envelope = BenchSupport.JSON.readTree(ar.result().getBytes());
                    if (envelope.path("status").asInt() == 401) {
                        replays.incrementAndGet();
                        pollLoop(http, mode, topic, group, requestId, taken, deadline, done);
                        return;
                    }
                    var result = envelope.path("result");
                    int n = result.path("msgListSize").asInt(0) + result.path("retryMsgListSize").asInt(0);
                    taken.addAndGet(n);
                    next = n > 0 ? result.path("requestId").asText("") : "";
                } catch (Exception e) {
                    next = "";
                }
            }
            pollLoop(http, mode, topic, group, next, taken, deadline, done);
        });
    }
}
