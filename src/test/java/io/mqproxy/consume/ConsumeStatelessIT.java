package io.mqproxy.consume;

import static io.mqproxy.consume.ConsumeSupport.awaitStored;
import static io.mqproxy.consume.ConsumeSupport.bodies;
import static io.mqproxy.consume.ConsumeSupport.messages;
import static io.mqproxy.consume.ConsumeSupport.ok;
import static io.mqproxy.consume.ConsumeSupport.settings;
import static io.mqproxy.consume.ConsumeSupport.watchUntil;
import static org.assertj.core.api.Assertions.assertThat;

import io.mqproxy.consume.ConsumeSupport.Lane;
import io.mqproxy.testing.Alongside;
import io.mqproxy.testing.Consumer;
import io.mqproxy.testing.ProxyClient;
import io.mqproxy.testing.TestProxy;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The proxy keeps no state: two instances on one broker (sharing the requestId secret) accept each
 * other's requestIds, and an instance restarted between a fetch and its ack loses nothing.
 */
class ConsumeStatelessIT {
    /** How long the restart test's batches are taken: longer than a restart, short enough to watch them expire. */
    private static final Duration TAKEN_FOR = Duration.ofSeconds(10);
    private static Lane concurrent;
    private static Lane held;
    private static Lane concurrentRestart;
    private static Lane heldRestart;
    private static Lane rotated;
    private static TestProxy one;
    private static TestProxy two;

    @BeforeAll
    static void start() {
        concurrent = Lane.create("stateless-pop", 1);
        held = Lane.create("stateless-held", 1);
        concurrentRestart = Lane.create("restart-pop", 1);
        heldRestart = Lane.create("restart-held", 1);
        rotated = Lane.create("rotated-key", 1);
        one = instance();
        two = instance();
    }

    /** Every instance serves the same groups: in production they read one configuration. */
    private static TestProxy instance() {
        TestProxy.Builder builder = TestProxy.builder();
        concurrent.register(builder, settings("pop", true, "consumeTimeoutSeconds", 2, "minConsumeTimeoutSeconds", 1));
        concurrentRestart.register(builder, settings("pop", true, "consumeTimeoutSeconds", 2,
            "minConsumeTimeoutSeconds", 1));
        held.register(builder, settings("consumeTimeoutSeconds", 60));
        heldRestart.register(builder, settings("consumeTimeoutSeconds", 60));
        rotated.register(builder, settings("pop", true, "consumeTimeoutSeconds", 60));
        return builder.start();
    }

    @AfterAll
    static void stop() {
        for (TestProxy p : new TestProxy[] {one, two}) {
            if (p != null) {
                p.close();
            }
        }
    }

    @Alongside
    @Test
    void concurrent_fetchThroughOne_ackThroughTheOther_neverComesBack() {
        for (String body : List.of("a", "b", "control")) {
            concurrent.produce(one.client(), body);
        }
        awaitStored(concurrent.topic(), 3);
        Consumer viaOne = concurrent.consumer(one.client()).with("maxPullSize", "1").with("pullTimeout", "5");
        assertThat(bodies(messages(viaOne.poll()))).containsExactly("a");

        // Fetched through one, acked by a poll through two, which fetches the next batch...
        Consumer viaTwo = viaOne.via(two.client());
        ProxyClient.Reply second = viaTwo.poll();
        assertThat(second.result().path("previousAck").asText()).isEqualTo("OK");
        assertThat(bodies(messages(second))).containsExactly("b");
        // ...which /mq/ack through one acknowledges.
        assertThat(ok(viaTwo.via(one.client()).call("/mq/ack")).result().path("status").asText()).isEqualTo("OK");
        assertThat(bodies(messages(concurrent.consumer(two.client()).with("pullTimeout", "5").pollWithoutAck())))
            .containsExactly("control");

        List<String> seen = watchUntil(concurrent.consumer(one.client()), bodies -> bodies.contains("control"));
        assertThat(seen).as("acked through the other instance: never back").doesNotContain("a", "b");
    }

    @Alongside
    @Test
    void queueHeld_ackThroughTheOther_releasesTheQueueAtOnce() {
        held.produce(one.client(), "h1");
        held.produce(one.client(), "h2");
        awaitStored(held.topic(), 2);
        Consumer viaOne = held.consumer(one.client()).with("maxPullSize", "1").with("pullTimeout", "5");
        assertThat(bodies(messages(viaOne.poll()))).containsExactly("h1");

        // The queue is held until h1 is acked: h2 comes only because the ack through two worked
        // (consumeTimeout is 60 s, far beyond this poll).
        ProxyClient.Reply next = viaOne.via(two.client()).poll();
        assertThat(next.result().path("previousAck").asText()).isEqualTo("OK");
        assertThat(bodies(messages(next))).containsExactly("h2");
        assertThat(next.result().path("retryMsgListSize").asInt()).isZero();
    }

    @Alongside
    @Test
    void restartBetweenFetchAndAck_theAckStillWorks() {
        concurrentRestart.produce(one.client(), "r1");
        concurrentRestart.produce(one.client(), "control");
        heldRestart.produce(one.client(), "h1");
        heldRestart.produce(one.client(), "h2");
        awaitStored(concurrentRestart.topic(), 2);
        awaitStored(heldRestart.topic(), 2);

        // The batches must outlive a restart (a stop and a start of an instance take about half a second here,
        // a few seconds on a loaded machine), so they are taken for 10 s; the never-acked control, taken with
        // them, shows when r1 would have come back.
        TestProxy before = instance();
        Consumer pop = concurrentRestart.consumer(before.client()).with("maxPullSize", "1").with("pullTimeout", "5")
            .with("consumeTimeout", Long.toString(TAKEN_FOR.toSeconds()));
        Consumer queue = heldRestart.consumer(before.client()).with("maxPullSize", "1").with("pullTimeout", "5");
        Consumer control = concurrentRestart.consumer(before.client()).with("maxPullSize", "1").with("pullTimeout", "5")
            .with("consumeTimeout", Long.toString(TAKEN_FOR.toSeconds()));
        long taken = System.nanoTime();
        try {
            assertThat(bodies(messages(pop.poll()))).containsExactly("r1");
            assertThat(bodies(messages(queue.poll()))).containsExactly("h1");
            assertThat(bodies(messages(control.pollWithoutAck()))).containsExactly("control");
        } finally {
            before.close();
        }

        TestProxy after = instance();
        try {
            ProxyClient.Reply ack = ok(pop.via(after.client()).call("/mq/ack"));
            assertThat(Duration.ofNanos(System.nanoTime() - taken)).as("the restart ended while r1 was still taken"
                + " (if not, raise TAKEN_FOR)").isLessThan(TAKEN_FOR);
            assertThat(ack.result().path("status").asText()).isEqualTo("OK");
            assertThat(ack.result().path("messages").asInt()).isEqualTo(1);

            // The held queue is released by the new instance's ack: h2 comes at once, h1 never again.
            ProxyClient.Reply next = queue.via(after.client()).poll();
            assertThat(next.result().path("previousAck").asText()).isEqualTo("OK");
            assertThat(bodies(messages(next))).containsExactly("h2");

            List<String> seen = watchUntil(concurrentRestart.consumer(after.client()),
                bodies -> bodies.contains("control"));
            assertThat(seen).as("acked after the restart: never back").doesNotContain("r1");
        } finally {
            after.close();
        }
    }

    /** A key rotation: requestIds issued under the previous key still ack; without it they are refused. */
    @Alongside
    @Test
    void afterARequestIdKeyRotation_batchesOutUnderTheOldKeyStillAck() {
        String oldKey = "the-old-request-id-key-0123";
        String newKey = "the-new-request-id-key-4567";
        rotated.produce(one.client(), "across a rotation");
        TestProxy.Builder before = TestProxy.builder().set("consume.requestIdSecret", oldKey);
        rotated.register(before, settings("pop", true, "consumeTimeoutSeconds", 60));
        Consumer c;
        try (TestProxy old = before.start()) {
            c = rotated.consumer(old.client()).with("pullTimeout", "5");
            assertThat(bodies(messages(c.poll()))).containsExactly("across a rotation");
        }
        TestProxy.Builder onlyNew = TestProxy.builder().set("consume.requestIdSecret", newKey);
        rotated.register(onlyNew, settings("pop", true, "consumeTimeoutSeconds", 60));
        try (TestProxy fresh = onlyNew.start()) {
            ProxyClient.Reply refused = c.via(fresh.client()).call("/mq/ack");
            assertThat(refused.status()).isEqualTo(400);
            assertThat(refused.message()).startsWith("requestId:");
        }
        TestProxy.Builder both = TestProxy.builder().set("consume.requestIdSecret", newKey)
            .set("consume.previousRequestIdSecret", oldKey);
        rotated.register(both, settings("pop", true, "consumeTimeoutSeconds", 60));
        try (TestProxy rotating = both.start()) {
            ProxyClient.Reply ack = ok(c.via(rotating.client()).call("/mq/ack"));
            assertThat(ack.result().path("status").asText()).isEqualTo("OK");
        }
    }
}
