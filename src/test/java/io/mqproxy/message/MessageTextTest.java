package io.mqproxy.message;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Bodies written into JSON from their bytes must read exactly as the String path wrote them. */
class MessageTextTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static String viaBytes(byte[] body) throws Exception {
        return new String(JSON.writeValueAsBytes(Map.of("m", MessageText.of(body))), StandardCharsets.UTF_8);
    }

    private static String viaString(String text) throws Exception {
        return new String(JSON.writeValueAsBytes(Map.of("m", text)), StandardCharsets.UTF_8);
    }

    @Test
    void utf8Text_isWrittenAsTheStringWouldBe_escapesIncluded() throws Exception {
        for (String text : new String[] {"plain ascii", "quote \" backslash \\ slash /", "tab\tnew\nline\r\u0000\u001f",
            "héllo wörld €", "emoji 😀 and 中文", "\u2028\u2029", "\uFFFD replacement char", ""}) {
            byte[] body = text.getBytes(StandardCharsets.UTF_8);
            // Characters beyond the BMP: the String path escapes their surrogates (\uD83D\uDE00), the byte path
            // writes their four UTF-8 bytes; both are the same JSON string.
            assertThat(JSON.readTree(viaBytes(body))).as(text).isEqualTo(JSON.readTree(viaString(text)));
            if (text.codePoints().allMatch(Character::isBmpCodePoint)) {
                assertThat(viaBytes(body)).as(text).isEqualTo(viaString(text));
            }
            assertThat(MessageText.of(body).encoding()).isNull();
            assertThat(MessageText.of(body).text()).isEqualTo(text);
            assertThat(JSON.readTree(JSON.writeValueAsString(Map.of("m", MessageText.of(body)))))
                .as("String output, " + text).isEqualTo(JSON.readTree(viaString(text)));
        }
    }

    @Test
    void notUtf8_isBase64_byteForByte() throws Exception {
        byte[][] bodies = {{(byte) 0xff, 0x00, 0x41}, {0x41, (byte) 0xc3}, {(byte) 0xed, (byte) 0xa0, (byte) 0x80},
            {(byte) 0xc0, (byte) 0x80}, "latin1 é".getBytes(StandardCharsets.ISO_8859_1)};
        for (byte[] body : bodies) {
            MessageText t = MessageText.of(body);
            assertThat(t.encoding()).isEqualTo(MessageText.BASE64);
            assertThat(Base64.getDecoder().decode(t.text())).isEqualTo(body);
            assertThat(viaBytes(body)).isEqualTo(viaString(Base64.getEncoder().encodeToString(body)));
        }
    }

    /** The decision as the String path made it (the lookup's own class did, until it used this one). */
    private record OldDecision(String text, String encoding) {
        static OldDecision of(byte[] body) {
            String text = new String(body, StandardCharsets.UTF_8);
            if (text.indexOf('\uFFFD') >= 0 && !java.util.Arrays.equals(text.getBytes(StandardCharsets.UTF_8), body)) {
                return new OldDecision(Base64.getEncoder().encodeToString(body), MessageText.BASE64);
            }
            return new OldDecision(text, null);
        }
    }

    @Test
    void randomBodies_agreeWithTheOldStringDecision() throws Exception {
        Random random = new Random(42);
        for (int i = 0; i < 2_000; i++) {
            byte[] body = new byte[random.nextInt(64)];
            random.nextBytes(body);
            if (i % 2 == 0) {
                for (int k = 0; k < body.length; k++) {
                    body[k] &= 0x7f;
                }
            }
            OldDecision old = OldDecision.of(body);
            MessageText now = MessageText.of(body);
            assertThat(now.encoding()).isEqualTo(old.encoding());
            assertThat(now.text()).isEqualTo(old.text());
            assertThat(JSON.readTree(viaBytes(body))).isEqualTo(JSON.readTree(viaString(old.text())));
        }
    }
}
