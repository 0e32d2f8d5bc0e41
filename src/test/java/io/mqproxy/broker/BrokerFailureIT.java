package io.mqproxy.broker;

import static io.mqproxy.testing.ProxyClient.form;
import static org.assertj.core.api.Assertions.assertThat;

import io.mqproxy.testing.Alongside;
import io.mqproxy.testing.FreePorts;
import io.mqproxy.testing.ProxyClient;
import io.mqproxy.testing.ProxyClient.Reply;
import io.mqproxy.testing.StoredMessages;
import io.mqproxy.testing.SilentBroker;
import io.mqproxy.testing.TestBroker;
import io.mqproxy.testing.TestProxy;
import org.junit.jupiter.api.Test;

/**
 * When the broker cannot be reached or does not answer in time, production never answers {@code 200},
 * readiness says so, and the proxy stays up.
 */
class BrokerFailureIT {

    @Alongside
    @Test
    void nameServerUnreachable_proxyStarts_produceIs500_readyIs503_healthIs200() {
        try (TestProxy proxy = TestProxy.builder()
            .namesrvAddr("127.0.0.1:" + FreePorts.any())
            .producer("down-producer", "down-topic")
            .start()) {
            ProxyClient client = proxy.client();

            Reply single = client.produce(form("producer", "down-producer", "message", "lost?"));
            assertThat(single.httpStatus()).isEqualTo(200);
            assertThat(single.status()).as(single.raw().body()).isEqualTo(500);
            assertThat(single.message()).isNotBlank();

            Reply batch = client.produceBatch(form("producer", "down-producer", "messages", "[\"a\",\"b\"]"));
            assertThat(batch.status()).as(batch.raw().body()).isEqualTo(500);

            for (int port : new int[] {client.producePort(), client.adminPort()}) {
                assertThat(client.get(port, "/ready").httpStatus()).as("ready on %d", port).isEqualTo(503);
                assertThat(client.get(port, "/health").httpStatus()).as("health on %d", port).isEqualTo(200);
            }
            // Bad input is still refused as such, before any broker call.
            assertThat(client.produce(form("producer", "down-producer")).status()).isEqualTo(400);
        }
    }

    @Alongside
    @Test
    void brokerThatNeverAnswers_isNever200_andTheProxyStaysUp() throws Exception {
        String topic = TestBroker.get().newTopic("slow", 2);
        try (SilentBroker silent = new SilentBroker("silent-" + topic);
             TestProxy slow = TestProxy.builder()
                 .producer("slow-producer", silent.topic())
                 .set("broker.sendTimeoutMillis", "500")
                 .start()) {
            for (int i = 0; i < 3; i++) {
                Reply reply = slow.client().produce(form("producer", "slow-producer", "message", "slow " + i));
                // Unanswered: 300 (unknown) when the request went out, 500 when it could not even be written.
                assertThat(reply.status()).as(reply.raw().body()).isIn(300, 500);
                assertThat(reply.message()).isNotBlank();
            }
            Reply batch = slow.client().produceBatch(form("producer", "slow-producer", "messages", "[\"a\",\"b\"]"));
            assertThat(batch.status()).as(batch.raw().body()).isIn(300, 500);
            if (batch.status() == 300) {
                assertThat(batch.message()).as("300 means unknown, not 'nothing sent'").doesNotContain("no message was sent");
            }
            assertThat(slow.client().get(slow.client().producePort(), "/health").httpStatus()).isEqualTo(200);
        }
        try (TestProxy normal = TestProxy.builder().producer("slow-producer", topic).start()) {
            Reply reply = normal.client().produce(form("producer", "slow-producer", "message", "fine"));
            assertThat(reply.status()).as(reply.raw().body()).isEqualTo(200);
            assertThat(StoredMessages.bodies(StoredMessages.readAll(topic))).contains("fine");
        }
    }

    @Alongside
    @Test
    void produceToATopicTheBrokerDoesNotHave_is500_notStored() {
        try (TestProxy proxy = TestProxy.builder().producer("ghost-producer", "ghost-topic-never-created").start()) {
            Reply reply = proxy.client().produce(form("producer", "ghost-producer", "message", "nowhere"));
            assertThat(reply.status()).as(reply.raw().body()).isEqualTo(500);
            assertThat(reply.message()).contains("ghost-topic-never-created");
            // A configured topic that is not served is what "not ready" means; the proxy stays up.
            Reply ready = proxy.client().get(proxy.client().producePort(), "/ready");
            assertThat(ready.httpStatus()).isEqualTo(503);
            assertThat(ready.message()).contains("ghost-topic-never-created");
            assertThat(proxy.client().get(proxy.client().producePort(), "/health").httpStatus()).isEqualTo(200);
        }
    }
}
