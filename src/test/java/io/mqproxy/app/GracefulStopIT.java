package io.mqproxy.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqproxy.testing.Consumer;
import io.mqproxy.testing.ProxyClient;
import io.mqproxy.testing.TestBroker;
import io.mqproxy.testing.TestProxy;
import io.mqproxy.testing.WaitingPolls;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class GracefulStopIT {
    @Test
    void stop_answersWaitingLongPolls_insteadOfCuttingThem() throws Exception {
        String topic = TestBroker.get().newTopic("stop", 1);
        TestProxy proxy = TestProxy.builder().consumer("stop-g", topic, Map.of("pop", true)).start();
        Consumer waiting = new Consumer(proxy.client(), topic, "stop-g").with("pullTimeout", "30");
        CompletableFuture<ProxyClient.Reply> poll = CompletableFuture.supplyAsync(waiting::poll);
        WaitingPolls.atBroker(proxy.client(), 1);
        long began = System.nanoTime();
        proxy.close();
        ProxyClient.Reply reply = poll.get(20, TimeUnit.SECONDS);
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.result().path("status").asText()).isEqualTo("NO_NEW_MSG");
        assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - began)).isLessThan(20);
    }

    /**
     * A long poll waits at the broker in slices; a stop answers it at once rather than when its slice
     * ends (a slice of 8 s makes the difference plain).
     */
    @Test
    void stop_answersAWaitingLongPollAtOnce_notWhenItsBrokerWaitEnds() throws Exception {
        String topic = TestBroker.get().newTopic("stop-slice", 1);
        TestProxy proxy = TestProxy.builder().consumer("stop-slice-g", topic, Map.of("pop", true))
            .set("consume.longPollSliceMillis", "8000").start();
        Consumer waiting = new Consumer(proxy.client(), topic, "stop-slice-g").with("pullTimeout", "30");
        CompletableFuture<ProxyClient.Reply> poll = CompletableFuture.supplyAsync(waiting::poll);
        WaitingPolls.atBroker(proxy.client(), 1);
        long began = System.nanoTime();
        CompletableFuture<Void> stopped = CompletableFuture.runAsync(proxy::close);
        ProxyClient.Reply reply = poll.get(30, TimeUnit.SECONDS);
        long answeredMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.result().path("status").asText()).isEqualTo("NO_NEW_MSG");
        assertThat(answeredMillis).as("answered %d ms after the stop began", answeredMillis).isLessThan(4_000);
        stopped.get(60, TimeUnit.SECONDS);
    }
}
