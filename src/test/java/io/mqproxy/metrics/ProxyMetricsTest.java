package io.mqproxy.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProxyMetricsTest {
    @Test
    void cachedMeters_keepCounting_perTagCombination() {
        try (ProxyMetrics metrics = new ProxyMetrics()) {
            metrics.httpRequest("/mq/produce", 200, 1_000_000);
            metrics.httpRequest("/mq/produce", 200, 1_000_000);
            metrics.httpRequest("/mq/produce", 400, 1_000_000);
            metrics.produced("p", 1, 10);
            metrics.produced("p", 32, 320);
            metrics.produceFailed("p", "unknown", 2);
            metrics.produceFailed("p", "unknown", 1);
            metrics.overloaded("sends");
            metrics.overloaded("sends");

            var r = metrics.registry();
            assertThat(r.get("mqproxy.http.requests").tags("route", "/mq/produce", "status", "200").timer().count())
                .isEqualTo(2);
            assertThat(r.get("mqproxy.http.requests").tags("route", "/mq/produce", "status", "400").timer().count())
                .isEqualTo(1);
            assertThat(r.get("mqproxy.produce.messages").tag("producer", "p").counter().count()).isEqualTo(33);
            assertThat(r.get("mqproxy.produce.bytes").tag("producer", "p").counter().count()).isEqualTo(330);
            assertThat(r.get("mqproxy.produce.failures").tags("producer", "p", "outcome", "unknown").counter().count())
                .isEqualTo(3);
            assertThat(r.get("mqproxy.overload.refusals").tag("bound", "sends").counter().count()).isEqualTo(2);
        }
    }

    @Test
    void pastTheCacheBound_metersStillCount() {
        try (ProxyMetrics metrics = new ProxyMetrics()) {
            for (int i = 0; i < ProxyMetrics.MAX_CACHED + 10; i++) {
                metrics.httpRequest("/r" + i, 200, 1_000);
            }
            String last = "/r" + (ProxyMetrics.MAX_CACHED + 5);
            metrics.httpRequest(last, 200, 1_000);
            assertThat(metrics.registry().get("mqproxy.http.requests").tags("route", last, "status", "200").timer()
                .count()).isEqualTo(2);
        }
    }
}
