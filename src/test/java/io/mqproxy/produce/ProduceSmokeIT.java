package io.mqproxy.produce;

import static io.mqproxy.testing.ProxyClient.form;
import static org.assertj.core.api.Assertions.assertThat;

import io.mqproxy.testing.TestBroker;
import io.mqproxy.testing.TestProxy;
import org.apache.rocketmq.common.message.MessageExt;
import org.junit.jupiter.api.Test;

class ProduceSmokeIT {
    @Test
    void produce_formPost_isStoredByBroker() throws Exception {
        String topic = TestBroker.get().newTopic("smoke", 4);
        try (TestProxy proxy = TestProxy.builder().producer("smoke-producer", topic).start()) {
            var reply = proxy.client().produce(form("producer", "smoke-producer", "message", "héllo"));
            assertThat(reply.status()).as(reply.body().toString()).isEqualTo(200);
            String msgId = reply.result().path("msgId").asText();
            MessageExt stored = TestBroker.get().admin().viewMessage(topic, msgId);
            assertThat(new String(stored.getBody(), "UTF-8")).isEqualTo("héllo");
        }
    }
}
