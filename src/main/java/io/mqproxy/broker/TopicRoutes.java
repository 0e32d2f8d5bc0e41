package io.mqproxy.broker;

import io.mqproxy.log.TraceIds;
import io.mqproxy.threads.ThreadPools;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.rocketmq.client.impl.MQClientAPIImpl;
import org.apache.rocketmq.common.constant.PermName;
import org.apache.rocketmq.common.MixAll;
import org.apache.rocketmq.remoting.protocol.route.BrokerData;
import org.apache.rocketmq.remoting.protocol.route.QueueData;
import org.apache.rocketmq.remoting.protocol.route.TopicRouteData;

/**
 * Which master brokers serve a topic's readable queues, refreshed in the background so that a poll
 * never waits for the name server. Holds only topics that polls asked for, which the registry of
 * consumer groups bounds.
 */
final class TopicRoutes implements AutoCloseable {
    private static final long TIMEOUT_MILLIS = 3_000;

    /** A broker that holds readable queues of the topic. */
    record Target(String brokerName, String addr) {
    }

    private final MQClientAPIImpl api;
    private final Map<String, CompletableFuture<List<Target>>> routes = new ConcurrentHashMap<>();
    /** Refreshes every known route, and looks up each topic's first: at most a task per topic waits. */
    private final ScheduledExecutorService refresher;

    TopicRoutes(MQClientAPIImpl api, ThreadPools pools) {
        this.api = api;
        this.refresher = pools.scheduler("route-refresh", 4096);
        refresher.scheduleWithFixedDelay(this::refreshAll, 5, 5, TimeUnit.SECONDS);
    }

    /** The topic's brokers; completes at once unless this is the topic's first look-up. */
    CompletableFuture<List<Target>> of(String topic) {
        CompletableFuture<List<Target>> known = routes.get(topic);
        if (known != null && !known.isCompletedExceptionally()) {
            return known;
        }
        CompletableFuture<List<Target>> loading = new CompletableFuture<>();
        CompletableFuture<List<Target>> raced = routes.putIfAbsent(topic, loading);
        if (raced != null && !raced.isCompletedExceptionally()) {
            return raced;
        }
        routes.put(topic, loading);
        try {
            refresher.execute(() -> {
                // Every poll that came meanwhile continues from here: none under the first one's trace id.
                try (TraceIds.Scope ignored = TraceIds.as(null)) {
                    try {
                        loading.complete(lookUp(topic));
                    } catch (Exception e) {
                        loading.completeExceptionally(e);
                    }
                }
            });
        } catch (RejectedExecutionException full) {
            loading.completeExceptionally(full);
        }
        return loading;
    }

    private void refreshAll() {
        routes.forEach((topic, current) -> {
            try {
                routes.put(topic, CompletableFuture.completedFuture(lookUp(topic)));
            } catch (Exception e) {
                // keep the last known route: a name server hiccup must not stop consumption
            }
        });
    }

    private List<Target> lookUp(String topic) throws Exception {
        List<Target> targets = readableMasters(api.getTopicRouteInfoFromNameServer(topic, TIMEOUT_MILLIS));
        if (targets.isEmpty()) {
            throw new IllegalStateException("topic '" + topic + "' has no readable queue on a master broker");
        }
        return targets;
    }

    /** The master of each broker that holds readable queues in {@code route} (the lag reader's too). */
    static List<Target> readableMasters(TopicRouteData route) {
        List<Target> targets = new ArrayList<>();
        for (QueueData q : route.getQueueDatas()) {
            if (q.getReadQueueNums() == 0 || !PermName.isReadable(q.getPerm())) {
                continue;
            }
            for (BrokerData b : route.getBrokerDatas()) {
                String master = b.getBrokerAddrs().get(MixAll.MASTER_ID);
                if (b.getBrokerName().equals(q.getBrokerName()) && master != null) {
                    targets.add(new Target(b.getBrokerName(), master));
                }
            }
        }
        return List.copyOf(targets);
    }

    @Override
    public void close() {
        refresher.shutdownNow();
    }
}
