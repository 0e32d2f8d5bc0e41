package io.mqproxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void readTree_ofASlice_readsOnlyTheSlice() throws Exception {
        String json = "{\"producer\":\"p\",\"messages\":[\"h\u00e9llo\",{\"a\":1}]}";
        Buffer whole = Buffer.buffer("garbage" + json + "trailing]]");
        int start = "garbage".length();
        Buffer slice = whole.slice(start, start + json.getBytes(StandardCharsets.UTF_8).length);

        var node = Json.readTree(slice);

        assertThat(node.path("producer").asText()).isEqualTo("p");
        assertThat(node.path("messages").get(0).asText()).isEqualTo("h\u00e9llo");
        assertThat(node.path("messages").get(1).toString()).isEqualTo("{\"a\":1}");
    }

    @Test
    void readTree_ofAPlainBuffer() throws Exception {
        assertThat(Json.readTree(Buffer.buffer("[1,2]")).size()).isEqualTo(2);
    }
}
