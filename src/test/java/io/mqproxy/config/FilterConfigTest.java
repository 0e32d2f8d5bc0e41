package io.mqproxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mqproxy.broker.FilterExpressions;
import io.mqproxy.registry.ConsumerGroup;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A consumer's {@code filter:} in the file: read, normalized, and refused by key when RocketMQ would refuse it. */
class FilterConfigTest {
    @TempDir
    Path dir;

    private ProxyConfig load(String consumer) throws IOException {
        Path file = dir.resolve("mqproxy.yaml");
        Files.writeString(file, "consumers:\n  - name: other\n    topic: t0\n  - name: c1\n    topic: t1\n" + consumer);
        return ConfigLoader.load(file, Map.of(), Map.of(), FilterExpressions::validate);
    }

    private void refused(String consumer, String key, String rule) {
        assertThatThrownBy(() -> load(consumer)).isInstanceOf(ConfigException.class)
            .hasMessageContaining("configuration key '" + key + "'").hasMessageContaining(rule);
    }

    @Test
    void tagFilter_isRead_andReachesTheGroup() throws IOException {
        ProxyConfig c = load("    filter: {type: TAG, expression: \" paid || refunded \"}\n");
        SubscriptionFilter f = c.consumers().get(1).filter();
        assertThat(f).isEqualTo(new SubscriptionFilter(SubscriptionFilter.Type.TAG, "paid || refunded"));
        assertThat(ConsumerGroup.of(c.consumers().get(1)).filter()).isEqualTo(f);
        assertThat(c.consumers().get(0).filter()).isNull();
    }

    @Test
    void sql92Filter_isRead_typeCaseInsensitive() throws IOException {
        ProxyConfig c = load("    filter: {type: sql92, expression: \"region = 'eu' AND amount > 100\"}\n");
        assertThat(c.consumers().get(1).filter())
            .isEqualTo(new SubscriptionFilter(SubscriptionFilter.Type.SQL92, "region = 'eu' AND amount > 100"));
    }

    @Test
    void tagFilterOfStarOrNothing_isNoFilter() throws IOException {
        assertThat(load("    filter: {type: TAG, expression: \" * \"}\n").consumers().get(1).filter()).isNull();
        assertThat(load("    filter: {type: TAG, expression: \"\"}\n").consumers().get(1).filter()).isNull();
        assertThat(load("    filter: {type: TAG}\n").consumers().get(1).filter()).isNull();
        assertThat(load("    filter: null\n").consumers().get(1).filter()).isNull();
    }

    @Test
    void unknownType_isRefused_namingTheKey() {
        refused("    filter: {type: REGEX, expression: \"a\"}\n", "consumers[1].filter.type", "REGEX");
        refused("    filter: {expression: \"a\"}\n", "consumers[1].filter.type", "TAG or SQL92");
    }

    @Test
    void blankSql92_isRefused_namingTheExpression() {
        refused("    filter: {type: SQL92, expression: \"  \"}\n", "consumers[1].filter.expression", "condition");
        refused("    filter: {type: SQL92}\n", "consumers[1].filter.expression", "condition");
    }

    @Test
    void sql92ThatDoesNotParse_isRefused_namingTheExpression() {
        refused("    filter: {type: SQL92, expression: \"region = \"}\n", "consumers[1].filter.expression",
            "not a valid SQL92 expression");
        refused("    filter: {type: SQL92, expression: \"region == 'eu'\"}\n", "consumers[1].filter.expression",
            "not a valid SQL92 expression");
    }

    @Test
    void tagExpressionWithoutATag_isRefused() {
        refused("    filter: {type: TAG, expression: \"||\"}\n", "consumers[1].filter.expression", "tag");
        refused("    filter: {type: TAG, expression: \"a || *\"}\n", "consumers[1].filter.expression", "*");
    }

    @Test
    void expressionOver1024Characters_isRefused() {
        refused("    filter: {type: TAG, expression: \"" + "a".repeat(1025) + "\"}\n", "consumers[1].filter.expression",
            "at most 1024");
        refused("    filter: {type: SQL92, expression: \"a = '" + "b".repeat(1030) + "'\"}\n",
            "consumers[1].filter.expression", "at most 1024");
    }

    @Test
    void unknownFilterKey_isRefused() {
        assertThatThrownBy(() -> load("    filter: {type: TAG, expresion: a}\n"))
            .isInstanceOf(ConfigException.class).hasMessageContaining("expresion");
    }
}
