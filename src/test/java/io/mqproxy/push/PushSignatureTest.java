package io.mqproxy.push;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The push signature's wire format, against a value computed apart (Python's hmac module). */
class PushSignatureTest {
    private static final byte[] BODY = "{\"messages\":[]}".getBytes(StandardCharsets.UTF_8);

    @Test
    void header_isTimeAndHexHmacOfTimeDotBody() {
        assertThat(PushSignature.header("push-secret-0123456789", 1767225600L, BODY))
            .isEqualTo("t=1767225600,v1=b1d16c175abd18a4a45267d77cd6ab4b0407f4ffc1facdf78663f7593aa818d0");
        assertThat(PushSignature.verify("push-secret-0123456789",
            "t=1767225600,v1=b1d16c175abd18a4a45267d77cd6ab4b0407f4ffc1facdf78663f7593aa818d0", BODY,
            1767225601L, 300)).isTrue();
    }
}
