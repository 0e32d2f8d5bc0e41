package io.mqproxy.registry;

import io.mqproxy.config.ProxyConfig;
import io.mqproxy.config.SubscriptionFilter;

/**
 * A consumer group as the proxy serves it: its topic, its mode (fixed at registration), and its
 * settings as they are now, the operator's run-time changes applied over the configuration file.
 *
 * @param paused    the operator paused it: polls hand out nothing (result {@code PAUSED})
 * @param rateLimit messages per second for the whole group across every proxy instance; 0: no limit
 * @param runtime   registered at run time, not in the configuration file (so it may be unregistered)
 * @param push      the group's webhook (issue 12), from the file or an operator; null: none
 * @param filter    which of the topic's messages the group takes, from the file or an operator; null: all
 */
public record ConsumerGroup(String name, String topic, ProxyConfig.ConsumeMode mode, boolean pop, int maxPullSize,
                            int consumeTimeoutSeconds, int minConsumeTimeoutSeconds, int maxConsumeTimeoutSeconds,
                            int pullTimeoutSeconds, int maxRetries, ProxyConfig.StartPosition broadcastStart,
                            int clientTtlSeconds, int maxClientIds, boolean paused, int rateLimit,
                            boolean runtime, PushSubscription push, SubscriptionFilter filter) {

    public ConsumerGroup {
        filter = SubscriptionFilter.normalized(filter);
    }

    /** A group without a filter. */
    public ConsumerGroup(String name, String topic, ProxyConfig.ConsumeMode mode, boolean pop, int maxPullSize,
                         int consumeTimeoutSeconds, int minConsumeTimeoutSeconds, int maxConsumeTimeoutSeconds,
                         int pullTimeoutSeconds, int maxRetries, ProxyConfig.StartPosition broadcastStart,
                         int clientTtlSeconds, int maxClientIds, boolean paused, int rateLimit, boolean runtime,
                         PushSubscription push) {
        this(name, topic, mode, pop, maxPullSize, consumeTimeoutSeconds, minConsumeTimeoutSeconds,
            maxConsumeTimeoutSeconds, pullTimeoutSeconds, maxRetries, broadcastStart, clientTtlSeconds, maxClientIds,
            paused, rateLimit, runtime, push, null);
    }

    /** A group without a webhook or a filter. */
    public ConsumerGroup(String name, String topic, ProxyConfig.ConsumeMode mode, boolean pop, int maxPullSize,
                         int consumeTimeoutSeconds, int minConsumeTimeoutSeconds, int maxConsumeTimeoutSeconds,
                         int pullTimeoutSeconds, int maxRetries, ProxyConfig.StartPosition broadcastStart,
                         int clientTtlSeconds, int maxClientIds, boolean paused, int rateLimit, boolean runtime) {
        this(name, topic, mode, pop, maxPullSize, consumeTimeoutSeconds, minConsumeTimeoutSeconds,
            maxConsumeTimeoutSeconds, pullTimeoutSeconds, maxRetries, broadcastStart, clientTtlSeconds, maxClientIds,
            paused, rateLimit, runtime, null, null);
    }

    public boolean broadcast() {
        return mode == ProxyConfig.ConsumeMode.BROADCAST;
    }

    /** The cap on a client's consumeTimeout, with 0 resolved by the group's mode. */
    public int consumeTimeoutCap() {
        return settings().consumeTimeoutCap();
    }

    /** The settings a configuration entry would have, for validation and display. */
    public ProxyConfig.GroupSettings settings() {
        return new ProxyConfig.GroupSettings(mode, pop, maxPullSize, consumeTimeoutSeconds, minConsumeTimeoutSeconds,
            maxConsumeTimeoutSeconds, pullTimeoutSeconds, maxRetries, broadcastStart, clientTtlSeconds, maxClientIds);
    }

    /** A group from the configuration file, as it is until an operator changes it. */
    public static ConsumerGroup of(ProxyConfig.Consumer c) {
        return new ConsumerGroup(c.name(), c.topic(), c.mode(), c.pop(), c.maxPullSize(), c.consumeTimeoutSeconds(),
            c.minConsumeTimeoutSeconds(), c.maxConsumeTimeoutSeconds(), c.pullTimeoutSeconds(), c.maxRetries(),
            c.broadcastStart(), c.clientTtlSeconds(), c.maxClientIds(), false, 0, false, PushSubscription.of(c.push()),
            c.filter());
    }
}
