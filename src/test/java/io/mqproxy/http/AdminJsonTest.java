package io.mqproxy.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mqproxy.error.ProxyError;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

/** The admin port's JSON bodies: within bounds they read as any JSON; out of them, a 400 naming the key or rule. */
class AdminJsonTest {
    private static Buffer body(String json) {
        return Buffer.buffer(json);
    }

    @Test
    void aBodyWithinBounds_readsAsTheTree() throws Exception {
        var node = AdminJson.readTree(body("{\"id\":\"c\",\"producers\":[\"a\",\"b\"],\"nested\":{\"id\":\"c\"}}"));
        assertThat(node.path("producers").size()).isEqualTo(2);
        // The same key in two objects is not a duplicate.
        assertThat(node.path("nested").path("id").asText()).isEqualTo("c");
    }

    @Test
    void aKeyTwiceInOneObject_isRefusedNamingIt_atAnyLevel() {
        assertThatThrownBy(() -> AdminJson.readTree(body("{\"a\":1,\"a\":2}"))).isInstanceOf(ProxyError.class)
            .hasMessageStartingWith("a: is given twice");
        assertThatThrownBy(() -> AdminJson.readTree(body("{\"x\":[{\"b\":1,\"b\":1}]}")))
            .hasMessageStartingWith("b: is given twice");
    }

    @Test
    void moreKeysThanTheBound_isRefused() throws Exception {
        StringBuilder json = new StringBuilder("{");
        for (int i = 0; i < AdminJson.MAX_KEYS; i++) {
            json.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":").append(i);
        }
        assertThat(AdminJson.readTree(body(json + "}")).size()).isEqualTo(AdminJson.MAX_KEYS);
        assertThatThrownBy(() -> AdminJson.readTree(body(json + ",\"one-more\":1}")))
            .hasMessageStartingWith("request body: an object has more than " + AdminJson.MAX_KEYS + " keys");
    }

    @Test
    void deeperThanTheBound_isRefused() throws Exception {
        String deepest = "[".repeat(AdminJson.MAX_DEPTH) + "]".repeat(AdminJson.MAX_DEPTH);
        assertThat(AdminJson.readTree(body(deepest)).isArray()).isTrue();
        assertThatThrownBy(() -> AdminJson.readTree(body("[" + deepest + "]")))
            .hasMessageStartingWith("request body: nested too deep");
    }

    @Test
    void moreTokensThanTheBound_isRefused() {
        String many = "[" + "1,".repeat((int) AdminJson.MAX_TOKENS) + "1]";
        assertThatThrownBy(() -> AdminJson.readTree(body(many))).isInstanceOf(ProxyError.class)
            .hasMessageStartingWith("request body: beyond the bounds of an admin body");
    }
}
