package io.mqproxy.push;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqproxy.testing.ProxyClient;
import io.mqproxy.testing.TestBroker;
import io.mqproxy.testing.TestProxy;
import java.util.LinkedHashMap;
import java.util.Map;

/** One push or stream scenario's own topic, producer and group, so no two scenarios share anything. */
record PushLane(String topic, String producer, String group) {
    static final String SECRET = "push-secret-0123456789";

    static PushLane create(String prefix, int queues) {
        String topic = TestBroker.get().newTopic(prefix, queues);
        return new PushLane(topic, "p-" + topic, "g-" + topic);
    }

    TestProxy.Builder register(TestProxy.Builder proxy, Map<String, Object> settings) {
        return proxy.producer(producer, topic).consumer(group, topic, settings);
    }

    String produce(ProxyClient client, String body, String... extra) {
        Map<String, String> params = ProxyClient.form("producer", producer, "message", body);
        params.putAll(ProxyClient.form(extra));
        ProxyClient.Reply reply = client.produce(params);
        assertThat(reply.status()).as("produce %s: %s", body, reply.body()).isEqualTo(200);
        return reply.result().path("msgId").asText();
    }

    static Map<String, Object> settings(Object... keyValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put((String) keyValues[i], keyValues[i + 1]);
        }
        return m;
    }

    /** A push: entry for the configuration file, with the test secret and quick back-off. */
    static Map<String, Object> push(String url, Object... more) {
        Map<String, Object> p = settings("url", url, "secret", SECRET, "minBackoffMillis", 1000,
            "maxBackoffMillis", 2000, "timeoutMillis", 5000);
        p.putAll(settings(more));
        return p;
    }
}
