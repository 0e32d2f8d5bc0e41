package io.mqproxy.registry;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.mqproxy.config.ProxyConfig;
import io.mqproxy.config.SubscriptionFilter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The operators' changes to a group's settings as kept in its run-time entry (the persisted JSON):
 * each field is null where no operator changed it. Changes are made by name ({@link GroupChange}) and
 * merged over these ({@link GroupChange#over}). Topic, mode and pop are not here: they are fixed when a
 * group is registered, because the broker cannot switch a group between plain and orderly consumption
 * while batches are out.
 *
 * @param rateLimit messages per second for the whole group; 0 turns the limit off
 * @param push      the group's webhook set or removed (issue 12); its own route, not a PATCH setting
 * @param filter    the group's subscription filter set, or cleared ({@link SubscriptionFilter#EVERY_MESSAGE}: no
 *                  filter, whatever the file says)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record GroupOverrides(Integer maxPullSize, Integer consumeTimeoutSeconds, Integer minConsumeTimeoutSeconds,
                             Integer maxConsumeTimeoutSeconds, Integer pullTimeoutSeconds, Integer maxRetries,
                             ProxyConfig.StartPosition broadcastStart, Integer clientTtlSeconds, Integer maxClientIds,
                             Boolean paused, Integer rateLimit, PushChange push, SubscriptionFilter filter) {

    public static final GroupOverrides NONE = new GroupOverrides(null, null, null, null, null, null, null, null, null,
        null, null, null, null);

    /** These changes over {@code base}. */
    public ConsumerGroup applyTo(ConsumerGroup base, boolean runtime) {
        return base.withSettings(over(base.settings()))
            .withPaused(paused != null ? paused : base.paused())
            .withRateLimit(or(rateLimit, base.rateLimit()))
            .withRuntime(runtime)
            .withPush(push == null ? base.push() : push.subscription())
            .withFilter(filter != null ? filter : base.filter());
    }

    /** The delivery settings these set, over {@code base}'s; mode and pop are never among them. */
    private ProxyConfig.GroupSettings over(ProxyConfig.GroupSettings base) {
        return new ProxyConfig.GroupSettings(base.mode(), base.pop(), or(maxPullSize, base.maxPullSize()),
            or(consumeTimeoutSeconds, base.consumeTimeoutSeconds()),
            or(minConsumeTimeoutSeconds, base.minConsumeTimeoutSeconds()),
            or(maxConsumeTimeoutSeconds, base.maxConsumeTimeoutSeconds()),
            or(pullTimeoutSeconds, base.pullTimeoutSeconds()), or(maxRetries, base.maxRetries()),
            broadcastStart != null ? broadcastStart : base.broadcastStart(),
            or(clientTtlSeconds, base.clientTtlSeconds()), or(maxClientIds, base.maxClientIds()));
    }

    /** The names of every setting an operator may change. */
    public static final List<String> SETTINGS = List.of("maxPullSize", "consumeTimeoutSeconds", "minConsumeTimeoutSeconds", "maxConsumeTimeoutSeconds",
            "pullTimeoutSeconds", "maxRetries", "broadcastStart", "clientTtlSeconds", "maxClientIds", "paused",
            "rateLimit", "filter");

    /** The fields set, by name: where a setting comes from, for the views. */
    public Map<String, Object> asMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        put(m, "maxPullSize", maxPullSize);
        put(m, "consumeTimeoutSeconds", consumeTimeoutSeconds);
        put(m, "minConsumeTimeoutSeconds", minConsumeTimeoutSeconds);
        put(m, "maxConsumeTimeoutSeconds", maxConsumeTimeoutSeconds);
        put(m, "pullTimeoutSeconds", pullTimeoutSeconds);
        put(m, "maxRetries", maxRetries);
        put(m, "broadcastStart", broadcastStart);
        put(m, "clientTtlSeconds", clientTtlSeconds);
        put(m, "maxClientIds", maxClientIds);
        put(m, "paused", paused);
        put(m, "rateLimit", rateLimit);
        put(m, "filter", filter);
        return m;
    }

    private static void put(Map<String, Object> m, String key, Object value) {
        if (value != null) {
            m.put(key, value);
        }
    }

    private static int or(Integer value, int fallback) {
        return value != null ? value : fallback;
    }
}
