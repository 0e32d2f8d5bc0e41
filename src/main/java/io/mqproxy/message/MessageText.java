package io.mqproxy.message;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.json.UTF8JsonGenerator;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * A message's body as an answer carries it (a delivery, a looked-up message): UTF-8 text is kept as the bytes the broker gave and
 * written into the JSON answer from them (escaped where JSON needs it), never decoded into a String and
 * encoded again; anything else (a body another producer wrote in binary or another charset) is base64,
 * marked by {@link #encoding()}, so that no byte is lost. Answers carry up to 128 bodies: the detour through
 * Strings was two copies and a UTF-8 round trip per body.
 */
@JsonSerialize(using = MessageText.Writer.class)
public final class MessageText {
    /** The {@link #encoding()} of a body that is not UTF-8 text. */
    public static final String BASE64 = "base64";

    /** The body when it is UTF-8 text, else null. */
    private final byte[] utf8;
    /** The body base64-encoded when it is not UTF-8 text, else null. */
    private final String base64;

    private MessageText(byte[] utf8, String base64) {
        this.utf8 = utf8;
        this.base64 = base64;
    }

    public static MessageText of(byte[] body) {
        return isUtf8(body) ? new MessageText(body, null)
            : new MessageText(null, Base64.getEncoder().encodeToString(body));
    }

    /** {@code null} for UTF-8 text, {@link #BASE64} for a body that is not. */
    public String encoding() {
        return utf8 == null ? BASE64 : null;
    }

    /** The text as JSON shows it: the body's text, or its base64. */
    public String text() {
        return utf8 == null ? base64 : new String(utf8, StandardCharsets.UTF_8);
    }

    /** About how many bytes the body takes in JSON (escapes aside): to size an answer's buffer once. */
    public int jsonSizeHint() {
        return utf8 == null ? base64.length() : utf8.length;
    }

    @Override
    public String toString() {
        return text();
    }

    /** Well-formed UTF-8, checked without building a String; ASCII (most bodies) needs one pass over the bytes. */
    public static boolean isUtf8(byte[] body) {
        int i = 0;
        while (i < body.length && body[i] >= 0) {
            i++;
        }
        if (i == body.length) {
            return true;
        }
        try {
            StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(body, i, body.length - i));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    /** Writes UTF-8 bodies as they are into byte-oriented output; other generators (Strings) get the text. */
    static final class Writer extends StdSerializer<MessageText> {
        Writer() {
            super(MessageText.class);
        }

        @Override
        public void serialize(MessageText value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            if (value.utf8 == null) {
                gen.writeString(value.base64);
            } else if (gen instanceof UTF8JsonGenerator) {
                gen.writeUTF8String(value.utf8, 0, value.utf8.length);
            } else {
                gen.writeString(value.text());
            }
        }
    }
}
