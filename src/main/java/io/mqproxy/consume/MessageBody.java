package io.mqproxy.consume;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/**
 * A message body as JSON can carry it: UTF-8 text as it is; anything else (a body another producer
 * wrote in binary or another charset) base64-encoded and marked, so that no byte is lost.
 */
public record MessageBody(String text, String encoding) {
    public static final String BASE64 = "base64";

    public static MessageBody of(byte[] body) {
        String text = new String(body, StandardCharsets.UTF_8);
        // Decoding replaces what is not UTF-8 with U+FFFD; only then is the slower exact check needed.
        if (text.indexOf('\uFFFD') >= 0 && !Arrays.equals(text.getBytes(StandardCharsets.UTF_8), body)) {
            return new MessageBody(Base64.getEncoder().encodeToString(body), BASE64);
        }
        return new MessageBody(text, null);
    }
}
