package io.mqproxy.bench;

import io.mqproxy.testing.SseClient;
import io.mqproxy.testing.TestBroker;
import io.mqproxy.testing.TestProxy;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.common.message.Message;

/**
 * Push delivery, measured, not asserted (docs/benchmarks.md):
 * <ol>
 * <li>drain: a backlog of {@code bench.messages} (20000) messages of {@code bench.size} (256) bytes on 8 queues,
 *     drained by a fresh concurrent group each time, (a) pushed to a local receiver (a Vert.x server answering 204)
 *     with {@code bench.concurrency} (16) requests in flight and (b) polled by as many HTTP clients, each with
 *     batches of 1 and of 32 messages; msg/s of each;</li>
 * <li>latency: {@code bench.latencyMessages} (300) messages sent one at a time ({@code bench.latencyGapMillis} 20
 *     apart) to a topic that one group pushes and another streams (server-sent events, ack=auto): produce (before
 *     the send) to the receiver's arrival and to the event's arrival, p50 and p99.</li>
 * </ol>
 * {@code mvn -q test-compile exec:java@bench-push [-Dbench.messages=20000 -Dbench.concurrency=16 ...]}
 */
public final class PushBenchmark {
    private static final String TOKEN = "bench-push-operator-token-012345";
    private static final String SECRET = "bench-push-secret-0123456789";
    private static final Pattern MESSAGE_ID = Pattern.compile("\"messageId\":\"([0-9A-F]+)\"");

    private final int messages = Integer.getInteger("bench.messages", 20_000);
    private final int size = Integer.getInteger("bench.size", 256);
    private final int concurrency = Integer.getInteger("bench.concurrency", 16);
    private final int latencyMessages = Integer.getInteger("bench.latencyMessages", 300);
    private final int latencyGapMillis = Integer.getInteger("bench.latencyGapMillis", 20);
    private final Vertx vertx = Vertx.vertx();
    private final AtomicInteger received = new AtomicInteger();
    private final Map<String, Long> arrivals = new ConcurrentHashMap<>();
    private TestProxy proxy;
    private int receiverPort;

    public static void main(String[] args) throws Exception {
        PushBenchmark bench = new PushBenchmark();
        try {
            bench.run();
        } finally {
            System.exit(0);
        }
    }

    private void run() throws Exception {
        TestBroker broker = TestBroker.get();
        String drainTopic = broker.newTopic("bench-push-drain", 8);
        String latencyTopic = broker.newTopic("bench-push-latency", 8);
        TestProxy.Builder builder = TestProxy.builder().operator("bench", TOKEN)
            .producer("bench-push-latency-p", latencyTopic);
        for (String g : List.of("push-1", "push-32", "poll-1", "poll-32")) {
            builder.consumer("bench-" + g, drainTopic, Map.of("pop", true));
        }
        builder.consumer("bench-latency-push", latencyTopic, Map.of("pop", true));
        builder.consumer("bench-latency-sse", latencyTopic, Map.of("pop", true));
        proxy = builder.start();
        receiverPort = startReceiver();
        DefaultMQProducer producer = BenchSupport.nativeProducer("bench-push-backlog", broker.namesrvAddr());
        byte[] body = BenchSupport.body(size);
        for (int i = 0; i < messages; i++) {
            producer.send(new Message(drainTopic, body));
        }
        System.out.printf(Locale.ROOT, "%n== 1. drain: %d x %d B, 8 queues, %d in flight / clients%n", messages, size,
            concurrency);
        System.out.printf(Locale.ROOT, "%-28s %10s %8s%n", "phase", "msg/s", "s");
        double push1 = push("bench-push-1", 1);
        double poll1 = poll("bench-poll-1", drainTopic, 1);
        double push32 = push("bench-push-32", 32);
        double poll32 = poll("bench-poll-32", drainTopic, 32);
        System.out.printf(Locale.ROOT, "ratio push/poll: batch 1 = %.2f, batch 32 = %.2f%n", push1 / poll1,
            push32 / poll32);
        latency(latencyTopic);
        producer.shutdown();
        proxy.close();
    }

    private int startReceiver() throws Exception {
        HttpServer server = vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(b -> {
            long now = System.nanoTime();
            Matcher m = MESSAGE_ID.matcher(b.toString(StandardCharsets.UTF_8));
            int n = 0;
            while (m.find()) {
                n++;
                arrivals.putIfAbsent(m.group(1), now);
            }
            received.addAndGet(n);
            request.response().setStatusCode(204).end();
        }));
        return server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get().actualPort();
    }

    /** Sets the group's webhook at run time and waits until the whole backlog has arrived. */
    private double push(String group, int batch) throws Exception {
        received.set(0);
        arrivals.clear();
        long started = System.nanoTime();
        admin("PUT", "/admin/groups/" + group + "/push", "{\"url\":\"http://127.0.0.1:" + receiverPort
            + "/hook\",\"secret\":\"" + SECRET + "\",\"maxInFlight\":" + concurrency + ",\"batchSize\":" + batch + "}");
        while (arrivals.size() < messages) {
            Thread.sleep(5);
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        admin("DELETE", "/admin/groups/" + group + "/push", null);
        System.out.printf(Locale.ROOT, "%-28s %,10.0f %8.1f%n", "push, batch " + batch, messages / seconds, seconds);
        return messages / seconds;
    }

    /** {@code concurrency} HTTP clients poll the group (acking with the next poll) until the backlog is taken. */
    private double poll(String group, String topic, int batch) throws Exception {
        HttpClient http = BenchSupport.httpClient(vertx, proxy.config().http().consumePort(), concurrency);
        AtomicLong taken = new AtomicLong();
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(concurrency);
        long started = System.nanoTime();
        for (int c = 0; c < concurrency; c++) {
            pollLoop(http, group, topic, batch, "", taken, done);
        }
        done.await(10, TimeUnit.MINUTES);
        double seconds = (System.nanoTime() - started) / 1e9;
        http.close();
        System.out.printf(Locale.ROOT, "%-28s %,10.0f %8.1f%n", "poll, maxPullSize " + batch, messages / seconds,
            seconds);
        return messages / seconds;
    }

    private void pollLoop(HttpClient http, String group, String topic, int batch, String requestId, AtomicLong taken,
                          java.util.concurrent.CountDownLatch done) {
        if (taken.get() >= messages) {
            done.countDown();
            return;
        }
        String uri = "/mq/message?topic=" + topic + "&consumer=" + group + "&pop=true&pullTimeout=1&maxPullSize="
            + batch + "&requestId=" + requestId;
        http.request(HttpMethod.GET, uri).compose(r -> r.send().compose(resp -> resp.body())).onComplete(ar -> {
            String next = "";
            if (ar.succeeded()) {
                try {
                    var result = BenchSupport.JSON.readTree(ar.result().getBytes()).path("result");
                    taken.addAndGet(result.path("msgListSize").asInt() + result.path("retryMsgListSize").asInt());
                    next = result.path("requestId").asText("");
                } catch (java.io.IOException e) {
                    // counted as nothing taken
                }
            }
            pollLoop(http, group, topic, batch, next, taken, done);
        });
    }

    private void latency(String topic) throws Exception {
        System.out.printf(Locale.ROOT, "%n== 2. latency: %d messages, one every %d ms; produce -> arrival%n",
            latencyMessages, latencyGapMillis);
        arrivals.clear();
        admin("PUT", "/admin/groups/bench-latency-push/push", "{\"url\":\"http://127.0.0.1:" + receiverPort
            + "/hook\",\"secret\":\"" + SECRET + "\",\"maxInFlight\":" + concurrency + "}");
        Map<String, Long> events = new ConcurrentHashMap<>();
        SseClient stream = SseClient.open(proxy.config().http().consumePort(), "/mq/stream?topic=" + topic
            + "&consumer=bench-latency-sse&ack=auto");
        Thread reader = new Thread(() -> {
            while (true) {
                SseClient.Event e = stream.next(Duration.ofSeconds(60));
                if (e == null) {
                    return;
                }
                if (e.name().equals("message")) {
                    events.putIfAbsent(e.json().path("messageId").asText(), System.nanoTime());
                }
            }
        }, "bench-sse-reader");
        reader.setDaemon(true);
        reader.start();
        Thread.sleep(2_000);
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        Map<String, Long> sentAt = new ConcurrentHashMap<>();
        for (int i = 0; i < latencyMessages; i++) {
            long t = System.nanoTime();
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + proxy.config().http().producePort() + "/mq/produce"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("producer=bench-push-latency-p&message=latency-" + i))
                .build(), HttpResponse.BodyHandlers.ofString());
            sentAt.put(BenchSupport.JSON.readTree(r.body()).path("result").path("msgId").asText(), t);
            Thread.sleep(latencyGapMillis);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while ((arrivals.size() < latencyMessages || events.size() < latencyMessages) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        report("produce -> webhook", sentAt, arrivals);
        report("produce -> SSE event", sentAt, events);
        stream.close();
    }

    private static void report(String name, Map<String, Long> sentAt, Map<String, Long> arrivedAt) {
        Histogram h = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
        List<String> missing = new ArrayList<>();
        sentAt.forEach((id, t) -> {
            Long at = arrivedAt.get(id);
            if (at == null) {
                missing.add(id);
            } else {
                h.recordValue(Math.max(0, TimeUnit.NANOSECONDS.toMicros(at - t)));
            }
        });
        System.out.printf(Locale.ROOT, "%-22s p50 %6.1f ms  p99 %6.1f ms  max %6.1f ms  (%d arrived, %d missing)%n",
            name, h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0, h.getMaxValue() / 1000.0,
            h.getTotalCount(), missing.size());
    }

    private void admin(String method, String path, String json) throws Exception {
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.config().admin().port()
            + path)).header("Authorization", "Bearer " + TOKEN)
            .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            r.header("Content-Type", "application/json");
        }
        HttpResponse<String> response = http.send(r.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException(method + " " + path + ": " + response.body());
        }
    }
}
