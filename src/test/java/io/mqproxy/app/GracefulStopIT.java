package io.mqproxy.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqproxy.testing.Consumer;
import io.mqproxy.testing.ProxyClient;
import io.mqproxy.testing.TestBroker;
import io.mqproxy.testing.TestProxy;
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
        Thread.sleep(1_000);
        long began = System.nanoTime();
        proxy.close();
        ProxyClient.Reply reply = poll.get(20, TimeUnit.SECONDS);
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.result().path("status").asText()).isEqualTo("NO_NEW_MSG");
        assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - began)).isLessThan(20);
    }
}
