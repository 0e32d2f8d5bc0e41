package io.mqproxy.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.mqproxy.testing.MetricsScrape;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Bounded label sets: at most the cap of clientIds per group plus one summed series; removed groups vanish. */
class LagMetersTest {
    private static ClientLag client(String id, long backlog) {
        return new ClientLag(id, "g-bc-" + id, backlog, 1, 2, 3, backlog / 10.0, 0,
            List.of(new QueueLag("broker-a", 0, backlog, 1, backlog / 10.0)));
    }

    @Test
    void pastTheCap_theLargestBacklogsKeepTheirSeries_andTheRestAreSummed() {
        List<ClientLag> clients = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            clients.add(client("c" + i, i));
        }
        List<ClientLag> capped = LagMeters.capped(clients, 3);
        assertThat(capped).extracting(ClientLag::clientId).containsExactly("c49", "c48", "c47", "_other");
        ClientLag other = capped.get(3);
        assertThat(other.backlog()).isEqualTo(46L * 47 / 2);
        assertThat(other.inflight()).isEqualTo(47);
        assertThat(other.deadLetters()).isEqualTo(3L * 47);
        assertThat(other.oldestAgeSeconds()).isEqualTo(4.6);
        assertThat(LagMeters.capped(clients.subList(0, 3), 3)).hasSize(3);
    }

    @Test
    void seriesFollowEachCollection_andARemovedGroupLosesItsSeries() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        LagMeters meters = new LagMeters(registry, 2);
        List<ClientLag> clients = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            clients.add(client("c" + i, i * 10));
        }
        meters.publish(List.of(new GroupLag("bc", "t", true, clients),
            new GroupLag("plain", "t", false, List.of(new ClientLag(null, "plain", 7, -1, 0, 0, 1.5, 0,
                List.of(new QueueLag("broker-a", 3, 7, -1, 1.5)))))), Set.of());
        MetricsScrape m = MetricsScrape.parse(registry.scrape());
        assertThat(m.all("mqproxy_lag_client_backlog_messages", "group", "bc")).hasSize(3);
        assertThat(m.value("mqproxy_lag_client_backlog_messages", "group", "bc", "clientId", "_other"))
            .isEqualTo(30.0);
        assertThat(m.value("mqproxy_lag_backlog_messages", "group", "bc")).isEqualTo(100.0);
        assertThat(m.value("mqproxy_lag_backlog_messages", "group", "plain")).isEqualTo(7.0);
        assertThat(m.value("mqproxy_lag_queue_backlog_messages", "group", "plain", "broker", "broker-a", "queue", "3"))
            .isEqualTo(7.0);
        // In-flight unknown (a broker outside this JVM): no series rather than a wrong 0.
        assertThat(m.all("mqproxy_lag_inflight_messages", "group", "plain")).isEmpty();
        assertThat(m.all("mqproxy_lag_client_backlog_messages", "group", "plain")).isEmpty();

        // "plain" could not be read this time: it keeps its last values.
        meters.publish(List.of(new GroupLag("bc", "t", true, clients.subList(0, 2))), Set.of("plain"));
        m = MetricsScrape.parse(registry.scrape());
        assertThat(m.all("mqproxy_lag_client_backlog_messages", "group", "bc")).extracting(s -> s.labels()
            .get("clientId")).containsExactlyInAnyOrder("c0", "c1");
        assertThat(m.value("mqproxy_lag_backlog_messages", "group", "plain")).isEqualTo(7.0);
        meters.publish(List.of(new GroupLag("bc", "t", true, clients.subList(0, 2))), Set.of());
        assertThat(MetricsScrape.parse(registry.scrape()).all("mqproxy_lag_backlog_messages", "group", "plain"))
            .isEmpty();

        meters.forget("bc");
        assertThat(MetricsScrape.parse(registry.scrape()).samples()).noneMatch(s -> s.name().startsWith("mqproxy_lag"));
    }
}
