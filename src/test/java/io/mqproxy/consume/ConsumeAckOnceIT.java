package io.mqproxy.consume;

import static io.mqproxy.consume.ConsumeSupport.awaitStored;
import static io.mqproxy.consume.ConsumeSupport.bodies;
import static io.mqproxy.consume.ConsumeSupport.messages;
import static io.mqproxy.consume.ConsumeSupport.ok;
import static io.mqproxy.consume.ConsumeSupport.settings;
import static io.mqproxy.consume.ConsumeSupport.watchUntil;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqproxy.consume.ConsumeSupport.Lane;
import io.mqproxy.testing.Alongside;
import io.mqproxy.testing.Consumer;
import io.mqproxy.testing.ProxyClient;
import io.mqproxy.testing.TestProxy;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * "Acked never comes back": a requestId is settled once. A release (unlock, nack) of a batch already
 * acked is refused and delivers nothing again; a second ack or release says what the first did; a
 * release after the batch's deadline does nothing (the batch is coming back anyway).
 */
class ConsumeAckOnceIT {
    // One lane per scenario (its own topic and group), registered on both instances before they start.
    private static final Lane[] RELEASE_AFTER_ACK = new Lane[4];
    private static final Lane[] ACK_TWICE = new Lane[2];
    private static final Lane[] RELEASE_TWICE = new Lane[2];
    private static final Lane[] LATE_RELEASE = new Lane[2];
    private static Lane cross;
    private static TestProxy proxy;
    private static TestProxy other;
    /** An instance whose clock is 3 s ahead: for it, a batch of a 2 s consumeTimeout is already late. */
    private static TestProxy ahead;
    private static ProxyClient client;

    @BeforeAll
    static void start() {
        TestProxy.Builder b = TestProxy.builder();
        for (int i = 0; i < 2; i++) {
            boolean pop = i == 0;
            String mode = pop ? "pop" : "held";
            for (int path = 0; path < 2; path++) {
                Lane l = Lane.create("once-release-" + path + "-" + mode, 1);
                l.register(b, settings("pop", pop, "consumeTimeoutSeconds", 3, "minConsumeTimeoutSeconds", 1));
                RELEASE_AFTER_ACK[i * 2 + path] = l;
            }
            ACK_TWICE[i] = Lane.create("once-acktwice-" + mode, 1);
            ACK_TWICE[i].register(b, settings("pop", pop, "consumeTimeoutSeconds", 60));
            RELEASE_TWICE[i] = Lane.create("once-releasetwice-" + mode, 1);
            RELEASE_TWICE[i].register(b, settings("pop", pop, "consumeTimeoutSeconds", 60));
            LATE_RELEASE[i] = Lane.create("once-late-" + mode, 1);
            LATE_RELEASE[i].register(b, settings("pop", pop, "consumeTimeoutSeconds", 2,
                "minConsumeTimeoutSeconds", 1));
        }
        cross = Lane.create("once-cross-held", 1);
        cross.register(b, settings("pop", false, "consumeTimeoutSeconds", 3, "minConsumeTimeoutSeconds", 1));
        proxy = b.start();
        other = b.start();
        ahead = b.clock(Clock.offset(Clock.systemUTC(), Duration.ofSeconds(3))).start();
        client = proxy.client();
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.close();
        }
        if (other != null) {
            other.close();
        }
        if (ahead != null) {
            ahead.close();
        }
    }

    private static int mode(boolean pop) {
        return pop ? 0 : 1;
    }

    private static ProxyClient.Reply firstBatch(Consumer c) {
        return await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
            .until(c::pollWithoutAck, r -> !messages(r).isEmpty());
    }

    @Alongside
    @ParameterizedTest(name = "pop={0} via {1}")
    @CsvSource({"true,/mq/unlock", "true,/mq/nack", "false,/mq/unlock", "false,/mq/nack"})
    void releaseOfAnAckedBatch_isRefused_andTheBatchNeverComesBack(boolean pop, String path) {
        Lane lane = RELEASE_AFTER_ACK[mode(pop) * 2 + (path.equals("/mq/unlock") ? 0 : 1)];
        lane.produce(client, "acked");
        lane.produce(client, "control");
        awaitStored(lane.topic(), 2);
        // Reserved long enough for the ack and the release to come well before its deadline on a loaded machine.
        Consumer c = lane.consumer(client).with("maxPullSize", "1").with("pullTimeout", "5")
            .with("consumeTimeout", "60");
        assertThat(bodies(messages(firstBatch(c)))).containsExactly("acked");
        assertThat(ok(c.call("/mq/ack")).result().path("status").asText()).isEqualTo("OK");

        ProxyClient.Reply release = ok(c.call(path));
        assertThat(release.result().path("status").asText()).isEqualTo("ALREADY_ACKED");

        // A never-acked control taken after it shows when the acked one would have come back.
        Consumer control = lane.consumer(client).with("maxPullSize", "1").with("pullTimeout", "5");
        assertThat(bodies(messages(firstBatch(control)))).containsExactly("control");
        List<String> seen = watchUntil(lane.consumer(client), b -> b.contains("control"));
        assertThat(seen).as("the acked batch never returns").doesNotContain("acked");
    }

    @Alongside
    @ParameterizedTest(name = "pop={0}")
    @ValueSource(booleans = {true, false})
    void secondAck_saysAlreadyAcked(boolean pop) {
        Lane lane = ACK_TWICE[mode(pop)];
        lane.produce(client, "twice");
        Consumer c = lane.consumer(client).with("pullTimeout", "5");
        firstBatch(c);
        String requestId = c.requestId();
        assertThat(ok(c.call("/mq/ack")).result().path("status").asText()).isEqualTo("OK");
        assertThat(ok(c.call("/mq/ack")).result().path("status").asText()).isEqualTo("ALREADY_ACKED");
        // A poll that hands the same requestId back says so too.
        c.requestId(requestId);
        assertThat(ok(c.with("pullTimeout", "0").poll()).result().path("previousAck").asText())
            .isEqualTo("ALREADY_ACKED");
    }

    @Alongside
    @ParameterizedTest(name = "pop={0}")
    @ValueSource(booleans = {true, false})
    void secondRelease_saysAlreadyReleased_andTheBatchComesBackOnce(boolean pop) {
        Lane lane = RELEASE_TWICE[mode(pop)];
        lane.produce(client, "given back");
        Consumer c = lane.consumer(client).with("pullTimeout", "5");
        firstBatch(c);
        assertThat(ok(c.call("/mq/unlock")).result().path("status").asText()).isEqualTo("OK");
        assertThat(ok(c.call("/mq/unlock")).result().path("status").asText()).isEqualTo("ALREADY_RELEASED");
        assertThat(ok(c.call("/mq/ack")).result().path("status").asText()).isEqualTo("ALREADY_RELEASED");

        // A second release would have made a second copy.
        assertComesBackOnce(lane, pop);
    }

    @Alongside
    @ParameterizedTest(name = "pop={0}")
    @ValueSource(booleans = {true, false})
    void releaseAfterTheDeadline_doesNothing_andAnswersExpired(boolean pop) throws Exception {
        Lane lane = LATE_RELEASE[mode(pop)];
        lane.produce(client, "late");
        Consumer c = lane.consumer(client).with("pullTimeout", "5");
        firstBatch(c);
        // consumeTimeout is 2 s: passed for the instance 3 s ahead (no waiting; any instance takes a requestId).
        ProxyClient.Reply late = ok(c.via(ahead.client()).call("/mq/unlock"));
        assertThat(late.result().path("status").asText()).isEqualTo("EXPIRED");

        // It comes back once, by its timeout; the late unlock added no second copy.
        assertComesBackOnce(lane, pop);
    }

    /**
     * The lane's one message is delivered exactly once more (deliveryCount 2): taken, acked at once,
     * and then nothing for longer than plain POP's redelivery lag.
     */
    private static void assertComesBackOnce(Lane lane, boolean pop) {
        Consumer next = lane.consumer(client).with("pullTimeout", "1");
        List<JsonNode> back = new ArrayList<>();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
            .until(() -> {
                back.addAll(messages(next.pollWithoutAck()));
                return !back.isEmpty();
            });
        ok(next.call("/mq/ack"));
        back.addAll(ConsumeSupport.deliveredWithin(next, Duration.ofSeconds(pop ? 8 : 3)));
        assertThat(back).hasSize(1);
        assertThat(back.get(0).path("deliveryCount").asInt()).isEqualTo(2);
    }

    @Alongside
    @Test
    void queueHeld_ackThroughOneInstance_releaseThroughAnother_isRefusedByTheBroker() {
        Lane lane = cross;
        lane.produce(client, "acked");
        lane.produce(client, "control");
        awaitStored(lane.topic(), 2);
        Consumer c = lane.consumer(client).with("maxPullSize", "1").with("pullTimeout", "5")
            .with("consumeTimeout", "60");
        assertThat(bodies(messages(firstBatch(c)))).containsExactly("acked");
        assertThat(ok(c.call("/mq/ack")).result().path("status").asText()).isEqualTo("OK");

        ProxyClient.Reply release = ok(c.via(other.client()).call("/mq/unlock"));
        assertThat(release.result().path("status").asText()).isEqualTo("ALREADY_ACKED");

        Consumer control = lane.consumer(client).with("maxPullSize", "1").with("pullTimeout", "5");
        assertThat(bodies(messages(firstBatch(control)))).containsExactly("control");
        List<String> seen = watchUntil(lane.consumer(other.client()), b -> b.contains("control"));
        assertThat(seen).as("the acked batch never returns").doesNotContain("acked");
    }
}
