package io.mqproxy.consume;

import static io.mqproxy.consume.ConsumeSupport.bodies;
import static io.mqproxy.consume.ConsumeSupport.messages;
import static io.mqproxy.consume.ConsumeSupport.resultStatus;
import static io.mqproxy.consume.ConsumeSupport.settings;
import static org.assertj.core.api.Assertions.assertThat;

import io.mqproxy.consume.ConsumeSupport.Lane;
import io.mqproxy.testing.Consumer;
import io.mqproxy.testing.ProxyClient;
import io.mqproxy.testing.TestProxy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** No loss, no duplicates: several HTTP clients share a group, each acking by its next poll. */
class ConsumeDeliveryIT {
    private static final int MESSAGES = 200;
    private static final int CLIENTS = 4;

    private static Lane concurrent;
    private static Lane queueHeld;
    private static TestProxy proxy;

    @BeforeAll
    static void start() {
        concurrent = Lane.create("deliver-pop", 4);
        queueHeld = Lane.create("deliver-held", 4);
        TestProxy.Builder builder = TestProxy.builder();
        concurrent.register(builder, settings("pop", true));
        queueHeld.register(builder, settings());
        proxy = builder.start();
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.close();
        }
    }

    @Test
    void concurrentGroup_fourClients_everyMessageExactlyOnce() throws Exception {
        everyMessageExactlyOnce(concurrent);
    }

    @Test
    void queueHeldGroup_fourClients_everyMessageExactlyOnce() throws Exception {
        everyMessageExactlyOnce(queueHeld);
    }

    private void everyMessageExactlyOnce(Lane lane) throws Exception {
        ProxyClient client = proxy.client();
        List<String> sent = IntStream.range(0, MESSAGES).mapToObj(i -> lane.topic() + "-m" + i).toList();
        lane.produceAll(client, sent, 10);

        ConcurrentLinkedQueue<String> received = new ConcurrentLinkedQueue<>();
        AtomicInteger redelivered = new AtomicInteger();
        AtomicInteger count = new AtomicInteger();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        ExecutorService threads = Executors.newFixedThreadPool(CLIENTS);
        try {
            List<Future<?>> clients = new ArrayList<>();
            for (int t = 0; t < CLIENTS; t++) {
                clients.add(threads.submit(() -> {
                    // Each poll acks the previous batch; an empty poll waits a second rather than spin.
                    Consumer c = lane.consumer(client).with("maxPullSize", "8").with("pullTimeout", "1");
                    while (count.get() < MESSAGES && System.nanoTime() < deadline) {
                        var reply = c.poll();
                        List<String> got = bodies(messages(reply));
                        redelivered.addAndGet(reply.result().path("retryMsgListSize").asInt());
                        received.addAll(got);
                        count.addAndGet(got.size());
                    }
                    // The last batch is acked by one more poll, which must find nothing left.
                    var last = c.poll();
                    received.addAll(bodies(messages(last)));
                    return null;
                }));
            }
            for (Future<?> f : clients) {
                f.get(180, TimeUnit.SECONDS);
            }
        } finally {
            threads.shutdownNow();
        }

        List<String> got = new ArrayList<>(received);
        assertThat(got).as("every message arrives").containsAll(sent);
        assertThat(got).as("none twice").doesNotHaveDuplicates().hasSize(MESSAGES);
        assertThat(redelivered.get()).as("nothing redelivered: every batch was acked in time").isZero();
        // Everything acked: a new client finds nothing.
        Consumer late = lane.consumer(client).with("pullTimeout", "1");
        assertThat(resultStatus(late.poll())).isEqualTo("NO_NEW_MSG");
    }
}
