package io.mqproxy.control;

import io.mqproxy.broker.AdminClient;
import io.mqproxy.consume.BrokerGroups;
import io.mqproxy.error.Errors;
import io.mqproxy.registry.ConsumerGroup;
import io.mqproxy.registry.Registry;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's actions, free of HTTP. RocketMQ's admin calls block, so they run on a small bounded
 * pool of their own ({@code mqproxy-control}); a full pool is a clear overload answer.
 */
public final class ControlService implements AutoCloseable {
    private static final Logger audit = LoggerFactory.getLogger("io.mqproxy.audit");
    private static final int QUEUE = 64;

    private final Registry registry;
    private final AdminClient admin;
    private final ExecutorService calls = new ThreadPoolExecutor(2, 2, 0, TimeUnit.SECONDS,
        new ArrayBlockingQueue<>(QUEUE), r -> {
            Thread t = new Thread(r, "mqproxy-control");
            t.setDaemon(true);
            return t;
        });

    public ControlService(Registry registry, AdminClient admin) {
        this.registry = registry;
        this.admin = admin;
    }

    /** The consumer groups served, in name order. */
    public List<ConsumerGroup> groups() {
        return registry.consumers();
    }

    /**
     * Lets go of the queues that clients of a queue-held group hold (all, or one broker's, or one),
     * so that a client that took a batch and never came back stops blocking them. What it had not
     * acked is delivered again to the next client.
     */
    public CompletableFuture<List<AdminClient.ReleasedQueue>> releaseHeldQueues(Actor actor, String group,
                                                                              String clientId, String brokerName,
                                                                              Integer queueId) {
        ConsumerGroup consumer = registry.consumer(group).orElse(null);
        if (consumer == null) {
            return CompletableFuture.failedFuture(Errors.notFound("consumer group '" + group + "'"));
        }
        if (consumer.pop()) {
            return CompletableFuture.failedFuture(Errors.badParam("group", "'" + group + "' is concurrent "
                + "(pop=true): no client holds a queue there"));
        }
        if (consumer.broadcast() == (clientId == null)) {
            return CompletableFuture.failedFuture(Errors.badParam("clientId", consumer.broadcast()
                ? "is required: '" + group + "' is a broadcast group, each clientId holds its own queues"
                : "only for broadcast groups"));
        }
        String brokerGroup = BrokerGroups.forClient(group, clientId);
        return run(() -> admin.releaseHeldQueues(consumer.topic(), brokerGroup, brokerName, queueId))
            .whenComplete((released, failure) -> audit.info("operator={} request={} action=release-held-queues "
                    + "group={} clientId={} broker={} queue={} result={}", actor.operator(), actor.requestId(), group,
                clientId, brokerName, queueId, failure == null ? "ok " + released : "failed: " + failure.getMessage()));
    }

    private interface Call<T> {
        T call() throws Exception;
    }

    private <T> CompletableFuture<T> run(Call<T> call) {
        CompletableFuture<T> result = new CompletableFuture<>();
        try {
            calls.execute(() -> {
                try {
                    result.complete(call.call());
                } catch (Exception e) {
                    result.completeExceptionally(e instanceof io.mqproxy.error.ProxyError ? e
                        : Errors.brokerFailure(e.getMessage() == null ? e.toString() : e.getMessage(), e));
                }
            });
        } catch (RejectedExecutionException full) {
            result.completeExceptionally(Errors.overloaded("control calls", QUEUE));
        }
        return result;
    }

    @Override
    public void close() {
        calls.shutdownNow();
    }
}
