package io.mqproxy.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqproxy.config.SubscriptionFilter;
import io.mqproxy.config.SubscriptionFilter.Type;
import org.junit.jupiter.api.Test;

/** A group's filter in RocketMQ's terms: what the pop header carries, what parses, which tags match exactly. */
class FilterExpressionsTest {
    @Test
    void noFilter_popsEveryMessage_asRocketMqSaysIt() {
        assertThat(FilterExpressions.expressionType(null)).isEqualTo("TAG");
        assertThat(FilterExpressions.expression(null)).isEqualTo("*");
        SubscriptionFilter sql = new SubscriptionFilter(Type.SQL92, "a = 1");
        assertThat(FilterExpressions.expressionType(sql)).isEqualTo("SQL92");
        assertThat(FilterExpressions.expression(sql)).isEqualTo("a = 1");
    }

    @Test
    void validate_parsesAsTheBrokerDoes() {
        assertThat(FilterExpressions.validate(new SubscriptionFilter(Type.TAG, "a || b"))).isNull();
        assertThat(FilterExpressions.validate(new SubscriptionFilter(Type.SQL92,
            "region = 'eu' AND amount > 100 AND kind IN ('x', 'y') AND note IS NOT NULL"))).isNull();
        assertThat(FilterExpressions.validate(new SubscriptionFilter(Type.SQL92, "region = "))).contains("SQL92");
        assertThat(FilterExpressions.validate(new SubscriptionFilter(Type.TAG, "||"))).contains("tag");
        assertThat(FilterExpressions.validate(null)).isNull();
    }

    /** The broker compares tag hash codes: a colliding tag must not reach the group ("Aa" and "BB" collide). */
    @Test
    void tagMatches_comparesTheTagsThemselves() {
        assertThat("Aa".hashCode()).isEqualTo("BB".hashCode());
        SubscriptionFilter aa = new SubscriptionFilter(Type.TAG, "Aa || c");
        assertThat(FilterExpressions.tagMatches(aa, "Aa")).isTrue();
        assertThat(FilterExpressions.tagMatches(aa, "c")).isTrue();
        assertThat(FilterExpressions.tagMatches(aa, "BB")).isFalse();
        assertThat(FilterExpressions.tagMatches(aa, null)).isFalse();
        assertThat(FilterExpressions.tagMatches(null, "BB")).isTrue();
        assertThat(FilterExpressions.tagMatches(new SubscriptionFilter(Type.SQL92, "a = 1"), null)).isTrue();
    }
}
