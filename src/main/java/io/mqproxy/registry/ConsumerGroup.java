package io.mqproxy.registry;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import io.mqproxy.config.ProxyConfig;
import io.mqproxy.config.SubscriptionFilter;

/**
 * A consumer group as the proxy serves it, the operator's run-time changes applied over the configuration
 * file: what it is (name, topic), how its messages are delivered ({@code settings}), what the operator has
 * done to it since (paused, rate-limited), where it came from, and its webhook and filter. Changes are made
 * by name ({@code group.withPaused(true)}); everything not named stays.
 *
 * <p>Its written form (audit records, control answers) is one flat object, the settings' fields in line
 * between topic and paused, as it was before the settings were a record of their own.
 *
 * @param settings  mode, pop, sizes, timeouts, retries, broadcast start, clientId TTL and limit; the mode and
 *                  pop are fixed at registration, the rest an operator may change
 * @param paused    the operator paused it: polls hand out nothing (result {@code PAUSED})
 * @param rateLimit messages per second for the whole group across every proxy instance; 0: no limit
 * @param runtime   registered at run time, not in the configuration file (so it may be unregistered)
 * @param push      the group's webhook (issue 12), from the file or an operator; null: none
 * @param filter    which of the topic's messages the group takes, from the file or an operator; null: all
 */
public record ConsumerGroup(String name, String topic, @JsonUnwrapped ProxyConfig.GroupSettings settings,
                            boolean paused, int rateLimit, boolean runtime, PushSubscription push,
                            SubscriptionFilter filter) {

    public ConsumerGroup {
        filter = SubscriptionFilter.normalized(filter);
    }

    /** A group from the configuration file, as it is until an operator changes it. */
    public static ConsumerGroup of(ProxyConfig.Consumer c) {
        return new ConsumerGroup(c.name(), c.topic(), c.settings(), false, 0, false, PushSubscription.of(c.push()),
            c.filter());
    }

    /**
     * A group registered at run time, before the settings its registration names: the defaults, with the
     * mode and pop it asked for (null: the defaults'); not paused, no rate limit, no webhook, no filter.
     */
    public static ConsumerGroup registered(String name, String topic, ProxyConfig.GroupSettings defaults,
                                           ProxyConfig.ConsumeMode mode, Boolean pop) {
        ProxyConfig.GroupSettings d = defaults;
        ProxyConfig.GroupSettings settings = new ProxyConfig.GroupSettings(mode != null ? mode : d.mode(),
            pop != null ? pop : d.pop(), d.maxPullSize(), d.consumeTimeoutSeconds(), d.minConsumeTimeoutSeconds(),
            d.maxConsumeTimeoutSeconds(), d.pullTimeoutSeconds(), d.maxRetries(), d.broadcastStart(),
            d.clientTtlSeconds(), d.maxClientIds());
        return new ConsumerGroup(name, topic, settings, false, 0, true, null, null);
    }

    // ---- changes by name

    public ConsumerGroup withSettings(ProxyConfig.GroupSettings settings) {
        return new ConsumerGroup(name, topic, settings, paused, rateLimit, runtime, push, filter);
    }

    public ConsumerGroup withPaused(boolean paused) {
        return new ConsumerGroup(name, topic, settings, paused, rateLimit, runtime, push, filter);
    }

    public ConsumerGroup withRateLimit(int rateLimit) {
        return new ConsumerGroup(name, topic, settings, paused, rateLimit, runtime, push, filter);
    }

    public ConsumerGroup withRuntime(boolean runtime) {
        return new ConsumerGroup(name, topic, settings, paused, rateLimit, runtime, push, filter);
    }

    /** With this webhook; null: none. */
    public ConsumerGroup withPush(PushSubscription push) {
        return new ConsumerGroup(name, topic, settings, paused, rateLimit, runtime, push, filter);
    }

    /** With this filter; null (or a TAG filter of {@code *}): every message of the topic. */
    public ConsumerGroup withFilter(SubscriptionFilter filter) {
        return new ConsumerGroup(name, topic, settings, paused, rateLimit, runtime, push, filter);
    }

    // ---- what kind of group it is (fixed at registration), read wherever a group is served

    public ProxyConfig.ConsumeMode mode() {
        return settings.mode();
    }

    /** Whether it is served by POP (else by queue-held pulls); see {@link ProxyConfig.GroupSettings}. */
    public boolean pop() {
        return settings.pop();
    }

    public boolean broadcast() {
        return settings.mode() == ProxyConfig.ConsumeMode.BROADCAST;
    }

    /** The cap on a client's consumeTimeout, with 0 resolved by the group's mode. */
    public int consumeTimeoutCap() {
        return settings.consumeTimeoutCap();
    }
}
