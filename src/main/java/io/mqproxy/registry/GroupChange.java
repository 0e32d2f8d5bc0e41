package io.mqproxy.registry;

import io.mqproxy.config.ProxyConfig;
import io.mqproxy.config.SubscriptionFilter;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * What an operator asks of a group's settings, built by name: {@code GroupChange.pause(true)},
 * {@code GroupChange.rateLimit(50)}, several at once with {@link #and(GroupChange)}, or from a request's
 * optional fields with {@link #and(Object, Function)}. What it leaves out stays as it is. Its persisted
 * form, merged over the operators' earlier changes, is {@link GroupOverrides}.
 */
public final class GroupChange {
    /** Changes nothing: the start of a composition. */
    public static final GroupChange NOTHING = new GroupChange();

    private Integer maxPullSize;
    private Integer consumeTimeoutSeconds;
    private Integer minConsumeTimeoutSeconds;
    private Integer maxConsumeTimeoutSeconds;
    private Integer pullTimeoutSeconds;
    private Integer maxRetries;
    private ProxyConfig.StartPosition broadcastStart;
    private Integer clientTtlSeconds;
    private Integer maxClientIds;
    private Boolean paused;
    private Integer rateLimit;
    private PushChange push;
    private SubscriptionFilter filter;

    private GroupChange() {
    }

    /** Pauses the group (polls answer PAUSED), or resumes it. */
    public static GroupChange pause(boolean paused) {
        return NOTHING.with(c -> c.paused = paused);
    }

    /** Messages per second for the whole group across the fleet; 0 turns the limit off. */
    public static GroupChange rateLimit(int perSecond) {
        return NOTHING.with(c -> c.rateLimit = perSecond);
    }

    public static GroupChange maxPullSize(int messages) {
        return NOTHING.with(c -> c.maxPullSize = messages);
    }

    public static GroupChange consumeTimeoutSeconds(int seconds) {
        return NOTHING.with(c -> c.consumeTimeoutSeconds = seconds);
    }

    public static GroupChange minConsumeTimeoutSeconds(int seconds) {
        return NOTHING.with(c -> c.minConsumeTimeoutSeconds = seconds);
    }

    public static GroupChange maxConsumeTimeoutSeconds(int seconds) {
        return NOTHING.with(c -> c.maxConsumeTimeoutSeconds = seconds);
    }

    public static GroupChange pullTimeoutSeconds(int seconds) {
        return NOTHING.with(c -> c.pullTimeoutSeconds = seconds);
    }

    public static GroupChange maxRetries(int retries) {
        return NOTHING.with(c -> c.maxRetries = retries);
    }

    public static GroupChange broadcastStart(ProxyConfig.StartPosition start) {
        return NOTHING.with(c -> c.broadcastStart = start);
    }

    public static GroupChange clientTtlSeconds(int seconds) {
        return NOTHING.with(c -> c.clientTtlSeconds = seconds);
    }

    public static GroupChange maxClientIds(int clientIds) {
        return NOTHING.with(c -> c.maxClientIds = clientIds);
    }

    /** Sets the group's webhook, or removes it ({@link PushChange#REMOVED}). */
    public static GroupChange push(PushChange push) {
        return NOTHING.with(c -> c.push = push);
    }

    /**
     * Sets the group's subscription filter; null (or a TAG filter of {@code *}) clears it, a filter of the
     * file included. Messages it filters out count as consumed by the group: widening it later does not
     * bring them back (an offset reset does).
     */
    public static GroupChange filter(SubscriptionFilter filter) {
        SubscriptionFilter set = SubscriptionFilter.normalized(filter);
        return NOTHING.with(c -> c.filter = set == null ? SubscriptionFilter.EVERY_MESSAGE : set);
    }

    /** Clears the group's subscription filter: every message of its topic. */
    public static GroupChange clearFilter() {
        return filter(null);
    }

    /** This change, then {@code later}: where both set a setting, {@code later}'s value. */
    public GroupChange and(GroupChange later) {
        return with(c -> {
            c.maxPullSize = pick(later.maxPullSize, maxPullSize);
            c.consumeTimeoutSeconds = pick(later.consumeTimeoutSeconds, consumeTimeoutSeconds);
            c.minConsumeTimeoutSeconds = pick(later.minConsumeTimeoutSeconds, minConsumeTimeoutSeconds);
            c.maxConsumeTimeoutSeconds = pick(later.maxConsumeTimeoutSeconds, maxConsumeTimeoutSeconds);
            c.pullTimeoutSeconds = pick(later.pullTimeoutSeconds, pullTimeoutSeconds);
            c.maxRetries = pick(later.maxRetries, maxRetries);
            c.broadcastStart = pick(later.broadcastStart, broadcastStart);
            c.clientTtlSeconds = pick(later.clientTtlSeconds, clientTtlSeconds);
            c.maxClientIds = pick(later.maxClientIds, maxClientIds);
            c.paused = pick(later.paused, paused);
            c.rateLimit = pick(later.rateLimit, rateLimit);
            c.push = pick(later.push, push);
            c.filter = pick(later.filter, filter);
        });
    }

    /** This change and {@code setting(value)}; just this one when {@code value} is null (a field left out). */
    public <T> GroupChange and(T value, Function<T, GroupChange> setting) {
        return value == null ? this : and(setting.apply(value));
    }

    /** The operators' earlier changes ({@code earlier}, as persisted) with this one over them. */
    public GroupOverrides over(GroupOverrides earlier) {
        return of(earlier).and(this).overrides();
    }

    /** The group as it would be with this change. */
    public ConsumerGroup applyTo(ConsumerGroup group) {
        return overrides().applyTo(group, group.runtime());
    }

    /** The names of the settings it changes (the webhook is not one: it has its own route). */
    public Set<String> settings() {
        return overrides().asMap().keySet();
    }

    /** Whether it changes nothing. */
    public boolean isEmpty() {
        return overrides().equals(GroupOverrides.NONE);
    }

    /** What it sets, in the persisted form: null where it leaves a setting alone. */
    public GroupOverrides overrides() {
        return new GroupOverrides(maxPullSize, consumeTimeoutSeconds, minConsumeTimeoutSeconds,
            maxConsumeTimeoutSeconds, pullTimeoutSeconds, maxRetries, broadcastStart, clientTtlSeconds, maxClientIds,
            paused, rateLimit, push, filter);
    }

    /** The change that sets what {@code overrides} sets. */
    static GroupChange of(GroupOverrides o) {
        GroupChange c = new GroupChange();
        c.maxPullSize = o.maxPullSize();
        c.consumeTimeoutSeconds = o.consumeTimeoutSeconds();
        c.minConsumeTimeoutSeconds = o.minConsumeTimeoutSeconds();
        c.maxConsumeTimeoutSeconds = o.maxConsumeTimeoutSeconds();
        c.pullTimeoutSeconds = o.pullTimeoutSeconds();
        c.maxRetries = o.maxRetries();
        c.broadcastStart = o.broadcastStart();
        c.clientTtlSeconds = o.clientTtlSeconds();
        c.maxClientIds = o.maxClientIds();
        c.paused = o.paused();
        c.rateLimit = o.rateLimit();
        c.push = o.push();
        c.filter = o.filter();
        return c;
    }

    /** A copy with {@code fields} set: the only place a change is written to, before anyone sees it. */
    private GroupChange with(Consumer<GroupChange> fields) {
        GroupChange c = of(overrides());
        fields.accept(c);
        return c;
    }

    private static <T> T pick(T later, T earlier) {
        return later != null ? later : earlier;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GroupChange other && overrides().equals(other.overrides());
    }

    @Override
    public int hashCode() {
        return overrides().hashCode();
    }

    @Override
    public String toString() {
        return "GroupChange" + overrides().asMap() + (push == null ? "" : " " + push);
    }
}
