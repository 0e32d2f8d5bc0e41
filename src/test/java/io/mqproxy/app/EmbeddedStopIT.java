package io.mqproxy.app;

import static io.mqproxy.testing.ProxyClient.form;
import static org.assertj.core.api.Assertions.assertThat;

import io.mqproxy.testing.Consumer;
import io.mqproxy.testing.ProxyClient;
import io.mqproxy.testing.TestProxy;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stopping the proxy with its embedded broker: container platforms kill a process that has not
 * stopped within their grace period (often 30 s), and RocketMQ's own shutdown takes 15-40 s. The stop
 * must take seconds and lose nothing: a clean store, acked progress kept, unacked batches delivered
 * again, requestIds from before the stop still valid.
 */
class EmbeddedStopIT {
    private static final int MESSAGES = 40;
    /**
     * The goal, about twice what a stop takes now (4-6 s; RocketMQ's store alone sleeps a fixed 3 s).
     * Before, the embedded broker's shutdown alone took 12.7-20 s in this JVM.
     */
    private static final long STOP_BOUND_MILLIS = 10_000;

    @TempDir
    Path data;

    @Test
    void stopWithBatchesHeldAndALongPollWaiting_takesSeconds_andTheRestartFindsEverything() throws Exception {
        TestProxy.Builder builder = TestProxy.builder().embedded(data)
            .producer("stop-producer", "stop-topic")
            .consumer("stop-concurrent", "stop-topic", Map.of("pop", true, "maxPullSize", 8))
            .consumer("stop-held", "stop-topic", Map.of("maxPullSize", 8))
            .consumer("stop-idle", "stop-idle-topic", Map.of("pop", true));
        Set<String> all = new LinkedHashSet<>();
        Set<String> ackedConcurrent;
        Set<String> ackedHeld;
        String heldConcurrent;
        String heldQueue;
        long stopMillis;
        TestProxy first = builder.start();
        try {
            for (int i = 0; i < MESSAGES; i++) {
                String body = "m" + i;
                ProxyClient.Reply r = first.client().produce(form("producer", "stop-producer", "message", body));
                assertThat(r.status()).as(r.raw().body()).isEqualTo(200);
                all.add(body);
            }
            // Each group: one batch acked (by the next poll), the next one held without ack at the stop.
            Consumer concurrent = new Consumer(first.client(), "stop-topic", "stop-concurrent");
            ackedConcurrent = new HashSet<>(Consumer.bodies(concurrent.poll()));
            assertThat(Consumer.bodies(concurrent.poll())).isNotEmpty();
            heldConcurrent = concurrent.requestId();
            Consumer held = new Consumer(first.client(), "stop-topic", "stop-held");
            ackedHeld = new HashSet<>(Consumer.bodies(held.poll()));
            assertThat(Consumer.bodies(held.poll())).isNotEmpty();
            heldQueue = held.requestId();
            assertThat(ackedConcurrent).isNotEmpty();
            assertThat(ackedHeld).isNotEmpty();

            Consumer idle = new Consumer(first.client(), "stop-idle-topic", "stop-idle").with("pullTimeout", "30");
            CompletableFuture<ProxyClient.Reply> waiting = CompletableFuture.supplyAsync(idle::poll);
            io.mqproxy.testing.WaitingPolls.atBroker(first.client(), 1);
            long began = System.nanoTime();
            first.close();
            stopMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
            assertThat(waiting.get(5, TimeUnit.SECONDS).result().path("status").asText()).isEqualTo("NO_NEW_MSG");
        } catch (Throwable t) {
            first.close();
            throw t;
        }
        assertThat(stopMillis).as("stop took %d ms", stopMillis).isLessThan(STOP_BOUND_MILLIS);
        assertThat(data.resolve("store").resolve("abort")).as("the store was closed cleanly").doesNotExist();

        try (TestProxy second = builder.start()) {
            // Held batches are given back with the requestIds issued before the stop.
            Consumer concurrent = new Consumer(second.client(), "stop-topic", "stop-concurrent");
            concurrent.requestId(heldConcurrent);
            assertThat(concurrent.call("/mq/unlock").status()).isEqualTo(200);
            Consumer held = new Consumer(second.client(), "stop-topic", "stop-held");
            held.requestId(heldQueue);
            assertThat(held.call("/mq/unlock").status()).isEqualTo(200);

            Set<String> expectConcurrent = new HashSet<>(all);
            expectConcurrent.removeAll(ackedConcurrent);
            Set<String> expectHeld = new HashSet<>(all);
            expectHeld.removeAll(ackedHeld);
            assertThat(drain(new Consumer(second.client(), "stop-topic", "stop-concurrent"), expectConcurrent))
                .as("concurrent group: every message not acked before the stop, and none that was")
                .containsExactlyInAnyOrderElementsOf(expectConcurrent);
            assertThat(drain(new Consumer(second.client(), "stop-topic", "stop-held"), expectHeld))
                .as("queue-held group: every message not acked before the stop, and none that was")
                .containsExactlyInAnyOrderElementsOf(expectHeld);
        }
    }

    /** Polls (acking each batch) until {@code expected} has all come, then once more to see nothing else does. */
    private static List<String> drain(Consumer c, Set<String> expected) {
        c.with("pullTimeout", "2");
        List<String> got = new java.util.ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!new HashSet<>(got).containsAll(expected) && System.nanoTime() < deadline) {
            ProxyClient.Reply r = c.poll();
            assertThat(r.status()).as(r.raw().body()).isEqualTo(200);
            got.addAll(Consumer.bodies(r));
        }
        c.with("pullTimeout", "4");
        ProxyClient.Reply last = c.poll();
        got.addAll(Consumer.bodies(last));
        c.call("/mq/ack");
        return got;
    }
}
