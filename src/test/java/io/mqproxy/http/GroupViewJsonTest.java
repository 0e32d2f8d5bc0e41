package io.mqproxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqproxy.config.ProxyConfig;
import io.mqproxy.control.GroupCommands;
import io.mqproxy.registry.ConsumerGroup;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code GET /admin/groups/{group}} and {@code POST /admin/groups} answer with the group as Jackson writes it. */
class GroupViewJsonTest {
    @Test
    void groupView_isTheFlatGroupAndItsSources() throws Exception {
        ConsumerGroup g = ConsumerGroup.registered("g", "t", new ProxyConfig.GroupSettings(
            ProxyConfig.ConsumeMode.CLUSTERING, true, 32, 30, 1, 0, 10, 16, ProxyConfig.StartPosition.LATEST, 0, 100),
            null, null).withPaused(true).withRateLimit(5);
        Map<String, String> sources = new LinkedHashMap<>();
        sources.put("maxPullSize", "default");
        sources.put("paused", "runtime");

        String json = Json.toBuffer(new GroupCommands.GroupView(g, 300, "runtime", sources), 256)
            .toString(StandardCharsets.UTF_8);

        assertThat(json).isEqualTo("{\"group\":{\"name\":\"g\",\"topic\":\"t\",\"mode\":\"CLUSTERING\",\"pop\":true,"
            + "\"maxPullSize\":32,\"consumeTimeoutSeconds\":30,\"minConsumeTimeoutSeconds\":1,"
            + "\"maxConsumeTimeoutSeconds\":0,\"pullTimeoutSeconds\":10,\"maxRetries\":16,\"broadcastStart\":\"LATEST\","
            + "\"clientTtlSeconds\":0,\"maxClientIds\":100,\"paused\":true,\"rateLimit\":5,\"runtime\":true},"
            + "\"consumeTimeoutCap\":300,\"registeredBy\":\"runtime\","
            + "\"sources\":{\"maxPullSize\":\"default\",\"paused\":\"runtime\"}}");
    }
}
