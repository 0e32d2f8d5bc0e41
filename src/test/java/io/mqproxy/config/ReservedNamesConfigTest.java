package io.mqproxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The proxy's and RocketMQ's own names cannot be taken by the configuration file (issue 21, finding 2):
 * a producer on MQPROXY_AUDIT would let every data client write audit records.
 */
class ReservedNamesConfigTest {
    @TempDir
    Path dir;

    private Path yaml(String text) throws IOException {
        Path file = dir.resolve("mqproxy.yaml");
        Files.writeString(file, text);
        return file;
    }

    @ParameterizedTest
    @ValueSource(strings = {"MQPROXY_AUDIT", "mqproxy_registry", "MQPROXY_ALERTS", "%DLQ%orders", "%RETRY%orders",
        "%SYS%x", "rmq_sys_trace", "RMQ_SYS_TRANS_HALF_TOPIC", "SCHEDULE_TOPIC_XXXX", "TBW102", "tbw102",
        "OFFSET_MOVED_EVENT", "BenchmarkTest", "SELF_TEST_TOPIC"})
    void producerOnAReservedTopic_isRefusedAtStart_namingTheKey(String topic) throws IOException {
        Path file = yaml("producers:\n  - {name: fine, topic: ok-topic}\n  - {name: forger, topic: '" + topic + "'}\n");
        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), Map.of()))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("producers[1].topic")
            .hasMessageContaining("reserved");
    }

    @Test
    void consumerGroupWithAReservedNameOrTopic_isRefused_namingTheKey() throws IOException {
        assertThatThrownBy(() -> ConfigLoader.load(yaml("consumers:\n  - {name: MQPROXY_READER, topic: t}\n"),
            Map.of(), Map.of())).isInstanceOf(ConfigException.class).hasMessageContaining("consumers[0].name");
        assertThatThrownBy(() -> ConfigLoader.load(yaml("consumers:\n  - {name: TOOLS_CONSUMER, topic: t}\n"),
            Map.of(), Map.of())).isInstanceOf(ConfigException.class).hasMessageContaining("consumers[0].name");
        assertThatThrownBy(() -> ConfigLoader.load(yaml("consumers:\n  - {name: g, topic: MQPROXY_AUDIT}\n"),
            Map.of(), Map.of())).isInstanceOf(ConfigException.class).hasMessageContaining("consumers[0].topic");
        String broadcastClientsGroup = "orders-bc-0123456789abcdef01234567";
        assertThatThrownBy(() -> ConfigLoader.load(yaml("consumers:\n  - {name: " + broadcastClientsGroup
            + ", topic: t}\n"), Map.of(), Map.of())).isInstanceOf(ConfigException.class)
            .hasMessageContaining("consumers[0].name").hasMessageContaining("-bc-");
    }

    @Test
    void producerNamedLikeTheProxysOwnGroup_isRefused() throws IOException {
        assertThatThrownBy(() -> ConfigLoader.load(yaml("producers:\n  - {name: mq-proxy, topic: t}\n"),
            Map.of(), Map.of())).isInstanceOf(ConfigException.class).hasMessageContaining("producers[0].name");
    }

    @Test
    void ordinaryNames_stayAllowed() {
        assertThat(ResourceNames.checkOwn("orders-topic", 127, false)).isNull();
        assertThat(ResourceNames.checkOwn("mqcloud_http_test", 127, false)).isNull();
        assertThat(ResourceNames.checkOwn("my_rmq_sys", 127, false)).isNull();
        assertThat(ResourceNames.checkOwn("orders-bc-0123456789abcdef01234567", 127, false)).isNull(); // not a group
        assertThat(ResourceNames.checkOwn("orders-bc-east", 120, true)).isNull();
    }
}
