package io.mqproxy.consume;

import static io.mqproxy.testing.ProxyClient.form;
import static org.assertj.core.api.Assertions.assertThat;

import io.mqproxy.testing.Consumer;
import io.mqproxy.testing.TestBroker;
import io.mqproxy.testing.TestProxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConsumeSmokeIT {
    @Test
    void produceThenConsume_concurrentAndQueueHeld() {
        String topic = TestBroker.get().newTopic("csmoke", 4);
        try (TestProxy proxy = TestProxy.builder().producer("p1", topic)
            .consumer("g-pop", topic, Map.of("pop", true))
            .consumer("g-held", topic, Map.of()).start()) {
            for (int i = 0; i < 10; i++) {
                assertThat(proxy.client().produce(form("producer", "p1", "message", "m" + i)).status()).isEqualTo(200);
            }
            for (String group : List.of("g-pop", "g-held")) {
                Consumer c = new Consumer(proxy.client(), topic, group);
                List<String> got = new ArrayList<>();
                for (int i = 0; i < 20 && got.size() < 10; i++) {
                    var reply = c.poll();
                    assertThat(reply.status()).as(reply.body().toString()).isEqualTo(200);
                    got.addAll(Consumer.bodies(reply));
                }
                assertThat(got).as(group).containsExactlyInAnyOrder("m0", "m1", "m2", "m3", "m4", "m5", "m6", "m7",
                    "m8", "m9");
                var last = c.poll();
                assertThat(last.result().path("status").asText()).isEqualTo("NO_NEW_MSG");
            }
        }
    }
}
