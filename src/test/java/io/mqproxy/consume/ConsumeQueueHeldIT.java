package io.mqproxy.consume;

import static io.mqproxy.consume.ConsumeSupport.assertBadParam;
import static io.mqproxy.consume.ConsumeSupport.awaitStored;
import static io.mqproxy.consume.ConsumeSupport.bodies;
import static io.mqproxy.consume.ConsumeSupport.messages;
import static io.mqproxy.consume.ConsumeSupport.ok;
import static io.mqproxy.consume.ConsumeSupport.resultStatus;
import static io.mqproxy.consume.ConsumeSupport.settings;
import static org.assertj.core.api.Assertions.assertThat;

import io.mqproxy.consume.ConsumeSupport.Lane;
import io.mqproxy.testing.Consumer;
import io.mqproxy.testing.ProxyClient;
import io.mqproxy.testing.TestProxy;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Queue-held mode (the default): one client holds a queue at a time, and its batches come in send order. */
class ConsumeQueueHeldIT {
    private static final int MESSAGES = 20;

    private static Lane ordered;
    private static Lane held;
    private static Lane concurrent;
    private static TestProxy proxy;
    private static ProxyClient client;

    @BeforeAll
    static void start() {
        ordered = Lane.create("held-order", 4);
        held = Lane.create("held-mode", 2);
        concurrent = Lane.create("pop-mode", 2);
        TestProxy.Builder builder = TestProxy.builder();
        ordered.register(builder, settings());
        held.register(builder, settings("pop", false));
        concurrent.register(builder, settings("pop", true));
        proxy = builder.start();
        client = proxy.client();
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.close();
        }
    }

    @Test
    void oneOrderId_twoClientsAlternating_getSendOrder_andNeverHoldTheQueueAtOnce() {
        List<String> sent = IntStream.range(0, MESSAGES).mapToObj(i -> "o" + i).toList();
        for (String body : sent) {
            ordered.produce(client, body, "orderId", "order-42");
        }
        awaitStored(ordered.topic(), MESSAGES);

        Consumer a = ordered.consumer(client).with("maxPullSize", "3").with("pullTimeout", "1");
        Consumer b = ordered.consumer(client).with("maxPullSize", "3").with("pullTimeout", "1");
        Consumer holder = a;
        Consumer other = b;
        List<String> delivered = new ArrayList<>();
        List<String> batches = new ArrayList<>();
        ProxyClient.Reply reply = holder.poll();
        for (int round = 0; delivered.size() < MESSAGES && round < 100; round++) {
            List<String> batch = bodies(messages(reply));
            if (batch.isEmpty()) {
                reply = holder.poll();
                continue;
            }
            delivered.addAll(batch);
            batches.add((holder == a ? "A" : "B") + batch);
            assertThat(reply.result().path("retryMsgListSize").asInt()).as("nothing redelivered").isZero();

            // While the holder has not acked its batch, the other client gets nothing (it waits 1 s for it).
            ProxyClient.Reply blocked = other.poll();
            assertThat(resultStatus(blocked)).as("%s while %s holds the queue", other == a ? "A" : "B", batches)
                .isEqualTo("NO_NEW_MSG");

            if (batches.size() % 3 == 0) {
                // The holder acks by its next poll, which brings it the next batch.
                reply = holder.poll();
                assertThat(reply.result().path("previousAck").asText()).isEqualTo("OK");
            } else {
                // The holder acks explicitly and stops; the other client takes over the queue.
                assertThat(ok(holder.call("/mq/ack")).result().path("status").asText()).isEqualTo("OK");
                holder.requestId("");
                Consumer next = other;
                other = holder;
                holder = next;
                reply = holder.poll();
            }
        }
        if (!holder.requestId().isEmpty()) {
            ok(holder.call("/mq/ack"));
        }

        assertThat(delivered).as("batches in delivery order: %s", batches).containsExactlyElementsOf(sent);
        assertThat(batches).as("both clients took turns").anyMatch(s -> s.startsWith("A")).anyMatch(s -> s.startsWith("B"));
        assertThat(resultStatus(b.poll())).isEqualTo("NO_NEW_MSG");
    }

    @Test
    void popThatContradictsTheGroupsMode_isRefusedNamingPop() {
        Consumer heldPop = held.consumer(client).with("pop", "true");
        assertBadParam(heldPop.poll(), "pop");
        assertBadParam(heldPop.call("/mq/ack"), "pop");
        assertBadParam(concurrent.consumer(client).with("pop", "false").poll(), "pop");
        assertBadParam(concurrent.consumer(client).with("pop", "0").poll(), "pop");

        assertThat(resultStatus(held.consumer(client).with("pop", "false").poll())).isEqualTo("NO_NEW_MSG");
        assertThat(resultStatus(held.consumer(client).poll())).isEqualTo("NO_NEW_MSG");
        assertThat(resultStatus(concurrent.consumer(client).with("pop", "true").poll())).isEqualTo("NO_NEW_MSG");
        assertThat(resultStatus(concurrent.consumer(client).with("pop", "1").poll())).isEqualTo("NO_NEW_MSG");
    }
}
