package io.mqproxy.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqproxy.config.ProxyConfig;
import io.mqproxy.config.SubscriptionFilter;
import org.junit.jupiter.api.Test;

/** A consumer group as served: its written form, which audit records and control answers carry. */
class ConsumerGroupTest {
    private static final PushSubscription HOOK = new PushSubscription("http://h/x", "s3cret-s3cret-s3cret", null, 4,
        0, 16, 100, 1000, 5000);
    private static final SubscriptionFilter TAGS = new SubscriptionFilter(SubscriptionFilter.Type.TAG, "a || b");

    private static final ConsumerGroup BROADCAST = new ConsumerGroup("g", "t", ProxyConfig.ConsumeMode.BROADCAST,
        false, 32, 30, 1, 0, 10, 16, ProxyConfig.StartPosition.EARLIEST, 3600, 100, true, 7, true, HOOK, TAGS);
    private static final ConsumerGroup PLAIN = new ConsumerGroup("g", "t", ProxyConfig.ConsumeMode.CLUSTERING, true,
        32, 30, 1, 0, 10, 16, ProxyConfig.StartPosition.LATEST, 0, 100, false, 0, false);

    /**
     * The audit log stores groups before and after a change (signed: its bytes must stay what they were) and
     * the control plane answers with them: the flat object of eighteen fields in this order, nulls written.
     */
    @Test
    void writtenForm_isTheFlatObjectItAlwaysWas() throws Exception {
        assertThat(RegistrySync.JSON.writeValueAsString(BROADCAST)).isEqualTo("{\"name\":\"g\",\"topic\":\"t\","
            + "\"mode\":\"BROADCAST\",\"pop\":false,\"maxPullSize\":32,\"consumeTimeoutSeconds\":30,"
            + "\"minConsumeTimeoutSeconds\":1,\"maxConsumeTimeoutSeconds\":0,\"pullTimeoutSeconds\":10,"
            + "\"maxRetries\":16,\"broadcastStart\":\"EARLIEST\",\"clientTtlSeconds\":3600,\"maxClientIds\":100,"
            + "\"paused\":true,\"rateLimit\":7,\"runtime\":true,"
            + "\"push\":{\"url\":\"http://h/x\",\"clientId\":null,\"maxInFlight\":4,\"ratePerSecond\":0,"
            + "\"batchSize\":16,\"minBackoffMillis\":100,\"maxBackoffMillis\":1000,\"timeoutMillis\":5000},"
            + "\"filter\":{\"type\":\"TAG\",\"expression\":\"a || b\"}}");
        assertThat(RegistrySync.JSON.writeValueAsString(PLAIN)).isEqualTo("{\"name\":\"g\",\"topic\":\"t\","
            + "\"mode\":\"CLUSTERING\",\"pop\":true,\"maxPullSize\":32,\"consumeTimeoutSeconds\":30,"
            + "\"minConsumeTimeoutSeconds\":1,\"maxConsumeTimeoutSeconds\":0,\"pullTimeoutSeconds\":10,"
            + "\"maxRetries\":16,\"broadcastStart\":\"LATEST\",\"clientTtlSeconds\":0,\"maxClientIds\":100,"
            + "\"paused\":false,\"rateLimit\":0,\"runtime\":false,\"push\":null,\"filter\":null}");
    }
}
