package io.mqproxy.control;

import io.mqproxy.config.GroupRules;
import io.mqproxy.config.ProxyConfig;
import io.mqproxy.config.PushRules;
import io.mqproxy.error.Errors;
import io.mqproxy.registry.ConsumerGroup;
import io.mqproxy.registry.GroupChange;
import io.mqproxy.registry.PushChange;
import io.mqproxy.registry.PushSubscription;
import io.mqproxy.registry.Registry;
import io.mqproxy.registry.RegistrySync;
import java.util.concurrent.CompletableFuture;

/**
 * A group's webhook at run time (issue 12): set, replaced or removed as a change of the group's run-time
 * entry ({@link GroupCommands}), so every instance starts or stops pushing within the registry's sync
 * interval. Its secret is kept sealed and never shown. Each change is audited ({@link AuditedCalls}).
 */
public final class PushCommands {
    private final Registry registry;
    private final RegistrySync sync;
    private final GroupCommands groups;
    private final AuditedCalls calls;

    PushCommands(Registry registry, RegistrySync sync, GroupCommands groups, AuditedCalls calls) {
        this.registry = registry;
        this.sync = sync;
        this.groups = groups;
        this.calls = calls;
    }


    /**
     * Sets or replaces a group's webhook; fields left out come from {@code push.defaults}. Every instance
     * starts pushing within the registry's sync interval. The secret is kept in the run-time registry and
     * never shown: views and the audit record show the rest.
     */
    public CompletableFuture<ConsumerGroup> setPush(Actor actor, String name, PushChange given) {
        return calls.run(() -> {
            ConsumerGroup before = consumer(name);
            ProxyConfig.PushDefaults d = registry.pushDefaults();
            PushSubscription push = new PushSubscription(given.url(), given.secret(),
                given.clientId() == null || given.clientId().isEmpty() ? null : given.clientId(),
                given.maxInFlight() != null ? given.maxInFlight() : d.maxInFlight(),
                given.ratePerSecond() != null ? given.ratePerSecond() : d.ratePerSecond(),
                given.batchSize() != null ? given.batchSize() : d.batchSize(),
                given.minBackoffMillis() != null ? given.minBackoffMillis() : d.minBackoffMillis(),
                given.maxBackoffMillis() != null ? given.maxBackoffMillis() : d.maxBackoffMillis(),
                given.timeoutMillis() != null ? given.timeoutMillis() : d.timeoutMillis());
            GroupRules.Violation v = PushRules.check(push.url(), push.secret(), push.clientId(), before.broadcast(),
                push.maxInFlight(), push.ratePerSecond(), push.batchSize(), push.minBackoffMillis(),
                push.maxBackoffMillis(), push.timeoutMillis(), before.consumeTimeoutCap());
            if (v != null) {
                throw Errors.badParam(v.setting(), v.rule());
            }
            return changePush(actor, "set-push", before, PushChange.set(push));
        });
    }

    /** Removes a group's webhook (also one the configuration file set, until it is set again). */
    public CompletableFuture<ConsumerGroup> removePush(Actor actor, String name) {
        return calls.run(() -> {
            ConsumerGroup before = consumer(name);
            if (before.push() == null) {
                throw Errors.notFound("push endpoint of consumer group '" + name + "'");
            }
            return changePush(actor, "remove-push", before, PushChange.REMOVED);
        });
    }

    private ConsumerGroup changePush(Actor actor, String action, ConsumerGroup before, PushChange change)
        throws Exception {
        String name = before.name();
        return calls.changed(actor, action, name, null, before,
            () -> sync.changeGroup(name, () -> groups.groupEntry(name, GroupChange.push(change))), () -> consumer(name));
    }

    private ConsumerGroup consumer(String name) {
        return CommandChecks.consumer(registry, name);
    }
}
