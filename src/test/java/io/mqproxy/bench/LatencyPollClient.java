package io.mqproxy.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The clients of {@link ConsumeBenchmark}'s latency phase in a process of their own
 * ({@code -Dbench.latency.external=true}), so that the proxy's JVM holds only the broker, the proxy and the
 * sender. Each client long-polls, acking its previous batch with the next poll, as in the in-JVM phase.
 * Bodies are {@code "index sendNanos"}: {@link System#nanoTime()} is the system-wide monotonic clock on
 * Linux, so a time taken by the sender in the parent reads the same here (the parent checks the offset).
 *
 * <p>Arguments: port clients pullTimeout topic consumer warmup measured intervalMillis (of the sends). Protocol on stdout: {@code clock N},
 * {@code ready} once every client's first poll is written, a final {@code result ...} and {@code slowest ...};
 * reading {@code stop} on stdin ends it early.
 */
public final class LatencyPollClient {
    private LatencyPollClient() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int clients = Integer.parseInt(args[1]);
        int pullTimeout = Integer.parseInt(args[2]);
        String query = "/mq/message?topic=" + args[3] + "&consumer=" + args[4] + "&pop=true&pullTimeout=" + pullTimeout
            + "&requestId=";
        int warmup = Integer.parseInt(args[5]);
        int measured = Integer.parseInt(args[6]);
        int intervalMillis = Integer.parseInt(args[7]);
        say("clock " + System.nanoTime());

        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
        HttpClient http = BenchSupport.httpClient(vertx, port, clients + 1, null);
        LatencyTally tally = new LatencyTally(warmup, measured, intervalMillis);
        AtomicInteger errors = new AtomicInteger();
        AtomicInteger written = new AtomicInteger();
        AtomicBoolean running = new AtomicBoolean(true);
        CountDownLatch done = new CountDownLatch(1);

        for (int i = 0; i < clients; i++) {
            String[] requestId = {""};
            Runnable[] step = new Runnable[1];
            step[0] = () -> {
                if (!running.get()) {
                    return;
                }
                RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setURI(query + requestId[0])
                    .setTimeout((pullTimeout + 30) * 1000L);
                http.request(options).compose(req -> {
                    if (written.incrementAndGet() == clients) {
                        say("ready");
                    }
                    return req.send();
                }).compose(resp -> resp.body()).onComplete(ar -> {
                    long now = System.nanoTime();
                    if (ar.failed()) {
                        errors.incrementAndGet();
                        vertx.setTimer(100, id -> step[0].run());
                        return;
                    }
                    try {
                        JsonNode result = BenchSupport.JSON.readTree(ar.result().getBytes()).path("result");
                        requestId[0] = result.path("requestId").asText("");
                        for (JsonNode m : result.path("msgList")) {
                            if (tally.record(m.path("message").asText(), now)) {
                                done.countDown();
                            }
                        }
                    } catch (Exception e) {
                        errors.incrementAndGet();
                    }
                    step[0].run();
                });
            };
            vertx.runOnContext(v -> step[0].run());
        }

        Thread stopper = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.equals("stop")) {
                        done.countDown();
                    }
                }
            } catch (Exception ignored) {
                // parent gone
            }
            done.countDown();
        }, "stopper");
        stopper.setDaemon(true);
        stopper.start();

        done.await();
        running.set(false);
        say(String.format(Locale.ROOT, "result received=%d of %d, duplicates %d, errors %d; %s", tally.received(),
            measured, tally.duplicates(), errors.get(), tally.percentiles()));
        say(tally.slowest());
        System.out.flush();
        System.exit(0);
    }

    private static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
