package io.mqproxy.control;

import io.mqproxy.broker.BrokerAccess;
import io.mqproxy.metrics.ProxyMetrics;
import io.mqproxy.monitor.AlertRuleEntries;
import io.mqproxy.monitor.Monitoring;
import io.mqproxy.registry.CredentialEntries;
import io.mqproxy.registry.Registry;
import io.mqproxy.registry.RegistrySync;
import io.mqproxy.security.AuditMac;
import io.mqproxy.security.CredentialBook;
import io.mqproxy.security.SecretSeal;
import io.mqproxy.threads.ThreadPools;
import java.time.Clock;

/**
 * The operator's actions, free of HTTP, by concern: each command class owns one kind of operation and
 * they share one {@link AuditedCalls} (the control pool, the audit, the error mapping). This class only
 * builds them and holds them for the routes; it does nothing itself. A new command goes into the class
 * of its concern (README, "Development: where things go").
 */
public final class ControlService implements AutoCloseable {
    private final AuditedCalls calls;
    private final GroupCommands groups;
    private final OperationCommands operations;
    private final RedriveCommands redrives;
    private final CredentialCommands credentials;
    private final AlertCommands alerts;
    private final PushCommands push;

    public ControlService(Registry registry, RegistrySync sync, BrokerAccess broker, String instance,
                          int defaultQueues, int messageBodyPreviewBytes, Monitoring monitoring,
                          ProxyMetrics metrics, CredentialBook credentialBook, SecretSeal seal, AuditMac auditMac,
                          ThreadPools pools, Clock clock) {
        this.calls = new AuditedCalls(broker.audit(), auditMac, instance, pools, clock);
        CredentialEntries credentialEntries = new CredentialEntries(credentialBook, seal);
        AlertRuleEntries alertRules = new AlertRuleEntries(monitoring.rules());
        this.groups = new GroupCommands(registry, sync, broker.admin(), broker.groups(), broker.clients(),
            broker.fleet(), broker.propertyFilters(), defaultQueues, calls);
        this.redrives = new RedriveCommands(registry, broker.groups(), metrics, pools, clock, calls);
        this.operations = new OperationCommands(registry, broker.admin(), broker.groups(), broker.clients(),
            broker.messages(), messageBodyPreviewBytes, metrics, redrives, calls);
        this.credentials = new CredentialCommands(registry, sync, credentialBook, credentialEntries, calls);
        this.alerts = new AlertCommands(registry, sync, monitoring, alertRules, calls);
        this.push = new PushCommands(registry, sync, groups, calls);
        sync.addSection(alertRules);
        sync.addSection(credentialEntries);
    }

    /** The control pool, the audit log's pages and the refusals the HTTP edge records. */
    public AuditedCalls calls() {
        return calls;
    }

    public GroupCommands groups() {
        return groups;
    }

    public OperationCommands operations() {
        return operations;
    }

    public RedriveCommands redrives() {
        return redrives;
    }

    public CredentialCommands credentials() {
        return credentials;
    }

    public AlertCommands alerts() {
        return alerts;
    }

    public PushCommands push() {
        return push;
    }

    /** For tests: a smaller bound on the messages one audit page looks at, to reach page ends cheaply. */
    void auditScanPerPage(int messages) {
        calls.auditScanPerPage(messages);
    }

    @Override
    public void close() {
        calls.close();
        redrives.close();
    }
}
