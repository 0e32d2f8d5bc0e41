package io.mqproxy.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mqproxy.testing.MetricsScrape;
import io.mqproxy.testing.TestBroker;
import io.mqproxy.testing.TestProxy;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The proxy's own pools are on the admin port's scrape, by purpose, sized from {@code threads:}. */
class ExecutorMetricsIT {
    /** The pools every proxy runs (monitor on, no webhooks needed for the notifier's pools to exist). */
    private static final List<String> MAIN_POOLS = List.of("control", "redrive", "dead-letter", "client-directory",
        "route-lookup", "route-refresh", "registry-sync", "broker-health", "fleet", "longpoll-expiry",
        "broadcast-sweeper", "monitor", "monitor-read", "webhook", "webhook-retry");
    private static TestProxy proxy;

    @BeforeAll
    static void startProxy() {
        proxy = TestProxy.builder().producer("executor-metrics-producer",
                TestBroker.get().newTopic("executor-metrics", 1))
            .set("threads.control", "3")
            .start();
    }

    @AfterAll
    static void stopProxy() {
        proxy.close();
    }

    @Test
    void scrape_showsEveryMainPool_itsSize_queue_andRefusals() {
        MetricsScrape scrape = MetricsScrape.of(proxy.client());
        for (String pool : MAIN_POOLS) {
            assertThat(scrape.value("mqproxy_executor_pool_max_threads", "name", pool)).as("max threads of %s", pool)
                .isGreaterThanOrEqualTo(1);
            assertThat(scrape.value("mqproxy_executor_queued_tasks", "name", pool)).as("queued in %s", pool)
                .isGreaterThanOrEqualTo(0);
            assertThat(scrape.value("mqproxy_executor_rejected_total", "name", pool)).as("refused by %s", pool)
                .isZero();
        }
        assertThat(scrape.value("mqproxy_executor_pool_max_threads", "name", "control")).isEqualTo(3);
        assertThat(scrape.value("mqproxy_executor_queue_remaining_tasks", "name", "control")).isEqualTo(64);
    }

    /** The readiness probe runs every second on its pool: the scrape sees its work counted. */
    @Test
    void scrape_countsTheTasksAPoolCompleted() {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(MetricsScrape.of(proxy.client())
            .value("mqproxy_executor_completed_tasks_total", "name", "broker-health")).isGreaterThanOrEqualTo(2));
    }
}
