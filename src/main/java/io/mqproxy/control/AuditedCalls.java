package io.mqproxy.control;

import io.mqproxy.broker.AuditStore;
import io.mqproxy.broker.BrokerFailure;
import io.mqproxy.error.ErrorMapper;
import io.mqproxy.error.Errors;
import io.mqproxy.error.ProxyError;
import io.mqproxy.security.AuditMac;
import io.mqproxy.threads.ThreadPools;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;

/**
 * What every control command shares: RocketMQ's admin calls block, so each command runs on a small
 * bounded pool ({@code mqproxy-control}), and a full pool is a clear overload answer; each change is
 * audited whatever its outcome (refusals the HTTP edge turned away included); a failure that is not
 * already one of ours becomes a broker failure.
 */
public final class AuditedCalls implements AutoCloseable {
    static final int QUEUE = 64;

    private final AuditLog audit;
    private final String instance;
    private final ExecutorService calls;
    private final Clock clock;

    AuditedCalls(AuditStore store, AuditMac auditMac, String instance, ThreadPools pools, Clock clock) {
        this.calls = pools.fixed("control", pools.sizes().control(), QUEUE);
        this.audit = new AuditLog(store, auditMac, instance, clock);
        this.instance = instance;
        this.clock = clock;
    }

    /** The app's clock: what every command dates its records and checks expiries with. */
    Clock clock() {
        return clock;
    }

    /** The audit log itself, for commands that write records beside their call's (a redrive's progress). */
    AuditLog log() {
        return audit;
    }

    /**
     * A page of the audit log, newest first: one group's, producer's or topic's records (or all, null)
     * dated within [since, until], from the cursor on (null: the newest). Forged or unverified records
     * are counted, and shown flagged only with {@code withForged}.
     */
    public CompletableFuture<AuditPage> audit(String target, long since, long until, int limit, String cursor,
                                              boolean withForged) {
        return run(() -> audit.read(target, since, until, limit, cursor, withForged));
    }

    /**
     * Records a control call the HTTP edge turned away or saw fail before the service recorded anything
     * (bad parameters, unknown groups, a wrong token): {@code result} says why. Off the event loop; never
     * fails the caller (a full pool or a broker failure is logged).
     */
    public void auditRefusal(Actor actor, String source, String action, String target, String result) {
        AuditRecord record = new AuditRecord(clock.millis(), actor == null ? null : actor.operator(),
            actor == null ? null : actor.requestId(), action, target, null, null, null, result, instance, source,
            null);
        try {
            calls.execute(() -> audit.record(record));
        } catch (RejectedExecutionException full) {
            audit.notRecorded(record, "control calls full (" + QUEUE + " queued): refusal not stored");
        }
    }

    /** For tests: a smaller bound on the messages one audit page looks at, to reach page ends cheaply. */
    void auditScanPerPage(int messages) {
        audit.scanPerPage = messages;
    }

    interface Action {
        void run() throws Exception;
    }

    interface Call<T> {
        T call() throws Exception;
    }

    /** Carries out a change and audits it, whatever its outcome; returns {@code after}'s value. */
    <T> T changed(Actor actor, String action, String target, String clientId, Object before, Action change,
                          Call<T> after) throws Exception {
        try {
            change.run();
            T result = after.call();
            audit.record(actor, action, target, clientId, before, result, "ok");
            return result;
        } catch (Exception e) {
            audit.record(actor, action, target, clientId, before, null, "failed: " + e.getMessage());
            actor.markFailureAudited();
            throw e;
        }
    }

    <T> CompletableFuture<T> run(Call<T> call) {
        CompletableFuture<T> result = new CompletableFuture<>();
        try {
            calls.execute(() -> {
                try {
                    result.complete(call.call());
                } catch (Exception e) {
                    result.completeExceptionally(asProxyError(e));
                }
            });
        } catch (RejectedExecutionException full) {
            result.completeExceptionally(Errors.overloaded("control calls", QUEUE));
        }
        return result;
    }

    /** Ours and the broker layer's failures keep their status (also out of a joined future); the rest is a broker failure. */
    private static ProxyError asProxyError(Exception e) {
        Throwable t = ErrorMapper.unwrap(e);
        if (t instanceof ProxyError || t instanceof BrokerFailure) {
            return ErrorMapper.toProxyError(t);
        }
        return Errors.brokerFailure(e.getMessage() == null ? e.toString() : e.getMessage(), e);
    }

    @Override
    public void close() {
        calls.shutdownNow();
    }
}
