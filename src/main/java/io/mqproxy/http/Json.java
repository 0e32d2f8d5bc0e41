package io.mqproxy.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.netty.buffer.ByteBuf;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;

/** The one JSON mapper of the HTTP edge. */
final class Json {
    static final ObjectMapper MAPPER = JsonMapper.builder()
        .serializationInclusion(JsonInclude.Include.NON_NULL)
        .build();

    private Json() {
    }

    /**
     * Parses a request body where it lies: a batch body is tens of KiB, and copying it into a new array
     * first (Buffer.getBytes) was a tenth of the batch route's event-loop time.
     */
    static JsonNode readTree(Buffer body) throws IOException {
        ByteBuf bytes = body.getByteBuf();
        if (bytes.hasArray()) {
            return MAPPER.readTree(bytes.array(), bytes.arrayOffset() + bytes.readerIndex(), bytes.readableBytes());
        }
        return MAPPER.readTree(body.getBytes());
    }
}
