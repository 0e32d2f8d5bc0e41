package io.mqproxy.broker;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.apache.rocketmq.client.exception.MQClientException;
import org.apache.rocketmq.client.impl.MQClientAPIImpl;
import org.apache.rocketmq.common.MixAll;
import org.apache.rocketmq.common.constant.PermName;
import org.apache.rocketmq.remoting.exception.RemotingException;
import org.apache.rocketmq.remoting.protocol.LanguageCode;
import org.apache.rocketmq.remoting.protocol.RemotingCommand;
import org.apache.rocketmq.remoting.protocol.RequestCode;
import org.apache.rocketmq.remoting.protocol.ResponseCode;
import org.apache.rocketmq.remoting.protocol.heartbeat.HeartbeatData;
import org.apache.rocketmq.remoting.protocol.route.BrokerData;
import org.apache.rocketmq.remoting.protocol.route.QueueData;
import org.apache.rocketmq.remoting.protocol.route.TopicRouteData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Readiness: every topic the proxy serves has a writable and a readable queue on a master broker that
 * answers. A fleet of proxies must not go unready because one broker of several is down while its
 * topics are still served by the others, and must go unready when a topic it needs is not served.
 * Probed every second on its own thread, so {@code /ready} answers from the last result at once.
 */
public final class BrokerHealth implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BrokerHealth.class);
    /** A master that has not answered a ping within this is counted as down for this round. */
    static final long PROBE_TIMEOUT_MILLIS = 2_000;
    private static final int NAMED_AT_MOST = 5;

    private final MQClientAPIImpl api;
    private final String clientId;
    private final Supplier<Set<String>> topics;
    private final ScheduledExecutorService prober;
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private volatile String notServed = "not probed yet";

    /**
     * @param topics the topics that must be served, read at each probe (a registry may change them)
     * @param prober the thread the probes run on (shut down with this)
     */
    BrokerHealth(MQClientAPIImpl api, String clientId, Supplier<Set<String>> topics, ScheduledExecutorService prober) {
        this.api = api;
        this.prober = prober;
        this.clientId = clientId;
        this.topics = topics;
    }

    /**
     * Probes now on the prober's thread and waits for it (bounded), then every second. Start-up calls
     * it once its topics exist, so readiness is current when the proxy says it is started.
     */
    public boolean probeNow() {
        if (scheduled.compareAndSet(false, true)) {
            prober.scheduleWithFixedDelay(this::probe, 1, 1, TimeUnit.SECONDS);
        }
        try {
            prober.submit(this::probe).get(PROBE_TIMEOUT_MILLIS * 4, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | java.util.concurrent.RejectedExecutionException e) {
            // the last result stands
        }
        return ready();
    }

    /** Whether the last probe found every topic served. */
    public boolean ready() {
        return notServed == null;
    }

    /** Why the proxy is not ready (names the topics not served), or null when it is. */
    public String notServed() {
        return notServed;
    }

    private void probe() {
        String before = notServed;
        try {
            notServed = unserved(topics.get());
        } catch (RuntimeException e) {
            notServed = "readiness probe failed: " + e;
        }
        if (notServed != null && !notServed.equals(before)) {
            log.warn("not ready: {}", notServed);
        } else if (notServed == null && before != null) {
            log.info("ready: every topic has a writable and a readable queue on a master that answers");
        }
    }

    /** What a topic's route offers: the masters holding its writable queues, and its readable ones. */
    private record Served(Set<String> writers, Set<String> readers) {
    }

    private String unserved(Set<String> wanted) {
        Map<String, Served> routes = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (String topic : wanted) {
            try {
                routes.put(topic, served(api.getTopicRouteInfoFromNameServer(topic, PROBE_TIMEOUT_MILLIS, false)));
            } catch (MQClientException e) {
                problems.add(e.getResponseCode() == ResponseCode.TOPIC_NOT_EXIST ? "topic '" + topic
                    + "' does not exist" : "topic '" + topic + "': route look-up failed: " + e.getErrorMessage());
            } catch (RemotingException e) {
                return "the name server does not answer: " + e.getMessage();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "readiness probe interrupted";
            }
        }
        if (wanted.isEmpty()) {
            try {
                api.getBrokerClusterInfo(PROBE_TIMEOUT_MILLIS);
            } catch (Exception e) {
                return "the name server does not answer: " + e.getMessage();
            }
        }
        Set<String> masters = new HashSet<>();
        routes.values().forEach(s -> {
            masters.addAll(s.writers());
            masters.addAll(s.readers());
        });
        Set<String> answering = answering(masters);
        routes.forEach((topic, s) -> {
            boolean writable = s.writers().stream().anyMatch(answering::contains);
            boolean readable = s.readers().stream().anyMatch(answering::contains);
            if (!writable || !readable) {
                problems.add("topic '" + topic + "' has no " + (writable ? "readable" : readable ? "writable"
                    : "writable or readable") + " queue on a master broker that answers");
            }
        });
        if (problems.isEmpty()) {
            return null;
        }
        String named = String.join("; ", problems.subList(0, Math.min(NAMED_AT_MOST, problems.size())));
        return problems.size() > NAMED_AT_MOST ? named + "; and " + (problems.size() - NAMED_AT_MOST) + " more topics"
            : named;
    }

    private static Served served(TopicRouteData route) {
        Map<String, String> masterOf = new HashMap<>();
        for (BrokerData b : route.getBrokerDatas()) {
            String master = b.getBrokerAddrs().get(MixAll.MASTER_ID);
            if (master != null) {
                masterOf.put(b.getBrokerName(), master);
            }
        }
        Set<String> writers = new HashSet<>();
        Set<String> readers = new HashSet<>();
        for (QueueData q : route.getQueueDatas()) {
            String master = masterOf.get(q.getBrokerName());
            if (master == null) {
                continue;
            }
            if (q.getWriteQueueNums() > 0 && PermName.isWriteable(q.getPerm())) {
                writers.add(master);
            }
            if (q.getReadQueueNums() > 0 && PermName.isReadable(q.getPerm())) {
                readers.add(master);
            }
        }
        return new Served(writers, readers);
    }

    /** The masters that answer a ping, all pinged at once so that a dead one costs one time-out, not one each. */
    private Set<String> answering(Set<String> masters) {
        Map<String, CompletableFuture<Boolean>> pings = new HashMap<>();
        masters.forEach(addr -> pings.put(addr, ping(api, clientId, addr)));
        Set<String> answering = new HashSet<>();
        pings.forEach((addr, ping) -> {
            try {
                if (ping.get(PROBE_TIMEOUT_MILLIS + 500, TimeUnit.MILLISECONDS)) {
                    answering.add(addr);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                // counted as down
            }
        });
        return answering;
    }

    /**
     * An empty heartbeat: the broker's cheapest request (it registers nothing) and the one RocketMQ
     * clients themselves use for liveness; bounded by the probe time-out.
     */
    static CompletableFuture<Boolean> ping(MQClientAPIImpl api, String clientId, String addr) {
        HeartbeatData heartbeat = new HeartbeatData();
        heartbeat.setClientID(clientId);
        RemotingCommand request = RemotingCommand.createRequestCommand(RequestCode.HEART_BEAT, null);
        request.setLanguage(LanguageCode.JAVA);
        request.setBody(heartbeat.encode());
        return api.getRemotingClient().invoke(addr, request, PROBE_TIMEOUT_MILLIS)
            .thenApply(response -> response.getCode() == ResponseCode.SUCCESS)
            .exceptionally(e -> false);
    }

    @Override
    public void close() {
        prober.shutdownNow();
    }
}
