package io.mqproxy.push;

import static io.mqproxy.push.PushLane.push;
import static io.mqproxy.push.PushLane.settings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqproxy.testing.MetricsScrape;
import io.mqproxy.testing.ProxyClient;
import io.mqproxy.testing.PushReceiver;
import io.mqproxy.testing.TestProxy;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A webhook pusher stopped (its group paused) while its pop waits at the broker: what that pop takes
 * reached no endpoint, goes back, and is pushed after the resume with deliveryCount 1. The groups have
 * {@code maxRetries: 0}: a give-back that counted would dead-letter the message instead.
 */
class PushGiveBackIT {
    private static final String TOKEN = "push-giveback-operator-token-0123";
    private static final Duration BOUND = Duration.ofSeconds(40);
    private static final PushReceiver[] RECEIVERS = {new PushReceiver(), new PushReceiver()};
    private static final PushLane[] LANES = new PushLane[2];
    private static TestProxy proxy;
    private static ProxyClient client;

    @BeforeAll
    static void start() {
        TestProxy.Builder builder = TestProxy.builder().operator("ops", TOKEN)
            // One wait at the broker outlasts the scenario's steps: the message is taken by the waiting pop.
            .set("consume.longPollSliceMillis", "20000");
        for (int i = 0; i < 2; i++) {
            boolean pop = i == 0;
            LANES[i] = PushLane.create("push-giveback-" + (pop ? "pop" : "held"), 1);
            LANES[i].register(builder, settings("pop", pop, "maxRetries", 0, "push", push(RECEIVERS[i].url("/hook"))));
        }
        proxy = builder.start();
        client = proxy.client();
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.close();
        }
        for (PushReceiver r : RECEIVERS) {
            r.close();
        }
    }

    @ParameterizedTest(name = "pop={0}")
    @ValueSource(booleans = {true, false})
    void pusherStoppedWhileItsPopWaits_theMessageTakenIsPushedLaterWithDeliveryCount1(boolean pop) {
        PushLane lane = LANES[pop ? 0 : 1];
        PushReceiver receiver = RECEIVERS[pop ? 0 : 1];
        // Each test's group is idle: its pusher keeps one pop waiting at the broker.
        await("both pushers' pops wait at the broker").atMost(BOUND).until(() -> waitingAtBroker() >= LANES.length);
        assertThat(client.admin("POST", "/admin/groups/" + lane.group() + "/pause", TOKEN, null).status())
            .isEqualTo(200);
        // From here on, what a pop of the group brings goes back: the pause holds on this instance.
        await("the pause holds").atMost(BOUND).until(() -> client.get(client.consumePort(), "/mq/message?topic="
            + lane.topic() + "&consumer=" + lane.group() + "&pullTimeout=0").result().path("status").asText()
            .equals("PAUSED"));
        String msgId = lane.produce(client, "taken by a stopped pusher");
        await("the message went back").atMost(BOUND).until(() -> givenBack(lane) >= 1);
        assertThat(receiver.received()).isEmpty();

        assertThat(client.admin("POST", "/admin/groups/" + lane.group() + "/resume", TOKEN, null).status())
            .isEqualTo(200);
        await("pushed after the resume").atMost(BOUND).until(() -> !receiver.received().isEmpty());
        JsonNode m = receiver.received().get(0).json().path("messages").get(0);
        assertThat(m.path("messageId").asText()).isEqualTo(msgId);
        assertThat(m.path("deliveryCount").asInt()).as("the take that reached no endpoint is not a delivery")
            .isEqualTo(1);
    }

    /** Pops waiting at the broker: this proxy serves only this class's groups, a pusher each. */
    private static double waitingAtBroker() {
        return MetricsScrape.of(client).value("mqproxy_consume_polls_waiting", "where", "broker");
    }

    private static double givenBack(PushLane lane) {
        return MetricsScrape.of(client).sum("mqproxy_consume_releases_total", "consumer", lane.group());
    }
}
