package io.mqproxy.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqproxy.config.ConfigLoader;
import io.mqproxy.config.ProxyConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A run-time producer or group on a reserved name, registered before such names were refused (issue 21:
 * a producer on MQPROXY_AUDIT let data clients write audit records), is not served: a produce to it
 * cannot exist.
 */
class RegistryReservedNamesTest {
    @Test
    void runtimeEntriesOnReservedNames_areNotServed_othersAre() {
        ProxyConfig config = ConfigLoader.load(null, Map.of(), Map.of());
        Registry registry = new Registry(config);
        registry.apply(new RuntimeEntries(
            Map.of("MQPROXY_READER", new RuntimeEntries.ConsumerEntry("MQPROXY_READER", "t", null, null,
                    GroupOverrides.NONE, false),
                "g-audit", new RuntimeEntries.ConsumerEntry("g-audit", "MQPROXY_AUDIT", null, null,
                    GroupOverrides.NONE, false),
                "fine-group", new RuntimeEntries.ConsumerEntry("fine-group", "t", null, null, GroupOverrides.NONE,
                    false)),
            Map.of("forger", new RuntimeEntries.ProducerEntry("forger", "MQPROXY_AUDIT", false),
                "dlq-writer", new RuntimeEntries.ProducerEntry("dlq-writer", "%DLQ%orders", false),
                "fine", new RuntimeEntries.ProducerEntry("fine", "t", false))));
        assertThat(registry.producer("forger")).isEmpty();
        assertThat(registry.producer("dlq-writer")).isEmpty();
        assertThat(registry.producer("fine")).isPresent();
        assertThat(registry.consumer("MQPROXY_READER")).isEmpty();
        assertThat(registry.consumer("g-audit")).isEmpty();
        assertThat(registry.consumer("fine-group")).isPresent();
    }
}
