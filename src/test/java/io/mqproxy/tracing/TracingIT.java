package io.mqproxy.tracing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqproxy.testing.Alongside;
import io.mqproxy.testing.OtlpReceiver;
import io.mqproxy.testing.OtlpReceiver.ExportedSpan;
import io.mqproxy.testing.OtlpReceiver.Link;
import io.mqproxy.testing.ProxyClient;
import io.mqproxy.testing.ProxyClient.Reply;
import io.mqproxy.testing.PushReceiver;
import io.mqproxy.testing.SseClient;
import io.mqproxy.testing.StoredMessages;
import io.mqproxy.testing.TestBroker;
import io.mqproxy.testing.TestProxy;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.message.Message;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * With {@code tracing.otlpEndpoint} set, produce, poll, ack and webhook pushes export spans over OTLP to a
 * collector in the test, which decodes them: each continues its request's (or message's) trace, with the
 * messaging attributes; a message carries its produce span's context to its consumers; a span delivering
 * several messages links each one's context, whichever trace it belongs to.
 */
class TracingIT {
    private static final Duration BOUND = Duration.ofSeconds(30);
    private static final OtlpReceiver collector = new OtlpReceiver();
    private static final PushReceiver hook = new PushReceiver();
    /** Holds the webhook requests of the links test's group until it lets them go. */
    private static final PushReceiver heldHook = new PushReceiver().hang();
    private static String topic;
    private static String hookTopic;
    private static String streamTopic;
    private static String ackTopic;
    private static String linkTopic;
    private static String linkStreamTopic;
    private static String linkHookTopic;
    private static DefaultMQProducer nativeProducer;
    private static TestProxy proxy;
    private static ProxyClient client;

    @BeforeAll
    static void start() {
        TestBroker broker = TestBroker.get();
        topic = broker.newTopic("traced", 2);
        hookTopic = broker.newTopic("traced-hook", 2);
        streamTopic = broker.newTopic("traced-sse", 2);
        ackTopic = broker.newTopic("traced-acked", 2);
        // One queue each: what is stored there before a pop is taken by that one pop, one batch.
        linkTopic = broker.newTopic("traced-links", 1);
        linkStreamTopic = broker.newTopic("traced-links-sse", 1);
        linkHookTopic = broker.newTopic("traced-links-hook", 1);
        proxy = TestProxy.builder()
            .producer("traced-p", topic)
            .consumer("traced-g", topic, Map.of("pop", true))
            .producer("traced-hook-p", hookTopic)
            .consumer("traced-hook-g", hookTopic, Map.of("pop", true, "push", Map.of("url", hook.url("/hook"),
                "secret", "push-secret-0123456789")))
            .producer("traced-sse-p", streamTopic)
            .consumer("traced-sse-g", streamTopic, Map.of("pop", true))
            .producer("traced-acked-p", ackTopic)
            .consumer("traced-acked-g", ackTopic, Map.of("pop", true))
            .producer("traced-links-p", linkTopic)
            .consumer("traced-links-g", linkTopic, Map.of("pop", true))
            .producer("traced-links-sse-p", linkStreamTopic)
            .consumer("traced-links-sse-g", linkStreamTopic, Map.of("pop", true))
            .producer("traced-links-hook-p", linkHookTopic)
            // One request at a time, held by the receiver: no pop while it is held, so the next takes a batch.
            .consumer("traced-links-hook-g", linkHookTopic, Map.of("pop", true, "push", Map.of(
                "url", heldHook.url("/hook"), "secret", "push-secret-0123456789", "batchSize", 10,
                "maxInFlight", 1, "timeoutMillis", 60_000)))
            .set("tracing.otlpEndpoint", collector.url())
            .set("tracing.serviceName", "mq-proxy-under-test")
            // Spans go out within 100 ms, not the SDK's 5 s: each test waits for its spans, not a schedule.
            .set("tracing.exportDelayMillis", "100")
            .start();
        client = proxy.client();
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.close();
        }
        hook.close();
        heldHook.close();
        collector.close();
        if (nativeProducer != null) {
            nativeProducer.shutdown();
        }
    }

    @Test
    void produce_poll_ack_continueTheirRequestsTraces_andTheMessageCarriesTheProduceSpan() {
        String produceTrace = "4bf92f3577b34da6a3ce929d0e0e4736";
        Reply sent = client.send(HttpRequest.newBuilder(client.uri(client.producePort(), "/mq/produce"))
            .header("Content-Type", "application/json").header("traceparent", parent(produceTrace, "00f067aa0ba902b7"))
            .header("tracestate", "vendor=abc")
            .POST(HttpRequest.BodyPublishers.ofString("{\"producer\":\"traced-p\",\"message\":\"traced\"}")));
        assertThat(sent.status()).as(sent.raw().body()).isEqualTo(200);
        String msgId = sent.result().path("msgId").asText();

        String pollTrace = "0af7651916cd43dd8448eb211c80319c";
        JsonNode polled = null;
        for (long end = System.nanoTime() + BOUND.toNanos(); polled == null && System.nanoTime() < end; ) {
            Reply poll = client.send(HttpRequest.newBuilder(client.uri(client.consumePort(),
                    "/mq/message?consumer=traced-g&topic=" + topic + "&pullTimeout=5"))
                .header("traceparent", parent(pollTrace, "b7ad6b7169203331")).GET());
            assertThat(poll.status()).as(poll.raw().body()).isEqualTo(200);
            if (poll.result().path("msgList").size() > 0) {
                polled = poll.result();
            }
        }
        assertThat(polled).as("the message is delivered").isNotNull();
        JsonNode message = polled.path("msgList").get(0);
        assertThat(message.path("messageId").asText()).isEqualTo(msgId);

        String ackTrace = "11112222333344445555666677778888";
        Reply ack = client.send(HttpRequest.newBuilder(client.uri(client.consumePort(),
                "/mq/ack?consumer=traced-g&topic=" + topic + "&requestId=" + polled.path("requestId").asText()))
            .header("traceparent", parent(ackTrace, "1234567890abcdef")).GET());
        assertThat(ack.status()).as(ack.raw().body()).isEqualTo(200);

        ExportedSpan send = awaitSpan(s -> s.traceId().equals(produceTrace) && s.name().startsWith("send"));
        assertThat(send.kind()).isEqualTo(OtlpReceiver.SERVER);
        assertThat(send.parentSpanId()).isEqualTo("00f067aa0ba902b7");
        assertThat(send.name()).isEqualTo("send " + topic);
        assertThat(send.attributes()).containsEntry("messaging.system", "rocketmq")
            .containsEntry("messaging.operation.type", "send")
            .containsEntry("messaging.destination.name", topic)
            .containsEntry("messaging.message.id", msgId);
        assertThat(send.resource()).containsEntry("service.name", "mq-proxy-under-test");
        // The message keeps the produce span's context (and the caller's tracestate): consumers follow from it.
        assertThat(message.path("properties").path("traceparent").asText())
            .isEqualTo(parent(produceTrace, send.spanId()));
        assertThat(message.path("properties").path("tracestate").asText()).isEqualTo("vendor=abc");

        ExportedSpan receive = awaitSpan(s -> s.traceId().equals(pollTrace)
            && Long.valueOf(1).equals(s.attribute("messaging.batch.message_count")));
        assertThat(receive.kind()).isEqualTo(OtlpReceiver.SERVER);
        assertThat(receive.parentSpanId()).isEqualTo("b7ad6b7169203331");
        assertThat(receive.attributes()).containsEntry("messaging.operation.type", "receive")
            .containsEntry("messaging.consumer.group.name", "traced-g")
            .containsEntry("messaging.destination.name", topic);

        ExportedSpan settle = awaitSpan(s -> s.traceId().equals(ackTrace));
        assertThat(settle.kind()).isEqualTo(OtlpReceiver.SERVER);
        assertThat(settle.parentSpanId()).isEqualTo("1234567890abcdef");
        assertThat(settle.attributes()).containsEntry("messaging.operation.type", "settle")
            .containsEntry("messaging.operation.name", "ack")
            .containsEntry("messaging.consumer.group.name", "traced-g")
            .containsEntry("messaging.batch.message_count", 1L);
        assertThat(settle.statusCode()).isNotEqualTo(OtlpReceiver.ERROR);
    }

    @Test
    void batchProduce_isOneSpanWithItsCount_andAFailedRequestIsAnErrorSpan() {
        String trace = "aaaabbbbccccddddeeeeffff00001111";
        Reply batch = client.send(HttpRequest.newBuilder(client.uri(client.producePort(), "/mq/produce/batch"))
            .header("Content-Type", "application/json").header("traceparent", parent(trace, "0000000000000abc"))
            .POST(HttpRequest.BodyPublishers.ofString("{\"producer\":\"traced-p\",\"messages\":[\"a\",\"b\",\"c\"]}")));
        assertThat(batch.status()).as(batch.raw().body()).isEqualTo(200);
        ExportedSpan span = awaitSpan(s -> s.traceId().equals(trace));
        assertThat(span.parentSpanId()).isEqualTo("0000000000000abc");
        assertThat(span.attributes()).containsEntry("messaging.batch.message_count", 3L)
            .containsEntry("messaging.destination.name", topic);

        String refused = "99998888777766665555444433332222";
        Reply unknown = client.send(HttpRequest.newBuilder(client.uri(client.producePort(), "/mq/produce"))
            .header("Content-Type", "application/json").header("traceparent", parent(refused, "0000000000000def"))
            .POST(HttpRequest.BodyPublishers.ofString("{\"producer\":\"no-such-producer\",\"message\":\"x\"}")));
        assertThat(unknown.status()).isNotEqualTo(200);
        assertThat(awaitSpan(s -> s.traceId().equals(refused)).statusCode()).isEqualTo(OtlpReceiver.ERROR);
    }

    @Test
    void webhookPush_isAClientSpan_childOfTheMessage_andTheWebhookGetsItsContext() {
        String trace = "0123456789abcdef0123456789abcdef";
        Reply sent = client.send(HttpRequest.newBuilder(client.uri(client.producePort(), "/mq/produce"))
            .header("Content-Type", "application/json").header("traceparent", parent(trace, "fedcba9876543210"))
            .POST(HttpRequest.BodyPublishers.ofString("{\"producer\":\"traced-hook-p\",\"message\":\"pushed\"}")));
        assertThat(sent.status()).as(sent.raw().body()).isEqualTo(200);
        String msgId = sent.result().path("msgId").asText();
        await().atMost(BOUND).until(() -> hook.messageIds().contains(msgId));
        PushReceiver.Received pushed = hook.received().stream().filter(r -> r.messageIds().contains(msgId))
            .findFirst().orElseThrow();

        ExportedSpan send = awaitSpan(s -> s.traceId().equals(trace) && s.kind() == OtlpReceiver.SERVER);
        ExportedSpan push = awaitSpan(s -> s.traceId().equals(trace) && s.kind() == OtlpReceiver.CLIENT);
        assertThat(push.parentSpanId()).as("child of the message's (produce span's) context").isEqualTo(send.spanId());
        assertThat(push.name()).isEqualTo("push " + hookTopic);
        assertThat(push.attributes()).containsEntry("messaging.operation.type", "process")
            .containsEntry("messaging.consumer.group.name", "traced-hook-g")
            .containsEntry("messaging.message.id", msgId)
            .containsEntry("http.response.status_code", 200L);
        assertThat(pushed.header("traceparent")).isEqualTo(parent(trace, push.spanId()));
    }

    @Test
    void sseStream_isAServerSpanPerBatch_childOfTheMessage_andTheEventAndItsAckContinueIt() {
        String trace = "5ea75ea75ea75ea75ea75ea75ea75ea7";
        Reply sent = client.send(HttpRequest.newBuilder(client.uri(client.producePort(), "/mq/produce"))
            .header("Content-Type", "application/json").header("traceparent", parent(trace, "00000000000005ea"))
            .POST(HttpRequest.BodyPublishers.ofString("{\"producer\":\"traced-sse-p\",\"message\":\"streamed\"}")));
        assertThat(sent.status()).as(sent.raw().body()).isEqualTo(200);
        String msgId = sent.result().path("msgId").asText();

        SseClient.Event event = null;
        try (SseClient stream = SseClient.open(client.consumePort(), "/mq/stream?topic=" + streamTopic
            + "&consumer=traced-sse-g")) {
            assertThat(stream.status()).as(String.valueOf(stream.errorBody())).isEqualTo(200);
            for (long end = System.nanoTime() + BOUND.toNanos(); event == null && System.nanoTime() < end; ) {
                event = stream.messages(1, BOUND).stream()
                    .filter(e -> e.json().path("messageId").asText().equals(msgId)).findFirst().orElse(null);
            }
            assertThat(event).as("the message is streamed").isNotNull();
            String eventParent = event.json().path("properties").path("traceparent").asText();
            // The client acks the event within the trace the event carries.
            Reply ack = client.send(HttpRequest.newBuilder(client.uri(client.consumePort(),
                    "/mq/ack?consumer=traced-sse-g&topic=" + streamTopic + "&requestId=" + event.id()))
                .header("traceparent", eventParent).GET());
            assertThat(ack.status()).as(ack.raw().body()).isEqualTo(200);
            assertThat(ack.result().path("status").asText()).isEqualTo("OK");
        }

        ExportedSpan send = awaitSpan(s -> s.traceId().equals(trace) && s.name().startsWith("send"));
        ExportedSpan streamed = awaitSpan(s -> s.traceId().equals(trace) && s.name().startsWith("stream"));
        assertThat(streamed.kind()).isEqualTo(OtlpReceiver.SERVER);
        assertThat(streamed.parentSpanId()).as("child of the message's (produce span's) context")
            .isEqualTo(send.spanId());
        assertThat(streamed.name()).isEqualTo("stream " + streamTopic);
        assertThat(streamed.attributes()).containsEntry("messaging.system", "rocketmq")
            .containsEntry("messaging.operation.name", "stream")
            .containsEntry("messaging.operation.type", "process")
            .containsEntry("messaging.destination.name", streamTopic)
            .containsEntry("messaging.consumer.group.name", "traced-sse-g")
            .containsEntry("messaging.batch.message_count", 1L)
            .containsEntry("messaging.message.id", msgId);
        assertThat(streamed.statusCode()).isNotEqualTo(OtlpReceiver.ERROR);
        assertThat(event.json().path("properties").path("traceparent").asText())
            .as("the event carries the stream span's context").isEqualTo(parent(trace, streamed.spanId()));

        ExportedSpan settle = awaitSpan(s -> s.traceId().equals(trace) && s.name().startsWith("ack"));
        assertThat(settle.kind()).isEqualTo(OtlpReceiver.SERVER);
        assertThat(settle.parentSpanId()).as("the ack continues from the event").isEqualTo(streamed.spanId());
        assertThat(settle.attributes()).containsEntry("messaging.operation.type", "settle")
            .containsEntry("messaging.consumer.group.name", "traced-sse-g")
            .containsEntry("messaging.batch.message_count", 1L);
    }

    @Test
    void pollWithRequestId_saysWhetherItAckedThePreviousBatch() {
        Reply sent = client.send(HttpRequest.newBuilder(client.uri(client.producePort(), "/mq/produce"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"producer\":\"traced-acked-p\",\"message\":\"once\"}")));
        assertThat(sent.status()).as(sent.raw().body()).isEqualTo(200);
        String firstTrace = "acc0acc0acc0acc0acc0acc0acc0acc1";
        String requestId = null;
        for (long end = System.nanoTime() + BOUND.toNanos(); requestId == null && System.nanoTime() < end; ) {
            Reply poll = poll(ackTopic, "traced-acked-g", null, firstTrace);
            if (poll.result().path("msgList").size() > 0) {
                requestId = poll.result().path("requestId").asText();
            }
        }
        assertThat(requestId).as("the message is delivered").isNotNull();

        String ackingTrace = "acc0acc0acc0acc0acc0acc0acc0acc2";
        assertThat(poll(ackTopic, "traced-acked-g", requestId, ackingTrace).result().path("previousAck").asText())
            .isEqualTo("OK");
        String againTrace = "acc0acc0acc0acc0acc0acc0acc0acc3";
        assertThat(poll(ackTopic, "traced-acked-g", requestId, againTrace).result().path("previousAck").asText())
            .isEqualTo("ALREADY_ACKED");

        assertThat(awaitSpan(s -> s.traceId().equals(ackingTrace)).attributes())
            .containsEntry("mqproxy.acked_previous", true).containsEntry("mqproxy.previous_ack", "OK");
        assertThat(awaitSpan(s -> s.traceId().equals(againTrace)).attributes())
            .containsEntry("mqproxy.acked_previous", false).containsEntry("mqproxy.previous_ack", "ALREADY_ACKED");
        assertThat(awaitSpan(s -> s.traceId().equals(firstTrace)).attributes())
            .as("a poll that named no batch").doesNotContainKeys("mqproxy.acked_previous", "mqproxy.previous_ack");
    }

    @Alongside
    @Test
    void aPollOfSeveralMessages_linksTheProduceSpanOfEach_whateverItsTrace() {
        String traceA = "1111aaaa1111aaaa1111aaaa1111aaaa";
        String traceB = "2222bbbb2222bbbb2222bbbb2222bbbb";
        storeUnderTwoTracesAndOneWithout("traced-links-p", linkTopic, traceA, traceB);

        String pollTrace = "3333cccc3333cccc3333cccc3333cccc";
        JsonNode polled = null;
        for (long end = System.nanoTime() + BOUND.toNanos(); polled == null && System.nanoTime() < end; ) {
            Reply poll = client.send(HttpRequest.newBuilder(client.uri(client.consumePort(),
                    "/mq/message?consumer=traced-links-g&topic=" + linkTopic + "&maxPullSize=10&pullTimeout=5"))
                .header("traceparent", parent(pollTrace, "00000000000c0ffe")).GET());
            assertThat(poll.status()).as(poll.raw().body()).isEqualTo(200);
            if (poll.result().path("msgList").size() > 0) {
                polled = poll.result();
            }
        }
        assertThat(polled).as("the messages are delivered").isNotNull();
        assertThat(polled.path("msgList").size()).as("one pop of the one queue took all three").isEqualTo(3);

        List<Link> produced = produceSpans(traceA, traceB);
        ExportedSpan receive = awaitSpan(s -> s.traceId().equals(pollTrace)
            && Long.valueOf(3).equals(s.attribute("messaging.batch.message_count")));
        assertThat(receive.parentSpanId()).as("still the caller's child").isEqualTo("00000000000c0ffe");
        assertThat(receive.links()).as("a link to each traced message's produce span, none for the other")
            .containsExactlyInAnyOrderElementsOf(produced);
    }

    @Alongside
    @Test
    void anSseBatchOfSeveralMessages_linksTheProduceSpanOfEach_whateverItsTrace() {
        String traceA = "4444dddd4444dddd4444dddd4444dddd";
        String traceB = "5555eeee5555eeee5555eeee5555eeee";
        storeUnderTwoTracesAndOneWithout("traced-links-sse-p", linkStreamTopic, traceA, traceB);

        try (SseClient stream = SseClient.open(client.consumePort(), "/mq/stream?topic=" + linkStreamTopic
            + "&consumer=traced-links-sse-g")) {
            assertThat(stream.status()).as(String.valueOf(stream.errorBody())).isEqualTo(200);
            assertThat(stream.messages(3, BOUND)).hasSize(3);
        }

        List<Link> produced = produceSpans(traceA, traceB);
        ExportedSpan streamed = awaitSpan(s -> s.name().equals("stream " + linkStreamTopic));
        assertThat(streamed.attributes()).as("one pop of the one queue took all three")
            .containsEntry("messaging.batch.message_count", 3L);
        assertThat(streamed.parentSpanId()).as("still a child of its first message's context")
            .isIn(produced.stream().map(Link::spanId).toList());
        assertThat(streamed.links()).as("a link to each traced message's produce span, none for the other")
            .containsExactlyInAnyOrderElementsOf(produced);
    }

    @Alongside
    @Test
    void aWebhookRequestOfSeveralMessages_linksTheProduceSpanOfEach_whateverItsTrace() {
        // The first message's request is held: the pusher (one request at a time) pops no more meanwhile.
        String first = produce("traced-links-hook-p", null);
        await().atMost(BOUND).until(() -> heldHook.messageIds().contains(first));
        String traceA = "6666ffff6666ffff6666ffff6666ffff";
        String traceB = "77770000777700007777000077770000";
        storeUnderTwoTracesAndOneWithout("traced-links-hook-p", linkHookTopic, traceA, traceB);
        heldHook.release();
        await().atMost(BOUND).until(() -> heldHook.messageIds().size() >= 4);
        assertThat(heldHook.received().get(1).messageIds()).as("one pop of the one queue took all three")
            .hasSize(3);

        List<Link> produced = produceSpans(traceA, traceB);
        ExportedSpan pushed = awaitSpan(s -> s.name().equals("push " + linkHookTopic)
            && Long.valueOf(3).equals(s.attribute("messaging.batch.message_count")));
        assertThat(pushed.kind()).isEqualTo(OtlpReceiver.CLIENT);
        assertThat(pushed.parentSpanId()).as("still a child of its first message's context")
            .isIn(produced.stream().map(Link::spanId).toList());
        assertThat(pushed.links()).as("a link to each traced message's produce span, none for the other")
            .containsExactlyInAnyOrderElementsOf(produced);
    }

    /**
     * Stores three messages in the (one-queue) topic: two produced under two callers' traces, one sent by a
     * RocketMQ client with no trace context.
     */
    private static void storeUnderTwoTracesAndOneWithout(String producer, String topic, String traceA,
                                                         String traceB) {
        long before = StoredMessages.count(topic);
        produce(producer, parent(traceA, "000000000000000a"));
        produce(producer, parent(traceB, "000000000000000b"));
        try {
            SendResult untraced = nativeProducer().send(new Message(topic, "untraced".getBytes(StandardCharsets.UTF_8)));
            assertThat(untraced.getSendStatus()).isEqualTo(SendStatus.SEND_OK);
        } catch (Exception e) {
            throw new AssertionError("native send failed", e);
        }
        await().atMost(BOUND).until(() -> StoredMessages.count(topic) >= before + 3);
    }

    /** Links to the produce spans of the two traces (awaited after the delivery: one export wait, not two). */
    private static List<Link> produceSpans(String traceA, String traceB) {
        return Stream.of(traceA, traceB)
            .map(trace -> awaitSpan(s -> s.traceId().equals(trace) && s.name().startsWith("send")))
            .map(send -> new Link(send.traceId(), send.spanId()))
            .toList();
    }

    private static String produce(String producer, String traceparent) {
        HttpRequest.Builder request = HttpRequest.newBuilder(client.uri(client.producePort(), "/mq/produce"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"producer\":\"" + producer + "\",\"message\":\"m\"}"));
        if (traceparent != null) {
            request.header("traceparent", traceparent);
        }
        Reply sent = client.send(request);
        assertThat(sent.status()).as(sent.raw().body()).isEqualTo(200);
        return sent.result().path("msgId").asText();
    }

    private static synchronized DefaultMQProducer nativeProducer() throws Exception {
        if (nativeProducer == null) {
            DefaultMQProducer p = new DefaultMQProducer("traced-links-native");
            p.setNamesrvAddr(TestBroker.get().namesrvAddr());
            p.setInstanceName("traced-links-" + System.nanoTime());
            p.start();
            nativeProducer = p;
        }
        return nativeProducer;
    }

    private static Reply poll(String topic, String group, String requestId, String trace) {
        Reply poll = client.send(HttpRequest.newBuilder(client.uri(client.consumePort(), "/mq/message?consumer="
                + group + "&topic=" + topic + "&pullTimeout=1" + (requestId == null ? "" : "&requestId=" + requestId)))
            .header("traceparent", parent(trace, "00000000000acc00")).GET());
        assertThat(poll.status()).as(poll.raw().body()).isEqualTo(200);
        return poll;
    }

    private static String parent(String traceId, String spanId) {
        return "00-" + traceId + "-" + spanId + "-01";
    }

    private static ExportedSpan awaitSpan(java.util.function.Predicate<ExportedSpan> which) {
        return await().atMost(BOUND).until(() -> first(collector.spans(), which), Optional::isPresent).orElseThrow();
    }

    private static Optional<ExportedSpan> first(List<ExportedSpan> spans,
                                                java.util.function.Predicate<ExportedSpan> which) {
        return spans.stream().filter(which).findFirst();
    }
}
