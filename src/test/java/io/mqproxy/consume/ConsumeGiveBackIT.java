package io.mqproxy.consume;

import static io.mqproxy.consume.ConsumeSupport.messages;
import static io.mqproxy.consume.ConsumeSupport.ok;
import static io.mqproxy.consume.ConsumeSupport.resultStatus;
import static io.mqproxy.consume.ConsumeSupport.settings;
import static io.mqproxy.consume.ConsumeSupport.topicExists;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqproxy.consume.ConsumeSupport.Lane;
import io.mqproxy.testing.Consumer;
import io.mqproxy.testing.MetricsScrape;
import io.mqproxy.testing.ProxyClient;
import io.mqproxy.testing.RawHttp;
import io.mqproxy.testing.SseClient;
import io.mqproxy.testing.TestProxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A message the proxy took from the broker and then handed to no client (the group was paused while a
 * long poll waited at the broker, the client left, an event stream closed) goes back without counting a
 * delivery: the next real delivery has deliveryCount 1, and with {@code maxRetries: 0} it is delivered,
 * not dead-lettered. Each group has {@code maxRetries: 0}, so a give-back that counted would move the
 * message to the dead-letter queue at its next pop.
 */
class ConsumeGiveBackIT {
    private static final String TOKEN = "giveback-operator-token-0123456";
    private static final Duration BOUND = Duration.ofSeconds(40);
    private static final Lane[] PAUSED = new Lane[2];
    private static final Lane[] LEFT = new Lane[2];
    private static Lane stream;
    private static TestProxy proxy;
    private static ProxyClient client;

    @BeforeAll
    static void start() {
        TestProxy.Builder builder = TestProxy.builder().operator("ops", TOKEN)
            // One wait at the broker outlasts each scenario's steps: the message is taken by the waiting pop.
            .set("consume.longPollSliceMillis", "20000");
        for (int i = 0; i < 2; i++) {
            boolean pop = i == 0;
            String mode = pop ? "pop" : "held";
            PAUSED[i] = Lane.create("giveback-paused-" + mode, 2);
            PAUSED[i].register(builder, settings("pop", pop, "maxRetries", 0, "consumeTimeoutSeconds", 60));
            LEFT[i] = Lane.create("giveback-left-" + mode, 2);
            LEFT[i].register(builder, settings("pop", pop, "maxRetries", 0, "consumeTimeoutSeconds", 60));
        }
        stream = Lane.create("giveback-stream", 2);
        stream.register(builder, settings("pop", true, "maxRetries", 0, "consumeTimeoutSeconds", 60));
        proxy = builder.start();
        client = proxy.client();
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.close();
        }
    }

    @ParameterizedTest(name = "pop={0}")
    @ValueSource(booleans = {true, false})
    void pausedWhileAPollWaitsAtTheBroker_theMessageItTakesIsNotCounted(boolean pop) throws Exception {
        Lane lane = PAUSED[pop ? 0 : 1];
        double waitingBefore = waitingAtBroker();
        CompletableFuture<ProxyClient.Reply> waiting = CompletableFuture.supplyAsync(
            () -> lane.consumer(client).with("pullTimeout", "30").pollWithoutAck());
        await("the poll waits at the broker").atMost(BOUND).until(() -> waitingAtBroker() > waitingBefore);

        ok(client.admin("POST", "/admin/groups/" + lane.group() + "/pause", TOKEN, null));
        await("the pause holds on this instance").atMost(BOUND).until(() ->
            resultStatus(lane.consumer(client).with("pullTimeout", "0").pollWithoutAck()).equals("PAUSED"));
        // The pop waiting at the broker cannot be called off: it takes this message for a paused group.
        String msgId = lane.produce(client, "taken while paused");
        assertThat(resultStatus(waiting.get(BOUND.toSeconds(), TimeUnit.SECONDS))).isEqualTo("PAUSED");
        await("the message went back").atMost(BOUND).until(() -> releases(lane, "PAUSED") >= 1);

        ok(client.admin("POST", "/admin/groups/" + lane.group() + "/resume", TOKEN, null));
        JsonNode got = nextMessage(lane.consumer(client));
        assertThat(got.path("messageId").asText()).isEqualTo(msgId);
        assertThat(got.path("deliveryCount").asInt()).as("the take that reached no client is not a delivery")
            .isEqualTo(1);
        assertThat(topicExists("%DLQ%" + lane.group())).as("not dead-lettered with maxRetries 0").isFalse();
    }

    @ParameterizedTest(name = "pop={0}")
    @ValueSource(booleans = {true, false})
    void clientGoneDuringALongPoll_theMessageItsPopTakesIsNotCounted(boolean pop) throws Exception {
        Lane lane = LEFT[pop ? 0 : 1];
        double waitingBefore = waitingAtBroker();
        try (RawHttp raw = RawHttp.connect(client.consumePort())) {
            raw.send("GET /mq/message?topic=" + lane.topic() + "&consumer=" + lane.group() + "&pullTimeout=30"
                + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n\r\n");
            await("the poll waits at the broker").atMost(BOUND).until(() -> waitingAtBroker() > waitingBefore);
        }
        // Produced after the client left, while its poll still waits at the broker: that pop takes it.
        String msgId = lane.produce(client, "taken for a client that left");
        await("the message went back").atMost(BOUND).until(() -> releases(lane, "CLIENT_GONE") >= 1);

        JsonNode got = nextMessage(lane.consumer(client));
        assertThat(got.path("messageId").asText()).isEqualTo(msgId);
        assertThat(got.path("deliveryCount").asInt()).as("the take that reached no client is not a delivery")
            .isEqualTo(1);
        assertThat(topicExists("%DLQ%" + lane.group())).as("not dead-lettered with maxRetries 0").isFalse();
    }

    @Test
    void streamClosedWhileItsPopWaits_theMessageTakenIsNotCounted() throws Exception {
        double waitingBefore = waitingAtBroker();
        try (SseClient s = SseClient.open(client.consumePort(), "/mq/stream?topic=" + stream.topic() + "&consumer="
            + stream.group())) {
            assertThat(s.status()).isEqualTo(200);
            await("the stream's pop waits at the broker").atMost(BOUND).until(() -> waitingAtBroker() > waitingBefore);
        }
        await("the proxy saw the stream close").atMost(BOUND)
            .until(() -> MetricsScrape.of(client).value("mqproxy_stream_open") == 0.0);
        String msgId = stream.produce(client, "taken for a closed stream");
        await("the message went back").atMost(BOUND).until(() -> releases(stream, "CLIENT_GONE") >= 1);

        JsonNode got = nextMessage(stream.consumer(client));
        assertThat(got.path("messageId").asText()).isEqualTo(msgId);
        assertThat(got.path("deliveryCount").asInt()).as("the take that reached no client is not a delivery")
            .isEqualTo(1);
        assertThat(topicExists("%DLQ%" + stream.group())).as("not dead-lettered with maxRetries 0").isFalse();
    }

    /** The next message a plain client gets, acked. */
    private static JsonNode nextMessage(Consumer consumer) {
        List<JsonNode> got = new ArrayList<>();
        Consumer c = consumer.with("pullTimeout", "2");
        await("delivered again").atMost(BOUND).pollInterval(Duration.ofMillis(50)).until(() -> {
            got.addAll(messages(c.poll()));
            return !got.isEmpty();
        });
        c.poll(); // acks it
        assertThat(got).hasSize(1);
        return got.get(0);
    }

    private static double waitingAtBroker() {
        return MetricsScrape.of(client).value("mqproxy_consume_polls_waiting", "where", "broker");
    }

    private static double releases(Lane lane, String why) {
        return MetricsScrape.of(client).sum("mqproxy_consume_releases_total", "consumer", lane.group(), "status", why);
    }
}
