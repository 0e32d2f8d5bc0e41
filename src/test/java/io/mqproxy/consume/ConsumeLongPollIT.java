package io.mqproxy.consume;

import static io.mqproxy.consume.ConsumeSupport.bodies;
import static io.mqproxy.consume.ConsumeSupport.messages;
import static io.mqproxy.consume.ConsumeSupport.resultStatus;
import static io.mqproxy.consume.ConsumeSupport.settings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqproxy.consume.ConsumeSupport.Lane;
import io.mqproxy.testing.Consumer;
import io.mqproxy.testing.ProxyClient;
import io.mqproxy.testing.TestProxy;
import io.mqproxy.testing.WaitingPolls;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Long polling: a waiting poll answers when a message comes, or at pullTimeout; a client that leaves reserves nothing. */
class ConsumeLongPollIT {
    private static final Lane[] WAKE = new Lane[2];
    private static final Lane[] LEFT = new Lane[2];
    private static Lane empty;
    private static Lane queued;
    private static TestProxy proxy;
    private static ProxyClient client;

    @BeforeAll
    static void start() {
        TestProxy.Builder builder = TestProxy.builder();
        for (int i = 0; i < 2; i++) {
            boolean pop = i == 0;
            WAKE[i] = Lane.create("longpoll-wake-" + (pop ? "pop" : "held"), 2);
            WAKE[i].register(builder, settings("pop", pop));
            LEFT[i] = Lane.create("longpoll-left-" + (pop ? "pop" : "held"), 2);
            LEFT[i].register(builder, settings("pop", pop, "consumeTimeoutSeconds", 60));
        }
        empty = Lane.create("longpoll-empty", 2);
        empty.register(builder, settings());
        queued = Lane.create("longpoll-queued", 2);
        queued.register(builder, settings("pop", true));
        // Two polls of a group wait at the broker; more wait in the proxy for a turn.
        builder.set("consume.maxBrokerWaitsPerGroup", "2");
        proxy = builder.start();
        client = proxy.client();
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.close();
        }
    }

    private static long millisSince(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
    }

    @ParameterizedTest(name = "pop={0}")
    @ValueSource(booleans = {true, false})
    void waitingPoll_answersSoonAfterAMessageIsProduced(boolean pop) throws Exception {
        Lane lane = WAKE[pop ? 0 : 1];
        Consumer c = lane.consumer(client).with("pullTimeout", "10");
        CompletableFuture<ProxyClient.Reply> waiting = CompletableFuture.supplyAsync(c::poll);
        WaitingPolls.atBroker(client, 1);
        assertThat(waiting).as("nothing to deliver yet: the poll waits").isNotDone();

        long producedAt = System.nanoTime();
        String msgId = lane.produce(client, "wake up");
        ProxyClient.Reply reply = waiting.get(30, TimeUnit.SECONDS);
        long latency = millisSince(producedAt);
        assertThat(resultStatus(reply)).isEqualTo("FOUND");
        assertThat(messages(reply)).extracting(m -> m.path("messageId").asText()).containsExactly(msgId);
        // A functional bound: it answered because of the message, well before its 10 s pullTimeout.
        assertThat(latency).as("ms from produce to answer").isLessThan(5_000);
    }

    @Test
    void pollsQueuedBeyondTheBrokersSlots_areServedByMessagesArrivingOneByOne() throws Exception {
        int polls = 6;
        ExecutorService clients = Executors.newFixedThreadPool(polls);
        try {
            List<CompletableFuture<ProxyClient.Reply>> waiting = new ArrayList<>();
            for (int i = 0; i < polls; i++) {
                Consumer c = queued.consumer(client).with("pullTimeout", "30").with("maxPullSize", "32");
                waiting.add(CompletableFuture.supplyAsync(c::poll, clients));
            }
            WaitingPolls.until(client, 2, 4); // two wait at the broker, four in the proxy's queue
            assertThat(waiting).noneMatch(CompletableFuture::isDone);

            long producedAt = System.nanoTime();
            List<String> sent = new ArrayList<>();
            for (int i = 0; i < polls; i++) {
                sent.add(queued.produce(client, "one by one " + i));
                // One by one: the next comes once a poll has taken this one (not a guessed pause).
                int answered = i + 1;
                await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20))
                    .until(() -> waiting.stream().filter(CompletableFuture::isDone).count() >= answered);
            }
            List<String> delivered = new ArrayList<>();
            for (CompletableFuture<ProxyClient.Reply> poll : waiting) {
                ProxyClient.Reply reply = poll.get(60, TimeUnit.SECONDS);
                assertThat(resultStatus(reply)).isEqualTo("FOUND");
                messages(reply).forEach(m -> delivered.add(m.path("messageId").asText()));
            }
            // Each lone message was taken by a poll at the broker, whose slot then went to a queued poll:
            // all six answered because of the messages, well before their 30 s pullTimeout.
            assertThat(millisSince(producedAt)).as("ms until every poll answered").isLessThan(20_000);
            assertThat(delivered).containsExactlyInAnyOrderElementsOf(sent);
        } finally {
            clients.shutdownNow();
        }
    }

    @Test
    void nothingProduced_answersNoNewMsgAtPullTimeout() {
        Consumer c = empty.consumer(client).with("pullTimeout", "2");
        long start = System.nanoTime();
        ProxyClient.Reply reply = c.poll();
        long waited = millisSince(start);
        assertThat(resultStatus(reply)).isEqualTo("NO_NEW_MSG");
        assertThat(reply.result().path("msgListSize").asInt()).isZero();
        assertThat(waited).as("waited its pullTimeout (2 s)").isGreaterThanOrEqualTo(1_500).isLessThan(20_000);
    }

    @ParameterizedTest(name = "pop={0}")
    @ValueSource(booleans = {true, false})
    void clientThatDisconnectsWhileWaiting_leavesNothingReserved(boolean pop) throws Exception {
        Lane lane = LEFT[pop ? 0 : 1];
        try (Socket socket = new Socket("127.0.0.1", client.consumePort())) {
            OutputStream out = socket.getOutputStream();
            out.write(("GET /mq/message?topic=" + lane.topic() + "&consumer=" + lane.group() + "&pullTimeout=30"
                + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            WaitingPolls.atBroker(client, 1); // the poll is now waiting at the broker
        }
        // Produced while the departed client's poll may still be waiting at the broker: if that poll takes
        // the message, the proxy must give it back rather than keep it reserved for consumeTimeout (60 s).
        long producedAt = System.nanoTime();
        String msgId = lane.produce(client, "for whoever polls next");

        Consumer next = lane.consumer(client).with("pullTimeout", "1");
        List<JsonNode> got = new ArrayList<>();
        await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(100))
            .until(() -> {
                got.addAll(messages(next.poll()));
                return !got.isEmpty();
            });
        assertThat(millisSince(producedAt)).as("ms until delivered: well before consumeTimeout (60 s)")
            .isLessThan(40_000);
        assertThat(bodies(got)).containsExactly("for whoever polls next");
        assertThat(got.get(0).path("messageId").asText()).isEqualTo(msgId);
    }
}
