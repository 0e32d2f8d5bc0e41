package io.mqproxy.broker;

import io.mqproxy.config.SubscriptionFilter;
import java.util.Map;
import org.apache.rocketmq.common.filter.ExpressionType;
import org.apache.rocketmq.filter.FilterFactory;
import org.apache.rocketmq.remoting.protocol.filter.FilterAPI;
import org.apache.rocketmq.remoting.protocol.heartbeat.SubscriptionData;

/**
 * A group's filter in RocketMQ's terms: parsed here with the broker's own parsers, so that an
 * expression the broker would refuse is refused before it is stored or sent.
 */
public final class FilterExpressions {
    private static final String NO_TAG = "names no tag: give tags separated by ||, e.g. paid || refunded";

    private FilterExpressions() {
    }

    /** Why {@code filter}'s expression does not parse, or null when it does (or when there is no filter). */
    public static String validate(SubscriptionFilter filter) {
        if (filter == null || filter.type() == null || SubscriptionFilter.normalized(filter) == null) {
            return null;
        }
        try {
            if (filter.type() == SubscriptionFilter.Type.TAG) {
                SubscriptionData tags = FilterAPI.buildSubscriptionData("topic", filter.expression());
                if (tags.getTagsSet().isEmpty()) {
                    return NO_TAG;
                }
                if (tags.getTagsSet().size() > 1 && tags.getTagsSet().contains("*")) {
                    return "* means every tag and cannot be combined with others";
                }
                return null;
            }
            FilterFactory.INSTANCE.get(ExpressionType.SQL92).compile(filter.expression());
            return null;
        } catch (Exception e) {
            // FilterAPI fails only on an expression of nothing but separators ("||").
            return filter.type() == SubscriptionFilter.Type.TAG ? NO_TAG
                : "not a valid " + filter.type() + " expression: " + firstLine(e.getMessage());
        }
    }

    /**
     * Whether a message tagged {@code tags} (null: none) is one a TAG filter names; always true for no filter or
     * SQL92 (the broker evaluates those in full). The broker matches tags by their hash codes only.
     */
    static boolean tagMatches(SubscriptionFilter filter, String tags) {
        if (filter == null || filter.type() != SubscriptionFilter.Type.TAG) {
            return true;
        }
        try {
            // Compiled once per filter (FilterMatch's cache): this runs for every message a pop brings.
            return FilterMatch.of(filter).matches(tags, Map.of());
        } catch (IllegalArgumentException e) {
            return true;
        }
    }

    /** RocketMQ's name of the filter's type, for the pop request header. */
    static String expressionType(SubscriptionFilter filter) {
        return filter == null ? ExpressionType.TAG : filter.type().name();
    }

    /** The expression the pop request carries: {@code *} (every message) when there is no filter. */
    static String expression(SubscriptionFilter filter) {
        return filter == null ? SubscriptionData.SUB_ALL : filter.expression();
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unparsable";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
