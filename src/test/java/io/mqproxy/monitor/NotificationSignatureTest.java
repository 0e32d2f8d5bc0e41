package io.mqproxy.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The documented scheme, with a fixed vector a receiver in any language can check against. */
class NotificationSignatureTest {
    @Test
    void signsTimestampDotBody_withHmacSha256() {
        byte[] body = "{\"status\":\"firing\"}".getBytes(StandardCharsets.UTF_8);
        // printf '1767225600.{"status":"firing"}' | openssl dgst -sha256 -hmac 'topsecret-0123456789'
        assertThat(NotificationSignature.sign("topsecret-0123456789", "1767225600", body))
            .isEqualTo("sha256=83779bd3e46c244b7920714fe6d0192cc04b2917a932166f88d9afba3a4f41aa");
    }

    @Test
    void verify_refusesAnotherSecret_anotherTimestamp_orAnotherBody() {
        byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
        String sig = NotificationSignature.sign("s-0123456789abcdef", "100", body);
        assertThat(NotificationSignature.verify("s-0123456789abcdef", "100", body, sig)).isTrue();
        assertThat(NotificationSignature.verify("t-0123456789abcdef", "100", body, sig)).isFalse();
        assertThat(NotificationSignature.verify("s-0123456789abcdef", "101", body, sig)).isFalse();
        assertThat(NotificationSignature.verify("s-0123456789abcdef", "100", "{ }".getBytes(StandardCharsets.UTF_8),
            sig)).isFalse();
        assertThat(NotificationSignature.verify("s-0123456789abcdef", null, body, sig)).isFalse();
    }
}
