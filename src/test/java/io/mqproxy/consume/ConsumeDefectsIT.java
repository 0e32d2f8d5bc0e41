package io.mqproxy.consume;

import static io.mqproxy.consume.ConsumeSupport.awaitStored;
import static io.mqproxy.consume.ConsumeSupport.messages;
import static io.mqproxy.consume.ConsumeSupport.ok;
import static io.mqproxy.consume.ConsumeSupport.settings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqproxy.broker.ReceiptHandle;
import io.mqproxy.consume.ConsumeSupport.Lane;
import io.mqproxy.testing.Alongside;
import io.mqproxy.testing.Consumer;
import io.mqproxy.testing.ProxyClient;
import io.mqproxy.testing.SilentBroker;
import io.mqproxy.testing.TestBroker;
import io.mqproxy.testing.TestProxy;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.remoting.protocol.subscription.SubscriptionGroupConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Consumption defects found by the outside probe, each shown from outside, over HTTP. */
class ConsumeDefectsIT {
    private static Lane capped;
    private static Lane heldDefault;
    private static Lane binary;
    private static Lane departed;
    private static Lane refused;
    private static TestProxy proxy;
    private static ProxyClient client;

    @BeforeAll
    static void start() {
        TestProxy.Builder b = TestProxy.builder();
        capped = Lane.create("defect-capped", 1);
        capped.register(b, settings("pop", true, "minConsumeTimeoutSeconds", 1, "consumeTimeoutSeconds", 2,
            "maxConsumeTimeoutSeconds", 3));
        heldDefault = Lane.create("defect-held-cap", 1);
        heldDefault.register(b, settings("pop", false));
        binary = Lane.create("defect-binary", 1);
        binary.register(b, settings("pop", true));
        departed = Lane.create("defect-departed", 2);
        departed.register(b, settings("pop", true, "consumeTimeoutSeconds", 120));
        refused = Lane.create("defect-refused", 1);
        refused.register(b, settings("pop", true));
        proxy = b.set("http.maxBodyBytes", Integer.toString(64 << 20)).start();
        client = proxy.client();
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.close();
        }
    }

    @Alongside
    @Test
    void consumeTimeoutAboveTheGroupsCap_isServedAtTheCap_andSaysSo() {
        capped.produce(client, "capped");
        Consumer c = capped.consumer(client).with("consumeTimeout", "600").with("pullTimeout", "5");
        long takenAt = System.nanoTime();
        ProxyClient.Reply first = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
            .until(c::pollWithoutAck, r -> !messages(r).isEmpty());
        assertThat(first.result().path("consumeTimeout").asInt()).isEqualTo(3);

        // Reserved for 3 s, not 600: it comes back well within a minute.
        Consumer next = capped.consumer(client).with("pullTimeout", "1");
        ProxyClient.Reply back = await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(100))
            .until(next::pollWithoutAck, r -> !messages(r).isEmpty());
        assertThat(messages(back).get(0).path("deliveryCount").asInt()).isEqualTo(2);
        assertThat(Duration.ofNanos(System.nanoTime() - takenAt)).isLessThan(Duration.ofSeconds(60));
    }

    @Alongside
    @Test
    void queueHeldGroup_byDefault_reservesAtMostAnHour() {
        heldDefault.produce(client, "held");
        Consumer c = heldDefault.consumer(client).with("consumeTimeout", "129600").with("pullTimeout", "5");
        ProxyClient.Reply got = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
            .until(c::pollWithoutAck, r -> !messages(r).isEmpty());
        assertThat(got.result().path("consumeTimeout").asInt()).isEqualTo(3600);
        ok(c.call("/mq/ack"));
    }

    @Alongside
    @Test
    void aBodyThatIsNotUtf8_isDeliveredByteForByte_asBase64() throws Exception {
        byte[] raw = {(byte) 0xff, (byte) 0xfe, 0, (byte) 0x80, 'a', (byte) 0xc3};
        DefaultMQProducer producer = new DefaultMQProducer("defect-binary-native");
        producer.setNamesrvAddr(TestBroker.get().namesrvAddr());
        producer.setInstanceName("defect-binary-" + System.nanoTime());
        producer.start();
        try {
            producer.send(new Message(binary.topic(), raw));
            producer.send(new Message(binary.topic(), "plain text \u00e9\u6f22".getBytes(StandardCharsets.UTF_8)));
        } finally {
            producer.shutdown();
        }
        awaitStored(binary.topic(), 2);
        Consumer c = binary.consumer(client).with("pullTimeout", "5");
        List<JsonNode> got = new ArrayList<>();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            got.addAll(messages(c.poll()));
            return got.size() >= 2;
        });
        JsonNode bin = got.stream().filter(m -> m.has("encoding")).findFirst().orElseThrow();
        assertThat(bin.path("encoding").asText()).isEqualTo("base64");
        assertThat(Base64.getDecoder().decode(bin.path("message").asText())).isEqualTo(raw);
        JsonNode text = got.stream().filter(m -> !m.has("encoding")).findFirst().orElseThrow();
        assertThat(text.path("message").asText()).isEqualTo("plain text \u00e9\u6f22");
        ok(c.call("/mq/ack"));
    }

    /**
     * The client asked for a big batch and left while the answer was being written: the batch is
     * given back at once, not kept invisible for its consumeTimeout (120 s).
     */
    @Alongside
    @Test
    void aBatchTheClientNeverReceived_isGivenBackAtOnce() throws Exception {
        String body = "x".repeat(256 * 1024);
        for (int i = 0; i < 64; i++) {
            departed.produce(client, i + body);
        }
        awaitStored(departed.topic(), 64);
        try (Socket socket = new Socket()) {
            socket.setReceiveBufferSize(4096);
            socket.connect(new InetSocketAddress("127.0.0.1", client.consumePort()));
            OutputStream out = socket.getOutputStream();
            out.write(("GET /mq/message?topic=" + departed.topic() + "&consumer=" + departed.group()
                + "&maxPullSize=64&pullTimeout=5 HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            assertThat(in.read()).as("the answer has started").isNotEqualTo(-1);
            socket.setSoLinger(true, 0); // reset: the rest of the answer is never read
        }
        long leftAt = System.nanoTime();
        Consumer next = departed.consumer(client).with("pullTimeout", "1").with("maxPullSize", "64");
        List<JsonNode> back = new ArrayList<>();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
            back.addAll(messages(next.poll()));
            return back.size() >= 64;
        });
        assertThat(Duration.ofNanos(System.nanoTime() - leftAt)).as("well before consumeTimeout (120 s)")
            .isLessThan(Duration.ofSeconds(60));
        // Given back as never delivered (issue 22): it spends none of the group's retry budget.
        assertThat(back).allSatisfy(m -> assertThat(m.path("deliveryCount").asInt()).isEqualTo(1));
        ok(next.call("/mq/ack"));
    }

    /** A group whose consumption the broker refuses is an error that says so, not the operator's PAUSED. */
    @Alongside
    @Test
    void brokerRefusingTheGroup_isAnError_notPaused() throws Exception {
        Consumer c = refused.consumer(client);
        assertThat(ConsumeSupport.resultStatus(c.poll())).isEqualTo("NO_NEW_MSG"); // the broker creates the group
        String brokerAddr = TestBroker.get().brokerAddr();
        SubscriptionGroupConfig config = await().atMost(Duration.ofSeconds(10)).until(
            () -> TestBroker.get().admin().examineSubscriptionGroupConfig(brokerAddr, refused.group()), g -> g != null);
        config.setConsumeEnable(false);
        TestBroker.get().admin().createAndUpdateSubscriptionGroupConfig(brokerAddr, config);

        ProxyClient.Reply reply = c.poll();
        assertThat(reply.status()).as(reply.raw().body()).isEqualTo(500);
        assertThat(reply.message()).contains("no permission");
    }

    /** Acks take a bounded number of places: past it an ack is refused at once, not queued without end. */
    @Alongside
    @Test
    void acksInFlight_areBounded() throws Exception {
        try (SilentBroker silent = new SilentBroker("silent-acks-" + System.nanoTime());
             TestProxy bounded = TestProxy.builder()
                 .consumer("silent-acks-group", silent.topic(), settings("pop", true))
                 .set("consume.maxAcksInFlight", "2")
                 .start()) {
            // Batches the silent broker "delivered": acks of them wait for an answer that never comes.
            RequestIdCodec codec = new RequestIdCodec(TestProxy.SECRET.getBytes(StandardCharsets.UTF_8));
            List<URI> acks = new ArrayList<>();
            for (int offset = 0; offset < 3; offset++) {
                String requestId = codec.encode(new BatchReceipt("silent-acks-group", silent.topic(), null,
                    List.of(new ReceiptHandle(offset, System.currentTimeMillis(), 60_000, 0, "0", silent.brokerName(),
                        0, offset))));
                acks.add(URI.create("http://127.0.0.1:" + bounded.client().consumePort() + "/mq/ack?topic="
                    + silent.topic() + "&consumer=silent-acks-group&requestId=" + requestId));
            }
            HttpClient http = HttpClient.newHttpClient();
            List<CompletableFuture<HttpResponse<String>>> waiting = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                waiting.add(http.sendAsync(HttpRequest.newBuilder(acks.get(i)).build(),
                    HttpResponse.BodyHandlers.ofString()));
            }
            // The two acks hold the ack permits once they are out at the silent broker.
            await("two acks at the silent broker").atMost(Duration.ofSeconds(10)).until(() -> silent.acks() >= 2);
            long sentAt = System.nanoTime();
            ProxyClient.Reply third = bounded.client().get(bounded.client().consumePort(), acks.get(2).getRawPath()
                + "?" + acks.get(2).getRawQuery());
            assertThat(third.status()).as(third.raw().body()).isEqualTo(503);
            assertThat(Duration.ofNanos(System.nanoTime() - sentAt)).as("refused at once")
                .isLessThan(Duration.ofSeconds(2));
            for (CompletableFuture<HttpResponse<String>> w : waiting) {
                assertThat(w.get().body()).contains("\"status\":500");
            }
        }
    }
}
