package io.mqproxy.monitor;

/**
 * A group's lag on one queue of its topic.
 *
 * @param backlog          messages of the queue not yet consumed (for concurrent groups, in-flight ones included)
 * @param inflight         handed out and not acked; -1 when unknown (the broker is not in this JVM)
 * @param oldestAgeSeconds age of the first message waiting on the queue; 0 when none waits
 * @param estimated        the backlog is partly estimated: a group with a filter, whose queue was not read to
 *                         its end in this collection (the rest counted at the match ratio of what was read)
 */
public record QueueLag(String broker, int queueId, long backlog, long inflight, double oldestAgeSeconds,
                       boolean estimated) {
    /** A backlog counted exactly. */
    public QueueLag(String broker, int queueId, long backlog, long inflight, double oldestAgeSeconds) {
        this(broker, queueId, backlog, inflight, oldestAgeSeconds, false);
    }

    /** The sum of two clients' lags on the same queue. */
    QueueLag plus(QueueLag other) {
        return new QueueLag(broker, queueId, backlog + other.backlog,
            inflight < 0 || other.inflight < 0 ? -1 : inflight + other.inflight,
            Math.max(oldestAgeSeconds, other.oldestAgeSeconds), estimated || other.estimated);
    }
}
