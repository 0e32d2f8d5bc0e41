package io.mqproxy.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A consuming HTTP client as the seed's snippets are: it polls /mq/message and hands the previous
 * requestId back, which acknowledges the previous batch.
 */
public final class Consumer {
    private final ProxyClient client;
    private final Map<String, String> params = new LinkedHashMap<>();
    private String requestId = "";

    public Consumer(ProxyClient client, String topic, String consumer) {
        this.client = client;
        params.put("topic", topic);
        params.put("consumer", consumer);
    }

    public Consumer with(String param, String value) {
        params.put(param, value);
        return this;
    }

    /** Switches to another proxy instance, keeping the requestId (the proxy is stateless). */
    public Consumer via(ProxyClient other) {
        Consumer c = new Consumer(other, params.get("topic"), params.get("consumer"));
        c.params.putAll(params);
        c.requestId = requestId;
        return c;
    }

    /** One poll; acks the previous batch by passing its requestId. */
    public ProxyClient.Reply poll() {
        ProxyClient.Reply reply = client.get(client.consumePort(), "/mq/message?" + query(requestId));
        if (reply.status() == 200) {
            requestId = reply.result().path("requestId").asText("");
        }
        return reply;
    }

    /** One poll without acking the previous batch (a client that forgets or crashed). */
    public ProxyClient.Reply pollWithoutAck() {
        ProxyClient.Reply reply = client.get(client.consumePort(), "/mq/message?" + query(""));
        if (reply.status() == 200) {
            requestId = reply.result().path("requestId").asText("");
        }
        return reply;
    }

    public ProxyClient.Reply call(String path) {
        return client.get(client.consumePort(), path + "?" + query(requestId));
    }

    public String requestId() {
        return requestId;
    }

    public void requestId(String id) {
        requestId = id;
    }

    private String query(String rid) {
        StringBuilder q = new StringBuilder("requestId=").append(rid);
        params.forEach((k, v) -> q.append('&').append(k).append('=')
            .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
        return q.toString();
    }

    /** The bodies of every message (fresh and retried) in a reply. */
    public static List<String> bodies(ProxyClient.Reply reply) {
        List<String> out = new ArrayList<>();
        for (JsonNode m : reply.result().path("msgList")) {
            out.add(m.path("message").asText());
        }
        for (JsonNode m : reply.result().path("retryMsgList")) {
            out.add(m.path("message").asText());
        }
        return out;
    }
}
