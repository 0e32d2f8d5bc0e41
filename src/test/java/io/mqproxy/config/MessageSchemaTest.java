package io.mqproxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** A producer's JSON Schema: compiled once, a body checked with the first failing place named. */
class MessageSchemaTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }

    private static byte[] body(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aConformingBody_passes_andAFailingOne_namesTheFirstFailingPath() throws Exception {
        MessageSchema schema = MessageSchema.compile(json("""
            {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
             "required": ["id", "amount"],
             "properties": {"id": {"type": "string"}, "amount": {"type": "number", "minimum": 0},
                            "lines": {"type": "array", "items": {"$ref": "#/$defs/line"}}},
             "$defs": {"line": {"type": "object", "required": ["sku"]}}}
            """));
        assertThat(schema.violation(body("{\"id\":\"a\",\"amount\":3}"))).isNull();
        assertThat(schema.violation(body("{\"id\":\"a\",\"amount\":-1}"))).contains("/amount");
        assertThat(schema.violation(body("{\"id\":\"a\",\"amount\":1,\"lines\":[{\"sku\":\"x\"},{}]}")))
            .contains("/lines/1");
        assertThat(schema.violation(body("{\"id\":\"a\"}"))).contains("amount");
        assertThat(schema.violation(body("not json"))).contains("is not JSON");
        assertThat(schema.violation(body("{\"id\":\"a\",\"amount\":3} and more"))).contains("is not JSON");
        assertThat(schema.violation(body("{\"id\":\"a\",\"amount\":-1}"))).endsWith("at /amount: must have a minimum value of 0");
    }

    @Test
    void aBrokenSchema_isRefused_atCompile() throws Exception {
        assertThatThrownBy(() -> MessageSchema.compile(json("[1,2]"))).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("JSON Schema object");
        assertThatThrownBy(() -> MessageSchema.compile(json("{\"type\": 5}")))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at /type");
        assertThatThrownBy(() -> MessageSchema.compile(json("{\"$ref\": \"#/$defs/missing\"}")))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot be resolved");
    }
}
