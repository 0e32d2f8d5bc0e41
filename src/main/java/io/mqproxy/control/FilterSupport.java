package io.mqproxy.control;

import io.mqproxy.broker.FilterExpressions;
import io.mqproxy.broker.PropertyFilterSupport;
import io.mqproxy.config.GroupRules;
import io.mqproxy.config.SubscriptionFilter;
import io.mqproxy.error.Errors;
import io.mqproxy.registry.GroupChange;

/**
 * The control plane's rules for a group's subscription filter: its expression parses as the broker will
 * parse it ({@code filter.expression}), and an SQL92 filter is set only where every broker of the topic
 * filters by property. Both are checked before anything is written or sent.
 */
final class FilterSupport {
    private FilterSupport() {
    }

    /** A 400 naming {@code filter.type} or {@code filter.expression} when the group's filter may not be served. */
    static void check(SubscriptionFilter filter) {
        GroupRules.Violation v = SubscriptionFilter.check(filter, FilterExpressions::validate);
        if (v != null) {
            throw Errors.badParam("filter." + v.setting(), v.rule());
        }
    }

    /**
     * When {@code change} sets an SQL92 filter: refused (400, naming the broker setting) if a broker of the
     * topic says it does not filter by property, a broker failure if they could not be asked. Blocks.
     */
    static void require(PropertyFilterSupport brokers, GroupChange change, String topic) {
        SubscriptionFilter filter = change.overrides().filter();
        if (filter == null || filter.type() != SubscriptionFilter.Type.SQL92) {
            return;
        }
        PropertyFilterSupport.Answer answer = brokers.of(topic);
        if (!answer.without().isEmpty()) {
            throw Errors.badParam("filter", answer.problem(topic));
        }
        if (!answer.supported()) {
            throw Errors.brokerFailure(answer.problem(topic), null);
        }
    }
}
