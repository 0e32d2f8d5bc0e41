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
     * Writes the value as JSON straight into a buffer that becomes the response: no byte array in between
     * (writeValueAsBytes built one in chunks, joined them, and the Buffer copied it again).
     */
    static Buffer toBuffer(Object value, int sizeHint) throws IOException {
        Buffer out = Buffer.buffer(sizeHint);
        MAPPER.writeValue(new BufferOutput(out), value);
        return out;
    }

    /** Appends to a Vert.x buffer; Jackson hands over its own chunks of up to 8 KiB. */
    private static final class BufferOutput extends java.io.OutputStream {
        private final Buffer buffer;

        BufferOutput(Buffer buffer) {
            this.buffer = buffer;
        }

        @Override
        public void write(int b) {
            buffer.appendByte((byte) b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            buffer.appendBytes(b, off, len);
        }
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
