package io.mqproxy.broker;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.mqproxy.config.SubscriptionFilter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.rocketmq.broker.filter.MessageEvaluationContext;
import org.apache.rocketmq.common.filter.ExpressionType;
import org.apache.rocketmq.common.message.MessageConst;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.filter.FilterFactory;
import org.apache.rocketmq.filter.expression.Expression;
import org.apache.rocketmq.remoting.protocol.filter.FilterAPI;
import org.apache.rocketmq.remoting.protocol.heartbeat.SubscriptionData;

/**
 * A group's subscription filter, compiled once, answering "would the group get this message" for a
 * message the proxy read from the broker, the way RocketMQ 5.5.0 decides it:
 * <ul>
 * <li>TAG: the tag set of {@code FilterAPI.buildSubscriptionData} ({@code "a || b"}, {@code *} for all), and
 *   an exact match of the message's one tag, as RocketMQ's own proxy re-checks what the broker matched by
 *   tag hash ({@code FilterUtils.isTagMatched}); a message without a tag matches only {@code *}.</li>
 * <li>SQL92: the broker's own compiler ({@code FilterFactory}) evaluated over every property the message
 *   stores, system ones ({@code TAGS}, {@code KEYS}) included, in the broker's
 *   {@code MessageEvaluationContext}; as {@code ExpressionMessageFilter} does, an answer that is not TRUE
 *   (FALSE, NULL because a property is missing, or an evaluation error) does not match.</li>
 * </ul>
 * Immutable and safe to share between threads (the broker shares its compiled expressions too).
 */
public final class FilterMatch {
    /** Matches every message: a group without a filter. */
    public static final FilterMatch ALL = new FilterMatch(null, null, "*");

    /** Compiled filters by filter, so each group's is compiled once however often it is asked for. */
    private static final Cache<SubscriptionFilter, FilterMatch> COMPILED = Caffeine.newBuilder().maximumSize(10_000)
        .build();

    private final Set<String> tags;
    private final Expression sql;
    private final String expression;

    private FilterMatch(Set<String> tags, Expression sql, String expression) {
        this.tags = tags;
        this.sql = sql;
        this.expression = expression;
    }

    /**
     * A group's filter (null: none), compiled on first use.
     *
     * @throws IllegalArgumentException when RocketMQ cannot parse it (the registry takes only filters that parse)
     */
    public static FilterMatch of(SubscriptionFilter filter) {
        if (SubscriptionFilter.normalized(filter) == null) {
            return ALL;
        }
        return COMPILED.get(filter, f -> f.type() == SubscriptionFilter.Type.SQL92 ? sql92(f.expression())
            : tag(f.expression()));
    }

    /**
     * A TAG filter ({@code "paid || refunded"}; {@code *} or blank: every message).
     *
     * @throws IllegalArgumentException when RocketMQ cannot build a subscription of it
     */
    public static FilterMatch tag(String expression) {
        SubscriptionData s;
        try {
            s = FilterAPI.buildSubscriptionData("", expression);
        } catch (Exception e) {
            throw new IllegalArgumentException("not a tag expression: " + e.getMessage(), e);
        }
        if (SubscriptionData.SUB_ALL.equals(s.getSubString())) {
            return ALL;
        }
        return new FilterMatch(Set.copyOf(s.getTagsSet()), null, expression);
    }

    /**
     * An SQL92 filter over message properties ({@code region = 'eu' AND amount > 100}).
     *
     * @throws IllegalArgumentException when the broker's parser refuses it (its message says where)
     */
    public static FilterMatch sql92(String expression) {
        if (expression == null || expression.isBlank()) {
            throw new IllegalArgumentException("an SQL92 filter needs an expression");
        }
        try {
            return new FilterMatch(null, FilterFactory.INSTANCE.get(ExpressionType.SQL92).compile(expression),
                expression);
        } catch (Exception e) {
            throw new IllegalArgumentException("not an SQL92 expression: " + e.getMessage(), e);
        }
    }

    /** Whether every message matches (no filter, or {@code *}). */
    public boolean all() {
        return tags == null && sql == null;
    }

    /** Whether the group would get this message read from the broker. */
    public boolean matches(MessageExt m) {
        return matches(m.getTags(), m.getProperties());
    }

    /**
     * Whether the group would get a message with this tag and these stored properties (for SQL92, every
     * property the broker stores, system ones included: see {@link #stored}).
     */
    public boolean matches(String tag, Map<String, String> properties) {
        if (tags != null) {
            return tag != null && tags.contains(tag);
        }
        if (sql == null) {
            return true;
        }
        try {
            return Boolean.TRUE.equals(sql.evaluate(new MessageEvaluationContext(properties)));
        } catch (Exception e) {
            // The broker logs such an error and does not deliver the message (ExpressionMessageFilter).
            return false;
        }
    }

    /**
     * A message's properties as the broker evaluates them, from what a look-up keeps of it (its user
     * properties, tag and keys): the system properties an expression can sensibly name put back.
     */
    public static Map<String, String> stored(String tag, String keys, Map<String, String> userProperties) {
        Map<String, String> all = new LinkedHashMap<>(userProperties);
        if (tag != null) {
            all.put(MessageConst.PROPERTY_TAGS, tag);
        }
        if (keys != null) {
            all.put(MessageConst.PROPERTY_KEYS, keys);
        }
        return all;
    }

    @Override
    public String toString() {
        return (sql != null ? "SQL92 " : "TAG ") + expression;
    }
}
