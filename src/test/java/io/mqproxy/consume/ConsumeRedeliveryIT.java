package io.mqproxy.consume;

import static io.mqproxy.consume.ConsumeSupport.awaitStored;
import static io.mqproxy.consume.ConsumeSupport.bodies;
import static io.mqproxy.consume.ConsumeSupport.deliveredWithin;
import static io.mqproxy.consume.ConsumeSupport.messages;
import static io.mqproxy.consume.ConsumeSupport.ok;
import static io.mqproxy.consume.ConsumeSupport.readTopic;
import static io.mqproxy.consume.ConsumeSupport.retried;
import static io.mqproxy.consume.ConsumeSupport.settings;
import static io.mqproxy.consume.ConsumeSupport.topicExists;
import static io.mqproxy.consume.ConsumeSupport.watchUntil;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqproxy.consume.ConsumeSupport.Lane;
import io.mqproxy.testing.Alongside;
import io.mqproxy.testing.Consumer;
import io.mqproxy.testing.ProxyClient;
import io.mqproxy.testing.TestProxy;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.rocketmq.common.message.MessageClientIDSetter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * At-least-once: what is not acked comes back (after consumeTimeout, at once on unlock, after the
 * nack delay), what is acked never does, and past the retry limit a message goes to %DLQ%group.
 * Each case runs for a concurrent (pop=true) and a queue-held (pop=false) group.
 */
class ConsumeRedeliveryIT {
    /** Plain POP redelivers 2-5 s after the invisible time (ROCKETMQ-NOTES); this leaves room for a loaded machine. */
    private static final Duration REDELIVERY_BOUND = Duration.ofSeconds(30);

    private static final Lane[] TIMEOUT = new Lane[2];
    private static final Lane[] ACKED = new Lane[2];
    private static final Lane[] UNLOCK = new Lane[2];
    private static final Lane[] NACK = new Lane[2];
    private static final Lane[] DLQ = new Lane[2];
    private static Lane expired;
    private static TestProxy proxy;
    /** An instance whose clock is 2 s ahead: for it, a batch of a 1 s consumeTimeout is already late. */
    private static TestProxy ahead;
    private static ProxyClient client;

    @BeforeAll
    static void start() {
        TestProxy.Builder builder = TestProxy.builder();
        for (int i = 0; i < 2; i++) {
            boolean pop = i == 0;
            String mode = pop ? "pop" : "held";
            TIMEOUT[i] = Lane.create("redeliver-timeout-" + mode, 2);
            TIMEOUT[i].register(builder, settings("pop", pop, "consumeTimeoutSeconds", 2, "minConsumeTimeoutSeconds", 1));
            ACKED[i] = Lane.create("redeliver-acked-" + mode, 1);
            ACKED[i].register(builder, settings("pop", pop, "consumeTimeoutSeconds", 2, "minConsumeTimeoutSeconds", 1));
            UNLOCK[i] = Lane.create("redeliver-unlock-" + mode, 1);
            UNLOCK[i].register(builder, settings("pop", pop, "consumeTimeoutSeconds", 60));
            NACK[i] = Lane.create("redeliver-nack-" + mode, 1);
            NACK[i].register(builder, settings("pop", pop, "consumeTimeoutSeconds", 120));
            DLQ[i] = Lane.create("redeliver-dlq-" + mode, 1);
            DLQ[i].register(builder, settings("pop", pop, "consumeTimeoutSeconds", 2, "minConsumeTimeoutSeconds", 1,
                "maxRetries", 1));
        }
        expired = Lane.create("redeliver-expired", 1);
        expired.register(builder, settings("consumeTimeoutSeconds", 1, "minConsumeTimeoutSeconds", 1));
        proxy = builder.start();
        ahead = builder.clock(Clock.offset(Clock.systemUTC(), Duration.ofSeconds(2))).start();
        client = proxy.client();
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.close();
        }
        if (ahead != null) {
            ahead.close();
        }
    }

    private static Lane lane(Lane[] lanes, boolean pop) {
        return lanes[pop ? 0 : 1];
    }

    /** Polls (acking nothing) until a batch comes. */
    private static ProxyClient.Reply firstBatch(Consumer c) {
        return await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
            .until(c::pollWithoutAck, r -> !messages(r).isEmpty());
    }

    private static long secondsSince(long nanos) {
        return TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - nanos);
    }

    @Alongside
    @ParameterizedTest(name = "pop={0}")
    @ValueSource(booleans = {true, false})
    void unackedBatch_comesBackAfterConsumeTimeout_asRetryWithDeliveryCount2(boolean pop) {
        Lane lane = lane(TIMEOUT, pop);
        String msgId = lane.produce(client, "never acked");
        Consumer c = lane.consumer(client).with("pullTimeout", "5");

        // The broker reserves the batch no earlier than the poll that took it was sent.
        AtomicLong sentAt = new AtomicLong();
        List<JsonNode> first = messages(await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
            .until(() -> {
                sentAt.set(System.nanoTime());
                return c.pollWithoutAck();
            }, r -> !messages(r).isEmpty()));
        assertThat(first).hasSize(1);
        assertThat(first.get(0).path("messageId").asText()).isEqualTo(msgId);
        assertThat(first.get(0).path("deliveryCount").asInt()).isEqualTo(1);

        ProxyClient.Reply again = await().atMost(REDELIVERY_BOUND).pollInterval(Duration.ofMillis(100))
            .until(c::pollWithoutAck, r -> !messages(r).isEmpty());
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sentAt.get()))
            .as("ms until redelivered: not before consumeTimeout (2 s)").isGreaterThanOrEqualTo(1_900);
        assertThat(again.result().path("msgListSize").asInt()).isZero();
        List<JsonNode> retry = retried(again);
        assertThat(retry).hasSize(1);
        assertThat(again.result().path("retryMsgListSize").asInt()).isEqualTo(1);
        assertThat(retry.get(0).path("messageId").asText()).isEqualTo(msgId);
        assertThat(retry.get(0).path("message").asText()).isEqualTo("never acked");
        assertThat(retry.get(0).path("deliveryCount").asInt()).isEqualTo(2);
    }

    @Alongside
    @ParameterizedTest(name = "pop={0}")
    @ValueSource(booleans = {true, false})
    void ackedBatch_neverComesBack_whileAnUnackedOneDoes(boolean pop) {
        Lane lane = lane(ACKED, pop);
        lane.produce(client, "acked");
        lane.produce(client, "not acked");
        awaitStored(lane.topic(), 2);
        Consumer c = lane.consumer(client).with("maxPullSize", "1").with("pullTimeout", "5");
        assertThat(bodies(messages(c.poll()))).containsExactly("acked");
        ProxyClient.Reply second = c.poll();
        assertThat(second.result().path("previousAck").asText()).isEqualTo("OK");
        assertThat(bodies(messages(second))).containsExactly("not acked");

        // The unacked batch comes back after consumeTimeout (2 s). The acked one was taken earlier, so it would
        // have come back by then too: watch until the unacked one is back, and a few seconds more.
        List<String> seen = watchUntil(lane.consumer(client), bodies -> bodies.contains("not acked"));
        assertThat(seen).as("the acked batch never returns").doesNotContain("acked");
    }

    @Alongside
    @ParameterizedTest(name = "pop={0}")
    @ValueSource(booleans = {true, false})
    void unlock_redeliversAtOnce_notAfterConsumeTimeout(boolean pop) {
        Lane lane = lane(UNLOCK, pop);
        lane.produce(client, "u1");
        lane.produce(client, "u2");
        awaitStored(lane.topic(), 2);
        Consumer holder = lane.consumer(client).with("pullTimeout", "5");
        assertThat(bodies(messages(firstBatch(holder)))).containsExactlyInAnyOrder("u1", "u2");

        long unlockedAt = System.nanoTime();
        ProxyClient.Reply unlock = ok(holder.call("/mq/unlock"));
        assertThat(unlock.result().path("status").asText()).isEqualTo("OK");
        assertThat(unlock.result().path("messages").asInt()).isEqualTo(2);

        Consumer next = lane.consumer(client).with("pullTimeout", "1");
        List<JsonNode> back = new ArrayList<>();
        await().atMost(REDELIVERY_BOUND).pollInterval(Duration.ofMillis(100))
            .until(() -> {
                back.addAll(messages(next.pollWithoutAck()));
                return back.size() >= 2;
            });
        assertThat(secondsSince(unlockedAt)).as("well before consumeTimeout (60 s)").isLessThan(40);
        assertThat(bodies(back)).containsExactlyInAnyOrder("u1", "u2");
        assertThat(back).allSatisfy(m -> assertThat(m.path("deliveryCount").asInt()).isEqualTo(2));
    }

    @Alongside
    @ParameterizedTest(name = "pop={0}")
    @ValueSource(booleans = {true, false})
    void nack_redeliversAfterItsDelay(boolean pop) {
        Lane lane = lane(NACK, pop);
        String msgId = lane.produce(client, "nacked");
        Consumer holder = lane.consumer(client).with("pullTimeout", "5");
        assertThat(bodies(messages(firstBatch(holder)))).containsExactly("nacked");

        long nackedAt = System.nanoTime();
        ProxyClient.Reply nack = ok(holder.via(client).with("delay", "5").call("/mq/nack"));
        assertThat(nack.result().path("status").asText()).isEqualTo("OK");

        // The broker hides it for 5 s from when it took the nack, which is after nackedAt: watch until then.
        Consumer next = lane.consumer(client);
        Duration quiet = Duration.ofMillis(4_500 - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nackedAt));
        assertThat(deliveredWithin(next, quiet)).as("not before the delay (5 s)").isEmpty();
        ProxyClient.Reply back = await().atMost(REDELIVERY_BOUND).pollInterval(Duration.ofMillis(100))
            .until(next::pollWithoutAck, r -> !messages(r).isEmpty());
        assertThat(secondsSince(nackedAt)).as("after the delay, well before consumeTimeout (120 s)").isLessThan(60);
        List<JsonNode> retry = retried(back);
        assertThat(retry).hasSize(1);
        assertThat(retry.get(0).path("messageId").asText()).isEqualTo(msgId);
        assertThat(retry.get(0).path("deliveryCount").asInt()).isEqualTo(2);
    }

    @Alongside
    @ParameterizedTest(name = "pop={0}")
    @ValueSource(booleans = {true, false})
    void pastRetryLimit_messageGoesToDeadLetterTopic_andStopsComingBack(boolean pop) throws Exception {
        Lane lane = lane(DLQ, pop);
        String msgId = lane.produce(client, "poison", "keys", "poison-key");
        String dlq = "%DLQ%" + lane.group();
        Consumer c = lane.consumer(client).with("pullTimeout", "1");

        // Never acked: delivered once, redelivered once (maxRetries 1), then moved to the dead-letter topic.
        List<JsonNode> deliveries = new ArrayList<>();
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100))
            .until(() -> {
                deliveries.addAll(messages(c.pollWithoutAck()));
                return topicExists(dlq);
            });
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
            .until(() -> readTopic(dlq), list -> !list.isEmpty());

        // Were it not acked after moving, it would come back after 2 s plus the redelivery lag (2-5 s when pop=true).
        deliveries.addAll(deliveredWithin(c, Duration.ofSeconds(pop ? 9 : 5)));
        assertThat(deliveries).as("delivered once and retried once, then never again").hasSize(2);
        assertThat(deliveries).allSatisfy(m -> assertThat(m.path("messageId").asText()).isEqualTo(msgId));
        assertThat(deliveries.stream().map(m -> m.path("deliveryCount").asInt())).containsExactly(1, 2);

        // Moving is send-back then ack, at least once: were the machine so slow that the ack came after the
        // message's invisible time, a second copy could follow. Every copy is the poison message.
        assertThat(readTopic(dlq)).as("in %s", dlq).isNotEmpty().allSatisfy(m -> {
            assertThat(new String(m.getBody(), StandardCharsets.UTF_8)).isEqualTo("poison");
            assertThat(m.getKeys()).isEqualTo("poison-key");
            assertThat(MessageClientIDSetter.getUniqID(m)).isEqualTo(msgId);
        });
    }

    @Alongside
    @Test
    void ack_afterConsumeTimeout_answersExpired_freshOneOk() throws Exception {
        expired.produce(client, "late");
        Consumer c = expired.consumer(client).with("pullTimeout", "5");
        assertThat(bodies(messages(firstBatch(c)))).containsExactly("late");
        String lateId = c.requestId();
        // consumeTimeout is 1 s: passed for the instance 2 s ahead (no waiting; any instance takes a requestId).
        Consumer late1 = c.via(ahead.client());

        // Handed to a poll, the late requestId says so.
        assertThat(ok(late1.with("pullTimeout", "0").poll()).result().path("previousAck").asText())
            .isEqualTo("EXPIRED");
        // A requestId is used once: acking it again says it was.
        late1.requestId(lateId);
        ProxyClient.Reply again = ok(late1.call("/mq/ack"));
        assertThat(again.result().path("status").asText()).isEqualTo("ALREADY_ACKED");
        assertThat(again.result().path("messages").asInt()).isEqualTo(1);

        // And /mq/ack with a late requestId, its first use, says EXPIRED.
        expired.produce(client, "late too");
        Consumer l = expired.consumer(client).with("pullTimeout", "5");
        firstBatch(l);
        ProxyClient.Reply late = ok(l.via(ahead.client()).call("/mq/ack"));
        assertThat(late.result().path("status").asText()).isEqualTo("EXPIRED");

        expired.produce(client, "fresh");
        Consumer f = expired.consumer(client).with("pullTimeout", "5").with("consumeTimeout", "60");
        firstBatch(f);
        ProxyClient.Reply fresh = ok(f.call("/mq/ack"));
        assertThat(fresh.result().path("status").asText()).isEqualTo("OK");
        assertThat(fresh.result().path("messages").asInt()).isPositive();
    }
}
