package io.mqproxy.monitor;

import io.mqproxy.broker.LagReader;
import java.util.ArrayList;
import java.util.List;

/**
 * The lag of one broker group: a clustering group's, or one broadcast clientId's.
 *
 * <p>How it is counted (checked against RocketMQ 5.5.0 in LagMetricsIT; docs/monitoring.md): a
 * concurrent (plain POP) group's committed offset moves when a message is handed out, so its backlog
 * is the messages after that offset, plus those handed out and not acked, plus its POP retry topic's
 * (messages not acked in time and put back), plus those handed out from there. A queue-held (orderly
 * POP) group's offset moves at ack, so the messages after it are its backlog, in-flight ones included.
 *
 * @param clientId         the broadcast clientId, or null for a clustering group
 * @param backlog          messages not yet consumed, retries and in-flight included
 * @param inflight         handed out and not acked; -1 when unknown (the broker is not in this JVM: then the
 *                         backlog of a concurrent group leaves them out until they come back as retries)
 * @param retryBacklog     messages waiting in the retry topic (put back after their consumeTimeout)
 * @param deadLetters      messages ever dead-lettered (end offsets of the dead-letter topic)
 * @param oldestAgeSeconds age of the oldest message waiting for delivery (from its store time; for a retry,
 *                         from when it was put back); 0 when none waits
 * @param consumed         a count that grows with every message consumed (acked); for "stuck"
 * @param estimated        the backlog is partly estimated (a group with a filter: see {@link QueueLag})
 */
public record ClientLag(String clientId, String brokerGroup, long backlog, long inflight, long retryBacklog,
                        long deadLetters, double oldestAgeSeconds, long consumed, List<QueueLag> queues,
                        boolean estimated) {

    /** A lag counted exactly. */
    public ClientLag(String clientId, String brokerGroup, long backlog, long inflight, long retryBacklog,
                     long deadLetters, double oldestAgeSeconds, long consumed, List<QueueLag> queues) {
        this(clientId, brokerGroup, backlog, inflight, retryBacklog, deadLetters, oldestAgeSeconds, consumed, queues,
            false);
    }

    /** The lag of a broker group from its position at the brokers. */
    static ClientLag of(String clientId, LagReader.Position p, boolean concurrent, long now) {
        boolean known = p.inflightKnown();
        List<QueueLag> queues = new ArrayList<>();
        long backlog = 0;
        long inflight = 0;
        long committed = 0;
        double oldest = 0;
        boolean estimated = false;
        for (LagReader.QueuePosition q : p.main()) {
            long out = inflightOf(q, concurrent);
            long queueBacklog = q.diff() + (concurrent && known ? out : 0);
            double age = age(q, now);
            queues.add(new QueueLag(q.brokerName(), q.queueId(), queueBacklog, known ? out : -1, age, q.estimated()));
            estimated |= q.estimated();
            backlog += queueBacklog;
            inflight += out;
            committed += q.committedOffset();
            oldest = Math.max(oldest, age);
        }
        long retryBacklog = 0;
        long retryDiff = 0;
        for (LagReader.QueuePosition q : p.retry()) {
            long out = inflightOf(q, concurrent);
            retryBacklog += q.diff() + (concurrent && known ? out : 0);
            retryDiff += q.diff();
            inflight += out;
            oldest = Math.max(oldest, age(q, now));
        }
        backlog += retryBacklog;
        // Concurrent: handed out (offsets) minus what is still out or came back = acked. Queue-held: the offset is it.
        long consumed = concurrent ? committed - retryDiff - (known ? inflight : 0) : committed;
        return new ClientLag(clientId, p.brokerGroup(), backlog, known ? inflight : -1, retryBacklog, p.deadLetters(),
            oldest, consumed, List.copyOf(queues), estimated);
    }

    /**
     * The broker's in-flight count; for queue-held groups it is cleared only at the queue's next pop, so a
     * batch that expired unacked would still count: it can never be more than what is not acked.
     */
    private static long inflightOf(LagReader.QueuePosition q, boolean concurrent) {
        if (!q.inflightKnown()) {
            return 0;
        }
        return concurrent ? q.inflight() : Math.min(q.inflight(), q.diff());
    }

    private static double age(LagReader.QueuePosition q, long now) {
        return q.diff() > 0 && q.headStoreTime() > 0 ? Math.max(0, now - q.headStoreTime()) / 1000.0 : 0;
    }
}
