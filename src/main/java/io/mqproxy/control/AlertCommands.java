package io.mqproxy.control;

import io.mqproxy.config.AlertRuleLimits;
import io.mqproxy.config.GroupRules;
import io.mqproxy.error.Errors;
import io.mqproxy.error.ProxyError;
import io.mqproxy.monitor.AlertOverrides;
import io.mqproxy.monitor.AlertRuleEntries;
import io.mqproxy.monitor.AlertRuleBook;
import io.mqproxy.monitor.AlertState;
import io.mqproxy.monitor.Monitoring;
import io.mqproxy.registry.ConsumerGroup;
import io.mqproxy.registry.Registry;
import io.mqproxy.registry.RegistrySync;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Alert rules and alerts (issue 9): the thresholds every group starts from and each group's, changed at
 * run time in the run-time registry (every instance applies them within a second), each change audited
 * ({@link AuditedCalls}); the alerts with their state; the lag collection that feeds them.
 */
public final class AlertCommands {
    private final Registry registry;
    private final RegistrySync sync;
    private final Monitoring monitoring;
    private final AlertRuleEntries alertRules;
    private final AuditedCalls calls;

    AlertCommands(Registry registry, RegistrySync sync, Monitoring monitoring, AlertRuleEntries alertRules,
                  AuditedCalls calls) {
        this.registry = registry;
        this.sync = sync;
        this.monitoring = monitoring;
        this.alertRules = alertRules;
        this.calls = calls;
    }


    /** The alert thresholds every group starts from, with where each comes from. */
    public AlertRuleBook.View alertDefaults() {
        return monitoring.rules().defaults();
    }

    /** A group's alert thresholds, with where each comes from. */
    public AlertRuleBook.View alertRules(String group) {
        consumer(group);
        return monitoring.rules().view(group);
    }

    /**
     * Sets the operator's alert thresholds for a group, or the defaults (null group): the fields given
     * replace the run-time entry; those left out come from the layers below (docs/monitoring.md).
     */
    public CompletableFuture<AlertRuleBook.View> setAlertRules(Actor actor, String group, AlertOverrides rules) {
        return calls.run(() -> {
            if (group != null) {
                consumer(group);
            }
            GroupRules.Violation v = AlertRuleLimits.check(rules.backlog(), rules.oldestAgeSeconds(),
                rules.stuckSeconds(), rules.deadLetters(), rules.deadLettersWindowSeconds());
            if (v != null) {
                throw Errors.badParam(v.setting(), v.rule());
            }
            AlertRuleBook.View before = alertView(group);
            return calls.changed(actor, "set-alert-rules", alertTarget(group), null, before, () -> sync.changeEntry(
                alertRules, AlertRuleEntries.key(group), () -> rules), () -> alertView(group));
        });
    }

    /** Drops the operator's alert thresholds for a group (or the defaults): the layers below apply again. */
    public CompletableFuture<AlertRuleBook.View> removeAlertRules(Actor actor, String group) {
        return calls.run(() -> {
            if (group != null) {
                consumer(group);
            }
            AlertRuleBook.View before = alertView(group);
            return calls.changed(actor, "remove-alert-rules", alertTarget(group), null, before,
                () -> sync.changeEntry(alertRules, AlertRuleEntries.key(group), () -> null), () -> alertView(group));
        });
    }

    /** The alerts, firing and resolved, of one group or all (null). */
    public CompletableFuture<List<AlertState>> alerts(String group) {
        if (group != null) {
            try {
                consumer(group);
            } catch (ProxyError e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        return calls.run(() -> monitoring.alerts().stream().filter(a -> group == null || group.equals(a.group())).toList());
    }

    /** Lag collection and alerting: whether this instance does it for the fleet, and its last collection. */
    public Monitoring monitoring() {
        return monitoring;
    }

    private AlertRuleBook.View alertView(String group) {
        return group == null ? monitoring.rules().defaults() : monitoring.rules().view(group);
    }

    /** The audit's target of the defaults: a name no group can have. */
    private static String alertTarget(String group) {
        return group == null ? "(alert defaults)" : group;
    }

    private ConsumerGroup consumer(String name) {
        return CommandChecks.consumer(registry, name);
    }
}
