package io.mqproxy.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqproxy.broker.LagReader;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The counting rule measured in ROCKETMQ-NOTES ("Lag of POP groups"), on its own figures: a topic of
 * 2 queues x 50, truth 100 before acks.
 */
class ClientLagTest {
    private static LagReader.QueuePosition q(int id, long max, long committed, long inflight) {
        return new LagReader.QueuePosition("broker-a", id, max, committed, inflight, 0);
    }

    @Test
    void plainPop_mainDiffPlusInFlightPlusRetry() {
        // Popped 40 (20 per queue), acked 10: 30 in flight, the offsets moved by 40. Truth 90.
        LagReader.Position p = new LagReader.Position("g", List.of(q(0, 50, 20, 15), q(1, 50, 20, 15)), List.of(), 0,
            true);
        ClientLag lag = ClientLag.of(null, p, true, 0);
        assertThat(lag.backlog()).isEqualTo(90);
        assertThat(lag.inflight()).isEqualTo(30);
        // 20 expired and were put back in the retry topic: 10 in flight, 20 retries. Still 90.
        LagReader.Position later = new LagReader.Position("g", List.of(q(0, 50, 20, 5), q(1, 50, 20, 5)),
            List.of(q(0, 20, 0, 0)), 0, true);
        ClientLag after = ClientLag.of(null, later, true, 0);
        assertThat(after.backlog()).isEqualTo(90);
        assertThat(after.retryBacklog()).isEqualTo(20);
        assertThat(after.consumed()).isEqualTo(10);
    }

    @Test
    void orderlyPop_mainDiffAlone_inFlightNotCountedTwice() {
        // Popped 10 per queue, acked 5 per queue: the offset moves at ack. Truth 90; the broker's counter says 10.
        LagReader.Position p = new LagReader.Position("g", List.of(q(0, 50, 5, 5), q(1, 50, 5, 5)), List.of(), 0,
            true);
        ClientLag lag = ClientLag.of(null, p, false, 0);
        assertThat(lag.backlog()).isEqualTo(90);
        assertThat(lag.inflight()).isEqualTo(10);
        assertThat(lag.consumed()).isEqualTo(10);
    }

    @Test
    void aBrokerOutsideThisJvm_inFlightUnknown_backlogWithoutIt() {
        LagReader.Position p = new LagReader.Position("g", List.of(q(0, 50, 20, -1), q(1, 50, 20, -1)), List.of(), 0,
            false);
        ClientLag lag = ClientLag.of(null, p, true, 0);
        assertThat(lag.inflight()).isEqualTo(-1);
        assertThat(lag.backlog()).isEqualTo(60);
        assertThat(lag.queues()).allSatisfy(queue -> assertThat(queue.inflight()).isEqualTo(-1));
    }
}
