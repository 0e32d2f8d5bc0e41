package io.mqproxy.produce;

import static io.mqproxy.testing.ProxyClient.form;
import static org.assertj.core.api.Assertions.assertThat;

import io.mqproxy.testing.TestBroker;
import io.mqproxy.testing.TestProxy;
import org.junit.jupiter.api.Test;

class DeliveryLimitIT {
    @Test
    void deliveryTimestampBeyondTheBrokersMaximumDelay_isRefusedNamingIt() throws Exception {
        String topic = TestBroker.get().newTopic("far", 1);
        try (TestProxy proxy = TestProxy.builder().producer("far-p", topic).start()) {
            long fourDays = System.currentTimeMillis() + 4L * 86_400_000;
            var reply = proxy.client().produce(form("producer", "far-p", "message", "x",
                "deliveryTimestamp", Long.toString(fourDays)));
            assertThat(reply.status()).isEqualTo(400);
            assertThat(reply.message()).startsWith("deliveryTimestamp:").contains("259200");
            assertThat(TestBroker.get().admin().examineTopicStats(topic).getOffsetTable().values())
                .allSatisfy(o -> assertThat(o.getMaxOffset()).isZero());
        }
    }
}
