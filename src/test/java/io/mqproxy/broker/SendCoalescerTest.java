package io.mqproxy.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqproxy.log.TraceIds;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.BiConsumer;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageQueue;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/** The coalescer's decisions, with a sender that the test answers by hand: no broker, no timing. */
class SendCoalescerTest {
    private static final SendCoalescer.Lane LANE = new SendCoalescer.Lane("t", null);

    /** Records each request and lets the test answer it. */
    private static final class HandSender implements SendCoalescer.Sender {
        final List<List<String>> requests = new ArrayList<>();
        final List<BiConsumer<List<SendReceipt>, Throwable>> answers = new ArrayList<>();

        @Override
        public synchronized void send(MessageQueue queue, List<Message> messages,
                                      BiConsumer<List<SendReceipt>, Throwable> done) {
            requests.add(messages.stream().map(m -> new String(m.getBody(), StandardCharsets.UTF_8)).toList());
            answers.add(done);
        }

        /** Answers request {@code i} as stored at offsets base, base+1, ... */
        void store(int i, long base) {
            List<SendReceipt> receipts = new ArrayList<>();
            for (int k = 0; k < requests.get(i).size(); k++) {
                receipts.add(new SendReceipt("SEND_OK", "id-" + requests.get(i).get(k), null,
                    new SendReceipt.QueueRef("t", "b", 0), base + k, null, false));
            }
            answers.get(i).accept(receipts, null);
        }
    }

    private static Message message(String body) {
        return new Message("t", body.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void send_withNothingInFlight_goesAtOnceAlone() {
        HandSender sender = new HandSender();
        SendCoalescer coalescer = new SendCoalescer(sender, 1, 1 << 20, 100);
        CompletableFuture<SendReceipt> a = coalescer.send(LANE, message("a"), 10);
        assertThat(sender.requests).containsExactly(List.of("a"));
        sender.store(0, 7);
        assertThat(a.join().queueOffset()).isEqualTo(7);
        assertThat(a.join().msgId()).isEqualTo("id-a");

        CompletableFuture<SendReceipt> b = coalescer.send(LANE, message("b"), 10);
        assertThat(sender.requests).as("the lane was idle again: no wait").hasSize(2);
        sender.store(1, 8);
        assertThat(b.join().queueOffset()).isEqualTo(8);
        assertThat(coalescer.waiting()).isZero();
    }

    @Test
    void sendsBehindOneInFlight_goAsOneBatchInArrivalOrder_eachWithItsOwnReceipt() {
        HandSender sender = new HandSender();
        SendCoalescer coalescer = new SendCoalescer(sender, 1, 1 << 20, 100);
        CompletableFuture<SendReceipt> first = coalescer.send(LANE, message("m0"), 10);
        List<CompletableFuture<SendReceipt>> behind = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            behind.add(coalescer.send(LANE, message("m" + i), 10));
        }
        assertThat(sender.requests).as("the others wait for the send in flight").hasSize(1);
        assertThat(coalescer.waiting()).isEqualTo(5);

        sender.store(0, 100);
        assertThat(first.join().queueOffset()).isEqualTo(100);
        assertThat(sender.requests.get(1)).containsExactly("m1", "m2", "m3", "m4", "m5");
        assertThat(behind).noneMatch(CompletableFuture::isDone);

        sender.store(1, 101);
        for (int i = 0; i < 5; i++) {
            SendReceipt r = behind.get(i).join();
            assertThat(r.msgId()).isEqualTo("id-m" + (i + 1));
            assertThat(r.queueOffset()).isEqualTo(101 + i);
        }
        assertThat(coalescer.waiting()).isZero();
    }

    @Test
    void failedBatch_reachesExactlyItsMembers() {
        HandSender sender = new HandSender();
        SendCoalescer coalescer = new SendCoalescer(sender, 1, 1 << 20, 100);
        CompletableFuture<SendReceipt> first = coalescer.send(LANE, message("ok0"), 10);
        CompletableFuture<SendReceipt> x = coalescer.send(LANE, message("bad1"), 10);
        CompletableFuture<SendReceipt> y = coalescer.send(LANE, message("bad2"), 10);
        sender.store(0, 0);
        // While the failing batch is in flight, more come: they form the next batch.
        CompletableFuture<SendReceipt> z = coalescer.send(LANE, message("ok3"), 10);
        RuntimeException refused = new RuntimeException("broker refused");
        sender.answers.get(1).accept(null, refused);
        assertThat(sender.requests.get(2)).containsExactly("ok3");
        sender.store(2, 1);

        assertThat(first.join().queueOffset()).isZero();
        assertThat(z.join().queueOffset()).isEqualTo(1);
        for (CompletableFuture<SendReceipt> f : List.of(x, y)) {
            assertThat(f).isCompletedExceptionally();
            try {
                f.get();
            } catch (ExecutionException | InterruptedException e) {
                assertThat(e.getCause()).isSameAs(refused);
            }
        }
    }

    @Test
    void batch_isCutAtMaxBatchBytes_andABigMessageGoesAlone() {
        HandSender sender = new HandSender();
        SendCoalescer coalescer = new SendCoalescer(sender, 1, 100, 100);
        coalescer.send(LANE, message("head"), 10);
        coalescer.send(LANE, message("a"), 40);
        coalescer.send(LANE, message("b"), 40);
        coalescer.send(LANE, message("c"), 40);
        coalescer.send(LANE, message("huge"), 500);
        coalescer.send(LANE, message("d"), 40);
        sender.store(0, 0);
        assertThat(sender.requests.get(1)).containsExactly("a", "b");
        sender.store(1, 1);
        assertThat(sender.requests.get(2)).containsExactly("c");
        sender.store(2, 3);
        assertThat(sender.requests.get(3)).containsExactly("huge");
        sender.store(3, 4);
        assertThat(sender.requests.get(4)).containsExactly("d");
    }

    @Test
    void lanes_doNotWaitForEachOther() {
        HandSender sender = new HandSender();
        SendCoalescer coalescer = new SendCoalescer(sender, 1, 1 << 20, 100);
        coalescer.send(new SendCoalescer.Lane("t", new MessageQueue("t", "b", 0)), message("q0"), 10);
        coalescer.send(new SendCoalescer.Lane("t", new MessageQueue("t", "b", 1)), message("q1"), 10);
        coalescer.send(LANE, message("any"), 10);
        assertThat(sender.requests).containsExactly(List.of("q0"), List.of("q1"), List.of("any"));
    }

    @Test
    void sendsPerLane_areInFlightAtOnce_beforeAnyWaits() {
        HandSender sender = new HandSender();
        SendCoalescer coalescer = new SendCoalescer(sender, 2, 1 << 20, 100);
        coalescer.send(LANE, message("a"), 10);
        coalescer.send(LANE, message("b"), 10);
        coalescer.send(LANE, message("c"), 10);
        assertThat(sender.requests).containsExactly(List.of("a"), List.of("b"));
        sender.store(1, 1);
        assertThat(sender.requests.get(2)).containsExactly("c");
    }

    @Test
    void pastMaxWaiting_aMessageGoesOnItsOwn_soWhatWaitsStaysBounded() {
        HandSender sender = new HandSender();
        SendCoalescer coalescer = new SendCoalescer(sender, 1, 1 << 20, 2);
        coalescer.send(LANE, message("a"), 10);
        coalescer.send(LANE, message("w1"), 10);
        coalescer.send(LANE, message("w2"), 10);
        CompletableFuture<SendReceipt> over = coalescer.send(LANE, message("over"), 10);
        assertThat(coalescer.waiting()).isEqualTo(2);
        assertThat(sender.requests).containsExactly(List.of("a"), List.of("over"));
        sender.store(1, 9);
        assertThat(over.join().queueOffset()).isEqualTo(9);
    }

    @Test
    void senderFailingAtOnce_failsItsMessages_andTheLaneGoesOn() {
        SendCoalescer.Sender failing = (queue, messages, done) -> done.accept(null, new IllegalStateException("no"));
        SendCoalescer coalescer = new SendCoalescer(failing, 1, 1 << 20, 100);
        assertThat(coalescer.send(LANE, message("a"), 10)).isCompletedExceptionally();
        assertThat(coalescer.send(LANE, message("b"), 10)).isCompletedExceptionally();
        assertThat(coalescer.waiting()).isZero();
    }

    @Test
    void eachSenderInABatch_isAnsweredUnderItsOwnTraceId_notTheOneOfWhoeverAnswersTheBatch() {
        HandSender sender = new HandSender();
        SendCoalescer coalescer = new SendCoalescer(sender, 1, 1 << 20, 100);
        String a = "a".repeat(32);
        String b = "b".repeat(32);
        List<String> seen = new ArrayList<>();
        coalescer.send(LANE, message("first"), 10);
        try (TraceIds.Scope ignored = TraceIds.with(a)) {
            coalescer.send(LANE, message("traced"), 10).thenRun(() -> seen.add("traced " + MDC.get(TraceIds.KEY)));
        }
        coalescer.send(LANE, message("plain"), 10).thenRun(() -> seen.add("plain " + MDC.get(TraceIds.KEY)));
        sender.store(0, 1);
        assertThat(sender.requests.get(1)).containsExactly("traced", "plain");

        // The broker's answer comes on a thread that is busy with another request (b).
        try (TraceIds.Scope ignored = TraceIds.with(b)) {
            sender.store(1, 2);
            assertThat(MDC.get(TraceIds.KEY)).as("restored").isEqualTo(b);
        }
        assertThat(seen).containsExactly("traced " + a, "plain null");
    }
}
