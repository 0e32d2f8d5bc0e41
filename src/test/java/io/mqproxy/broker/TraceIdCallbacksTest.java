package io.mqproxy.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqproxy.log.TraceIds;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.rocketmq.client.consumer.AckCallback;
import org.apache.rocketmq.client.consumer.AckResult;
import org.apache.rocketmq.client.consumer.PopCallback;
import org.apache.rocketmq.client.consumer.PopResult;
import org.apache.rocketmq.client.consumer.PopStatus;
import org.apache.rocketmq.client.producer.SendCallback;
import org.apache.rocketmq.client.producer.SendResult;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/** The RocketMQ client calls back on its own threads: each callback runs under the id of where it was handed over. */
class TraceIdCallbacksTest {
    private static final String TRACE_ID = "0af7651916cd43dd8448eb211c80319c";

    /** Records the MDC's trace id each time it is called. */
    private static final class Recorder implements SendCallback, PopCallback, AckCallback {
        final List<String> seen = new CopyOnWriteArrayList<>();

        private void record() {
            seen.add(String.valueOf(MDC.get(TraceIds.KEY)));
        }

        @Override
        public void onSuccess(SendResult sendResult) {
            record();
        }

        @Override
        public void onSuccess(PopResult popResult) {
            record();
        }

        @Override
        public void onSuccess(AckResult ackResult) {
            record();
        }

        @Override
        public void onException(Throwable e) {
            record();
        }
    }

    @Test
    void aCallbackHandedOverUnderATraceId_runsUnderIt_onAnotherThread_andLeavesNothingThere() {
        Recorder recorder = new Recorder();
        SendCallback send;
        PopCallback pop;
        AckCallback ack;
        try (TraceIds.Scope ignored = TraceIds.with(TRACE_ID)) {
            send = TraceIdCallbacks.carry((SendCallback) recorder);
            pop = TraceIdCallbacks.carry((PopCallback) recorder);
            ack = TraceIdCallbacks.carry((AckCallback) recorder);
        }
        // One thread, as the client's callback pool: each call, then a look at what it left.
        CompletableFuture.runAsync(() -> {
            send.onSuccess(new SendResult());
            send.onException(new IllegalStateException("refused"));
            pop.onSuccess(new PopResult(PopStatus.NO_NEW_MSG, List.of()));
            pop.onException(new IllegalStateException("refused"));
            ack.onSuccess(new AckResult());
            ack.onException(new IllegalStateException("refused"));
            recorder.record();
        }).join();
        assertThat(recorder.seen).containsExactly(TRACE_ID, TRACE_ID, TRACE_ID, TRACE_ID, TRACE_ID, TRACE_ID, "null");
    }

    @Test
    void withoutATraceId_theCallbackItselfIsHandedOn() {
        Recorder recorder = new Recorder();
        assertThat(TraceIdCallbacks.carry((SendCallback) recorder)).isSameAs(recorder);
        assertThat(TraceIdCallbacks.carry((PopCallback) recorder)).isSameAs(recorder);
        assertThat(TraceIdCallbacks.carry((AckCallback) recorder)).isSameAs(recorder);
    }
}
