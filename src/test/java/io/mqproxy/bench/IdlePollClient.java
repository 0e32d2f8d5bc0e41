package io.mqproxy.bench;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The load generator of {@link ConsumeBenchmark}'s idle long-poll phase, run as a child process: 10,000
 * connections in one JVM with the proxy would need 20,000 descriptors there (both ends of each
 * connection), past the hard limit, and a process of its own also keeps its memory out of the proxy's.
 *
 * <p>Arguments: port polls pullTimeout topic consumer sourceIps(comma separated) rampPerTick.
 * Protocol on stdout: {@code memory ...} lines, {@code sent N} once every request is written, and a
 * final {@code done ...}; reading {@code measure} on stdin makes it print its memory again.
 */
public final class IdlePollClient {
    private IdlePollClient() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int polls = Integer.parseInt(args[1]);
        int pullTimeout = Integer.parseInt(args[2]);
        String topic = args[3];
        String consumer = args[4];
        String[] sourceIps = args[5].split(",");
        int perTick = Integer.parseInt(args[6]);

        say("memory baseline " + memory());
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
        List<HttpClient> clients = new ArrayList<>();
        for (String ip : sourceIps) {
            HttpClient c = BenchSupport.httpClient(vertx, port, polls / sourceIps.length + 1,
                ip.equals("127.0.0.1") ? null : ip);
            clients.add(c);
        }
        String uri = "/mq/message?topic=" + topic + "&consumer=" + consumer + "&pop=true&pullTimeout=" + pullTimeout
            + "&requestId=";
        RequestOptions request = new RequestOptions().setMethod(HttpMethod.GET).setURI(uri)
            .setTimeout((pullTimeout + 60) * 1000L);

        AtomicInteger written = new AtomicInteger();
        CountDownLatch answered = new CountDownLatch(polls);
        Map<String, AtomicInteger> outcomes = new ConcurrentHashMap<>();
        AtomicReference<String> firstError = new AtomicReference<>();
        long[] answerMillis = new long[polls];
        long started = System.nanoTime();
        for (int i = 0; i < polls; i++) {
            if (i > 0 && i % perTick == 0) {
                Thread.sleep(100);
            }
            int index = i;
            HttpClient client = clients.get(i % clients.size());
            long sentAt = System.nanoTime();
            client.request(request).compose(req -> {
                req.end().onSuccess(v -> {
                    if (written.incrementAndGet() == polls) {
                        say("sent " + polls + " in " + (System.nanoTime() - started) / 1_000_000 + " ms");
                    }
                });
                return req.response();
            }).compose(resp -> resp.body().map(b -> resp.statusCode() + " " + b.toString(StandardCharsets.UTF_8)))
                .onComplete(ar -> {
                    answerMillis[index] = (System.nanoTime() - sentAt) / 1_000_000;
                    String outcome;
                    if (ar.failed()) {
                        outcome = "error";
                        firstError.compareAndSet(null, ar.cause().toString());
                    } else {
                        outcome = classify(ar.result());
                        if (!outcome.equals("NO_NEW_MSG")) {
                            firstError.compareAndSet(null, ar.result());
                        }
                    }
                    outcomes.computeIfAbsent(outcome, k -> new AtomicInteger()).incrementAndGet();
                    answered.countDown();
                });
        }

        Thread measurer = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.equals("measure")) {
                        say("memory during " + memory());
                    }
                }
            } catch (Exception ignored) {
                // parent gone
            }
        }, "measurer");
        measurer.setDaemon(true);
        measurer.start();

        boolean all = answered.await(pullTimeout + 120L, TimeUnit.SECONDS);
        long[] sorted = answerMillis.clone();
        java.util.Arrays.sort(sorted);
        say(String.format(Locale.ROOT, "done all=%s outcomes=%s answered after (s): min=%.1f p50=%.1f max=%.1f%s",
            all, new TreeMap<>(outcomes), sorted[0] / 1e3, sorted[polls / 2] / 1e3, sorted[polls - 1] / 1e3,
            firstError.get() == null ? "" : " first-unexpected=" + abbreviate(firstError.get())));
        System.out.flush();
        System.exit(0);
    }

    private static String classify(String reply) {
        int space = reply.indexOf(' ');
        String http = reply.substring(0, space);
        String body = reply.substring(space + 1);
        if (!http.equals("200")) {
            return "HTTP " + http;
        }
        int envelope = BenchSupport.status(Buffer.buffer(body));
        if (envelope != 200) {
            return "status " + envelope;
        }
        try {
            return BenchSupport.JSON.readTree(body).path("result").path("status").asText("?");
        } catch (Exception e) {
            return "unparsable";
        }
    }

    private static String memory() {
        return "heapAfterGc=" + BenchSupport.heapUsedAfterGc() + " rss=" + BenchSupport.rss()
            + " fds=" + BenchSupport.openFds() + " threads=" + BenchSupport.threadCount();
    }

    private static String abbreviate(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }

    private static synchronized void say(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
