package io.mqproxy.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.rocketmq.common.message.MessageQueue;
import org.junit.jupiter.api.Test;

/** The audit log's cursor: opaque to callers, checked when it comes back. */
class AuditCursorTest {
    @Test
    void aCursor_roundTrips() {
        Map<MessageQueue, Long> at = new LinkedHashMap<>();
        at.put(new MessageQueue(AuditTopic.TOPIC, "broker-a", 0), 12_345L);
        at.put(new MessageQueue(AuditTopic.TOPIC, "broker-b", 3), 7L);
        assertThat(AuditTopic.decode(AuditTopic.encode(at))).isEqualTo(at);
    }

    @Test
    void aCursorNotGivenByAPage_isRefused() {
        for (String bad : new String[] {"", "!!", "bm9wZQ", b64("a1:"), b64("a1:b/x/1"), b64("a1:b/0/-1"),
            b64("a1:/0/1"), b64("a2:b/0/1"), b64("a1:b/0"), b64("a1:b/0/1/2")}) {
            assertThatThrownBy(() -> AuditTopic.decode(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    private static String b64(String s) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
}
