package io.mqproxy.broker;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.rocketmq.client.exception.MQBrokerException;
import org.apache.rocketmq.remoting.protocol.ResponseCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The topics the proxy itself needs (the audit topic, the registry log). Created at start-up; when that
 * fails (a proxy started with its cluster, whose name server does not answer yet), tried again in the
 * background every few seconds until the topic exists, so the proxy needs no restart once the cluster is
 * up. Said once when it first fails and once when it is done, not at every try. Once a broker refused the
 * creation (a locked-down cluster), the tries only look for the topic an operator is to create.
 * Runs on the readiness prober's thread: a try waits for nothing (no broker not yet listed is waited for),
 * and the calls are the prober's own kind (route and cluster look-ups at the name server).
 */
public final class RequiredTopics implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RequiredTopics.class);
    static final long RETRY_MILLIS = 3_000;

    /**
     * A topic the proxy needs, with what its logs say of it.
     *
     * @param what        what the topic is, e.g. "audit topic"
     * @param whileMissing what does not work until it exists, e.g. "control-plane changes cannot be recorded"
     * @param onceCreated  what works once it exists, e.g. "control-plane changes are recorded"
     */
    public record Topic(String name, int queues, String what, String whileMissing, String onceCreated) {
    }

    private final AdminClient admin;
    private final ProducerClient producer;
    private final ScheduledExecutorService scheduler;
    /** Topics not created yet, and whether a broker refused the proxy the right to create them. */
    private final Map<Topic, Boolean> missing = new ConcurrentHashMap<>();
    private ScheduledFuture<?> retries;
    private boolean closed;

    RequiredTopics(AdminClient admin, ProducerClient producer, ScheduledExecutorService scheduler) {
        this.admin = admin;
        this.producer = producer;
        this.scheduler = scheduler;
    }

    /**
     * Creates the topic now unless it exists (waiting, bounded, for a broker not yet listed); when that
     * fails, says why and leaves it to the background tries. Blocks.
     */
    public void require(Topic topic) {
        try {
            admin.ensureTopic(topic.name(), topic.queues());
            producer.knowTopic(topic.name());
        } catch (RuntimeException e) {
            log.warn("{} {} missing and not created ({}): tried again every {} s until it exists (against a "
                    + "locked-down cluster create it with {} queue{}); until then {}", topic.what(), topic.name(),
                e.getMessage(), RETRY_MILLIS / 1_000, topic.queues(), topic.queues() == 1 ? "" : "s",
                topic.whileMissing());
            triedLater(topic, refusedByBroker(e));
        }
    }

    /** Atomic with {@link #stopIfDone()}: a topic added while a round ends is still tried. */
    private synchronized void triedLater(Topic topic, boolean refused) {
        missing.put(topic, refused);
        if (retries != null || closed) {
            return;
        }
        try {
            retries = scheduler.scheduleWithFixedDelay(this::tryAgain, RETRY_MILLIS, RETRY_MILLIS,
                TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopping) {
            // the proxy is stopping: nothing to create any more
        }
    }

    private synchronized void stopIfDone() {
        if (missing.isEmpty()) {
            stopTries();
        }
    }

    private synchronized void stopTries() {
        if (retries != null) {
            retries.cancel(false);
            retries = null;
        }
    }

    /** One round: nothing but one call while the cluster cannot be asked (a probe then has the thread soon). */
    private void tryAgain() {
        try {
            admin.masterAddrs();
        } catch (Exception notYet) {
            return;
        }
        missing.forEach((topic, refused) -> {
            try {
                boolean existed = admin.hasRoute(topic.name());
                if (!existed) {
                    if (refused) {
                        return; // an operator creates it: looked for at the next round
                    }
                    admin.ensureTopic(topic.name(), topic.queues(), 0);
                }
                producer.knowTopic(topic.name());
                missing.remove(topic);
                log.info("{} {} {}: {} from now on", topic.what(), topic.name(), existed ? "found" : "created",
                    topic.onceCreated());
            } catch (RuntimeException e) {
                // Said when it first failed; a broker's refusal stops the creating, not the looking.
                missing.put(topic, refusedByBroker(e));
                log.debug("{} {} still missing: {}", topic.what(), topic.name(), e.getMessage());
            }
        });
        stopIfDone();
    }

    private static boolean refusedByBroker(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof MQBrokerException b && b.getResponseCode() == ResponseCode.NO_PERMISSION) {
                return true;
            }
        }
        return false;
    }

    /** Stops the tries (the proxy is stopping). */
    @Override
    public synchronized void close() {
        closed = true;
        stopTries();
    }
}
