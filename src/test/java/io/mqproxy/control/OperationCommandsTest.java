package io.mqproxy.control;

import static io.mqproxy.control.ControlFixture.ALICE;
import static io.mqproxy.control.ControlFixture.BROADCAST;
import static io.mqproxy.control.ControlFixture.HELD;
import static io.mqproxy.control.ControlFixture.POP;
import static io.mqproxy.control.ControlFixture.PRODUCER;
import static io.mqproxy.control.ControlFixture.START;
import static io.mqproxy.control.ControlFixture.TOPIC;
import static io.mqproxy.control.ControlFixture.done;
import static io.mqproxy.control.ControlFixture.failure;
import static org.assertj.core.api.Assertions.assertThat;

import io.mqproxy.broker.ClientDirectory;
import io.mqproxy.broker.GroupAdmin.QueueOffset;
import io.mqproxy.broker.TopicAdmin;
import io.mqproxy.error.ProxyError;
import io.mqproxy.registry.BrokerGroups;
import io.mqproxy.testing.FakeGroupAdmin;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The broker operations' rules over a faked broker (issue 23): which broker group each one reaches, what is
 * refused before the broker sees anything (400 naming the field), that a change is audited with its outcome
 * and a look is not, and a broker failure's error value and audit record.
 */
class OperationCommandsTest {
    private final ControlFixture f = new ControlFixture();

    @AfterEach
    void close() {
        f.close();
    }

    // ---- reset

    @Test
    void reset_movesTheGroupAtTheBroker_andIsAuditedWithItsNewOffsets() throws Exception {
        List<QueueOffset> after = done(f.operations.reset(ALICE, HELD, null, -1));
        assertThat(f.groups.calls).containsExactly("reset " + TOPIC + " " + HELD + " -1");
        assertThat(after).hasSize(1);
        AuditRecord r = f.records().get(0);
        assertThat(r.action()).isEqualTo("reset-offset");
        assertThat(r.target()).isEqualTo(HELD);
        assertThat(r.operator()).isEqualTo("alice");
        assertThat(r.result()).isEqualTo("ok");
        assertThat(String.valueOf(r.after())).contains("broker-a").contains("consumedOffset=4");
    }

    @Test
    void reset_ofOneBroadcastClient_reachesOnlyItsBrokerGroup_andWithoutAClientId_isRefused() throws Exception {
        done(f.operations.reset(ALICE, BROADCAST, "c1", 0));
        assertThat(f.groups.calls).containsExactly("reset " + TOPIC + " " + BrokerGroups.forClient(BROADCAST, "c1")
            + " 0");
        assertThat(f.records()).singleElement().extracting(AuditRecord::clientId).isEqualTo("c1");

        ProxyError e = failure(f.operations.reset(ALICE, BROADCAST, null, 0));
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.getMessage()).startsWith("clientId:");
        assertThat(failure(f.operations.reset(ALICE, POP, "c1", 0)).getMessage()).startsWith("clientId:");
        assertThat(failure(f.operations.reset(ALICE, "nobody", null, 0)).status()).isEqualTo(404);
        assertThat(f.groups.calls).hasSize(1);
        assertThat(f.records()).hasSize(1);
    }

    @Test
    void reset_whenTheBrokerFails_isTheErrorValue_andAuditedAsFailed() throws Exception {
        f.groups.failing = ControlFixture.unreachable();
        ProxyError e = failure(f.operations.reset(ALICE, HELD, null, 0));
        assertThat(e.status()).isEqualTo(500);
        assertThat(e.getMessage()).contains("10.0.0.1:10911");
        assertThat(f.records()).singleElement().satisfies(r -> {
            assertThat(r.action()).isEqualTo("reset-offset");
            assertThat(r.result()).startsWith("failed: ").contains("10.0.0.1:10911");
        });
    }

    // ---- redeliver

    @Test
    void redeliver_toAQueueHeldGroup_orWithoutAMessageId_isRefused_andNothingIsSent() throws Exception {
        f.groups.stored.put("m1", FakeGroupAdmin.message("m1", TOPIC, START));
        ProxyError held = failure(f.operations.redeliver(ALICE, HELD, null, "m1"));
        assertThat(held.status()).isEqualTo(400);
        assertThat(held.getMessage()).startsWith("group:").contains("queue-held");
        assertThat(failure(f.operations.redeliver(ALICE, POP, null, " ")).getMessage()).startsWith("messageId:");
        assertThat(failure(f.operations.redeliver(ALICE, POP, null, "unknown")).status()).isEqualTo(404);
        assertThat(f.groups.sends).hasValue(0);
        assertThat(f.records()).isEmpty();
    }

    @Test
    void redeliver_toEveryClientOfABroadcastGroup_sendsOneCopyEach_andIsAuditedOnce() throws Exception {
        f.groups.stored.put("m1", FakeGroupAdmin.message("m1", TOPIC, START));
        f.clients.clients.put(BROADCAST, List.of(
            new ClientDirectory.Entry(BrokerGroups.forClient(BROADCAST, "c1"), "c1", START),
            new ClientDirectory.Entry(BrokerGroups.forClient(BROADCAST, "c2"), "c2", START)));
        assertThat(done(f.operations.redeliver(ALICE, BROADCAST, "*", "m1"))).isEqualTo(2);
        assertThat(f.groups.calls).containsExactly(
            "redeliver " + TOPIC + " " + BrokerGroups.forClient(BROADCAST, "c1") + " m1",
            "redeliver " + TOPIC + " " + BrokerGroups.forClient(BROADCAST, "c2") + " m1");
        assertThat(f.records()).singleElement().satisfies(r -> {
            assertThat(r.action()).isEqualTo("redeliver");
            assertThat(r.clientId()).isEqualTo("*");
            assertThat(r.after()).isEqualTo(2);
        });
    }

    // ---- release held queues

    @Test
    void releaseHeldQueues_ofAConcurrentGroup_isRefusedNamingGroup_andOfAQueueHeldOne_isSentAndAudited()
        throws Exception {
        ProxyError e = failure(f.operations.releaseHeldQueues(ALICE, POP, null, "broker-a", 1));
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.getMessage()).startsWith("group:").contains("pop=true");
        assertThat(f.topics.calls).isEmpty();
        assertThat(f.records()).isEmpty();

        f.topics.held = List.of(new TopicAdmin.ReleasedQueue("broker-a", 1, 42));
        assertThat(done(f.operations.releaseHeldQueues(ALICE, HELD, null, "broker-a", 1)))
            .containsExactly(new TopicAdmin.ReleasedQueue("broker-a", 1, 42));
        assertThat(f.topics.calls).containsExactly("releaseHeldQueues " + TOPIC + " " + HELD + " broker-a 1");
        assertThat(f.records()).singleElement().satisfies(r -> {
            assertThat(r.action()).isEqualTo("release-held-queues");
            assertThat(r.result()).isEqualTo("ok");
            assertThat(String.valueOf(r.after())).contains("offset=42");
        });
    }

    // ---- looks and the test message

    @Test
    void peek_readsAfterTheGroupsOffsets_andIsNotAudited() throws Exception {
        done(f.operations.peek(POP, null, 5));
        assertThat(f.groups.calls).containsExactly("peek " + TOPIC + " " + POP + " 5");
        assertThat(f.records()).isEmpty();
    }

    @Test
    void aTestMessage_throughAnUnknownProducer_is404_andNothingIsSent_elseItIsAudited() throws Exception {
        int[] sent = {0};
        ProxyError e = failure(f.operations.sendTestMessage(ALICE, "nobody", () -> {
            sent[0]++;
            return CompletableFuture.completedFuture(Map.of());
        }));
        assertThat(e.status()).isEqualTo(404);
        assertThat(sent[0]).isZero();
        assertThat(f.records()).isEmpty();

        done(f.operations.sendTestMessage(ALICE, PRODUCER, () -> {
            sent[0]++;
            return CompletableFuture.completedFuture(Map.of("msgId", "x1"));
        }));
        assertThat(sent[0]).isOne();
        assertThat(f.records()).singleElement().satisfies(r -> {
            assertThat(r.action()).isEqualTo("test-message");
            assertThat(r.target()).isEqualTo(PRODUCER);
            assertThat(r.after()).isEqualTo(Map.of("msgId", "x1"));
        });
    }
}
