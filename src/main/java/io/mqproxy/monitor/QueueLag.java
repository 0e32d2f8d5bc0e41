package io.mqproxy.monitor;

/**
 * A group's lag on one queue of its topic.
 *
 * @param backlog          messages of the queue not yet consumed (for concurrent groups, in-flight ones included)
 * @param inflight         handed out and not acked; -1 when unknown (the broker is not in this JVM)
 * @param oldestAgeSeconds age of the first message waiting on the queue; 0 when none waits
 */
public record QueueLag(String broker, int queueId, long backlog, long inflight, double oldestAgeSeconds) {
    /** The sum of two clients' lags on the same queue. */
    QueueLag plus(QueueLag other) {
        return new QueueLag(broker, queueId, backlog + other.backlog,
            inflight < 0 || other.inflight < 0 ? -1 : inflight + other.inflight,
            Math.max(oldestAgeSeconds, other.oldestAgeSeconds));
    }
}
