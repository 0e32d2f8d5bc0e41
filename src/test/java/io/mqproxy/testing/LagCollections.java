package io.mqproxy.testing;

import static org.awaitility.Awaitility.await;

import java.time.Duration;

/**
 * Lag collections counted on an instance's metrics, so a test that checks what holds "for several
 * collections" (an alert not notified twice, a resolve not sent again) waits for those collections to
 * happen rather than for a fixed time.
 */
public final class LagCollections {
    private static final String COUNT = "mqproxy_monitor_collection_seconds_count";

    private LagCollections() {
    }

    /** Collections this instance has finished so far (0 before its first, or while another leads). */
    public static long done(ProxyClient instance) {
        double count = MetricsScrape.of(instance).value(COUNT);
        return Double.isNaN(count) ? 0 : (long) count;
    }

    /** Returns once the instance has finished {@code more} collections after the call. */
    public static void awaitMore(ProxyClient instance, int more) {
        long target = done(instance) + more;
        await("%d more lag collections".formatted(more)).atMost(Duration.ofSeconds(30))
            .pollInterval(Duration.ofMillis(100)).until(() -> done(instance) >= target);
    }
}
