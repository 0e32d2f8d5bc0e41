package io.mqproxy.testing;

import java.time.Duration;
import org.awaitility.Awaitility;

/**
 * Waits until a proxy's long polls are waiting, read from its own gauge ({@code mqproxy_consume_polls_waiting}),
 * instead of sleeping a guessed time after sending them.
 */
public final class WaitingPolls {
    private static final String GAUGE = "mqproxy_consume_polls_waiting";

    private WaitingPolls() {
    }

    /** Until {@code atBroker} polls hold a broker slot and {@code queued} wait in the proxy for one. */
    public static void until(ProxyClient client, int atBroker, int queued) {
        Awaitility.await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(25)).until(() -> {
            MetricsScrape m = MetricsScrape.of(client);
            return m.value(GAUGE, "where", "broker") >= atBroker && m.value(GAUGE, "where", "proxy") >= queued;
        });
    }

    /** Until {@code n} polls wait at the broker. */
    public static void atBroker(ProxyClient client, int n) {
        until(client, n, 0);
    }
}
