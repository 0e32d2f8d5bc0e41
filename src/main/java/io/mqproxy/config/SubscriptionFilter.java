package io.mqproxy.config;

/**
 * Which messages of its topic a consumer group takes, as RocketMQ's subscriptions say it: by tag
 * ({@code paid || refunded}) or by an SQL92 condition over the message's properties
 * ({@code region = 'eu' AND amount > 100}). The broker applies it (POP carries the expression).
 * Null wherever a filter may be means "no filter": every message of the topic.
 */
public record SubscriptionFilter(Type type, String expression) {
    /** The longest expression taken: filters travel in every pop request. */
    public static final int MAX_EXPRESSION_LENGTH = 1024;

    /** RocketMQ's own "no filter" (a TAG filter of {@code *}): normalized to null where a filter is served. */
    public static final SubscriptionFilter EVERY_MESSAGE = new SubscriptionFilter(Type.TAG, "*");

    /** RocketMQ's expression types, by their names. */
    public enum Type { TAG, SQL92 }

    public SubscriptionFilter {
        expression = expression == null ? null : expression.trim();
    }

    /**
     * The filter as it is served: null for none, including a TAG filter of {@code *} or of nothing,
     * which RocketMQ reads as "every tag".
     */
    public static SubscriptionFilter normalized(SubscriptionFilter filter) {
        if (filter == null) {
            return null;
        }
        boolean everyTag = filter.type == Type.TAG
            && (filter.expression == null || filter.expression.isEmpty() || filter.expression.equals("*"));
        return everyTag ? null : filter;
    }

    /**
     * What is wrong with {@code filter}, for the configuration file and the control plane alike: the
     * setting ({@code type} or {@code expression}) and its rule, or null when it may be served.
     * Whether the expression parses is RocketMQ's to say: {@code parser} asks it (the broker package).
     */
    public static GroupRules.Violation check(SubscriptionFilter filter, Check parser) {
        if (filter == null) {
            return null;
        }
        if (filter.type == null) {
            return new GroupRules.Violation("type", "must be TAG or SQL92");
        }
        if (filter.type == Type.SQL92 && (filter.expression == null || filter.expression.isEmpty())) {
            return new GroupRules.Violation("expression", "an SQL92 filter needs a condition over properties, "
                + "e.g. region = 'eu' AND amount > 100");
        }
        if (filter.expression != null && filter.expression.length() > MAX_EXPRESSION_LENGTH) {
            return new GroupRules.Violation("expression", "at most " + MAX_EXPRESSION_LENGTH + " characters, got "
                + filter.expression.length());
        }
        String problem = normalized(filter) == null ? null : parser.problem(filter);
        return problem == null ? null : new GroupRules.Violation("expression", problem);
    }

    /** Parses an expression the way the broker will: what is wrong with it, or null. */
    @FunctionalInterface
    public interface Check {
        /** Takes every filter: the shape rules alone, for callers that cannot reach a parser. */
        Check SHAPE_ONLY = filter -> null;

        /** Why {@code filter}'s expression does not compile, or null when it does. */
        String problem(SubscriptionFilter filter);
    }
}
