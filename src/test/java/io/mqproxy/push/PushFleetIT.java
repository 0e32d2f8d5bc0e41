package io.mqproxy.push;

import static io.mqproxy.push.PushLane.push;
import static io.mqproxy.push.PushLane.settings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqproxy.testing.Alongside;
import io.mqproxy.testing.ProxyClient;
import io.mqproxy.testing.PushReceiver;
import io.mqproxy.testing.TestProxy;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Push across instances and time: two instances share one group's pushing without a second copy, a
 * restarted instance picks the pushing up from the broker, and webhooks set and removed at run time
 * through the control plane reach every instance; bad input is refused with the field named.
 */
class PushFleetIT {
    private static final String TOKEN = "push-fleet-operator-token-0123";
    private static final Duration BOUND = Duration.ofSeconds(30);
    /** How long an absence (no second copy, nothing pushed) is watched: a push takes milliseconds. */
    private static final Duration ABSENCE = Duration.ofSeconds(3);

    private static TestProxy.Builder instance(PushLane lane, java.util.Map<String, Object> settings) {
        return lane.register(TestProxy.builder().operator("ops", TOKEN), settings);
    }

    @Alongside
    @Test
    void twoInstances_pushOneGroup_withoutPushingAMessageTwice() {
        PushLane lane = PushLane.create("push-fleet", 8);
        try (PushReceiver receiver = new PushReceiver().delay(20)) {
            java.util.Map<String, Object> settings = settings("pop", true, "push", push(receiver.url("/hook"),
                "maxInFlight", 4));
            try (TestProxy a = instance(lane, settings).start(); TestProxy b = instance(lane, settings).start()) {
                Set<String> sent = new HashSet<>();
                for (int i = 0; i < 200; i++) {
                    sent.add(lane.produce(a.client(), "fleet " + i));
                }
                await().atMost(Duration.ofSeconds(60)).until(() -> new HashSet<>(receiver.messageIds())
                    .containsAll(sent));
                // No second copy comes (an absence is watched for a while).
                await("no second copy").during(ABSENCE).atMost(BOUND).until(() -> receiver.messageIds().size() == 200);
                assertThat(receiver.messageIds()).hasSize(200).doesNotHaveDuplicates();
                assertThat(pushedOk(a, lane)).as("instance a pushed").isPositive();
                assertThat(pushedOk(b, lane)).as("instance b pushed").isPositive();
            }
        }
    }

    @Alongside
    @Test
    void restartedInstance_resumesPushing() {
        PushLane lane = PushLane.create("push-restart", 2);
        try (PushReceiver receiver = new PushReceiver()) {
            java.util.Map<String, Object> settings = settings("push", push(receiver.url("/hook")));
            String before;
            ProxyClient producer;
            try (TestProxy first = instance(lane, settings).start()) {
                producer = first.client();
                before = lane.produce(producer, "before the restart");
                await().atMost(BOUND).until(() -> receiver.messageIds().contains(before));
            }
            try (TestProxy producing = TestProxy.builder().producer(lane.producer(), lane.topic()).start()) {
                String during = lane.produce(producing.client(), "while no instance pushes");
                try (TestProxy second = instance(lane, settings).start()) {
                    await().atMost(BOUND).until(() -> receiver.messageIds().contains(during));
                }
                assertThat(receiver.messageIds()).containsExactly(before, during);
            }
        }
    }

    @Alongside
    @Test
    void webhookSetAtRunTime_reachesEveryInstance_isAudited_andItsSecretIsNeverShown() {
        PushLane lane = PushLane.create("push-runtime", 2);
        try (PushReceiver receiver = new PushReceiver();
             TestProxy a = instance(lane, settings()).start();
             TestProxy b = instance(lane, settings()).start()) {
            ProxyClient admin = a.client();
            ProxyClient.Reply set = admin.admin("PUT", "/admin/groups/" + lane.group() + "/push", TOKEN,
                "{\"url\":\"" + receiver.url("/rt") + "\",\"secret\":\"" + PushLane.SECRET + "\",\"maxInFlight\":2}");
            assertThat(set.status()).as(set.body().toString()).isEqualTo(200);
            assertThat(set.result().path("push").path("url").asText()).isEqualTo(receiver.url("/rt"));
            assertThat(set.result().path("push").path("maxInFlight").asInt()).isEqualTo(2);
            assertThat(set.result().path("push").path("timeoutMillis").asLong()).as("from push.defaults")
                .isEqualTo(10_000);
            // The other instance follows within the registry's sync interval.
            await().atMost(BOUND).until(() -> b.client().admin("GET", "/admin/groups/" + lane.group(), TOKEN, null)
                .result().path("group").path("push").path("url").asText().equals(receiver.url("/rt")));
            String id = lane.produce(b.client(), "pushed after a PUT");
            await().atMost(BOUND).until(() -> receiver.messageIds().contains(id));
            PushReceiver.Received r = receiver.received().get(0);
            assertThat(PushSignature.verify(PushLane.SECRET, r.header(PushSignature.HEADER), r.body(),
                System.currentTimeMillis() / 1000, 300)).isTrue();

            for (TestProxy p : List.of(a, b)) {
                String view = p.client().admin("GET", "/admin/groups/" + lane.group(), TOKEN, null).body().toString();
                assertThat(view).doesNotContain(PushLane.SECRET);
                assertThat(p.client().admin("GET", "/admin/groups", TOKEN, null).body().toString())
                    .doesNotContain(PushLane.SECRET);
            }
            JsonNode audit = admin.admin("GET", "/admin/audit?target=" + lane.group(), TOKEN, null).result();
            assertThat(audit.toString()).contains("set-push").doesNotContain(PushLane.SECRET);

            ProxyClient.Reply removed = admin.admin("DELETE", "/admin/groups/" + lane.group() + "/push", TOKEN, null);
            assertThat(removed.status()).isEqualTo(200);
            assertThat(removed.result().has("push")).isFalse();
            // Both instances apply it (the other within the registry's sync interval): their pushers stop, and a
            // pop still waiting at the broker gives back what it gets.
            for (TestProxy p : List.of(a, b)) {
                await().atMost(BOUND).until(() -> p.client().admin("GET", "/admin/groups/" + lane.group(), TOKEN, null)
                    .result().path("group").path("push").path("url").asText().isEmpty());
            }
            String after = lane.produce(a.client(), "not pushed: the webhook is gone");
            // Nothing is pushed once the webhook is gone (an absence is watched for a while).
            await("nothing pushed").during(ABSENCE).atMost(BOUND).until(() -> !receiver.messageIds().contains(after));
            assertThat(admin.admin("GET", "/admin/audit?target=" + lane.group(), TOKEN, null).body().toString())
                .contains("remove-push");
        }
    }

    @Alongside
    @Test
    void badInput_isRefusedNamingTheField() {
        PushLane lane = PushLane.create("push-bad", 1);
        PushLane broadcast = PushLane.create("push-bad-bc", 1);
        TestProxy.Builder builder = instance(lane, settings());
        broadcast.register(builder, settings("mode", "broadcast"));
        try (TestProxy proxy = builder.start()) {
            ProxyClient c = proxy.client();
            String path = "/admin/groups/" + lane.group() + "/push";
            assertRefused(c.admin("PUT", path, TOKEN, "{\"url\":\"ftp://h/x\",\"secret\":\"" + PushLane.SECRET
                + "\"}"), 400, "url");
            assertRefused(c.admin("PUT", path, TOKEN, "{\"url\":\"javascript:alert(1)\",\"secret\":\""
                + PushLane.SECRET + "\"}"), 400, "url");
            assertRefused(c.admin("PUT", path, TOKEN, "{\"url\":\"http://h/x\",\"secret\":\"short\"}"), 400, "secret");
            assertRefused(c.admin("PUT", path, TOKEN, "{\"url\":\"http://h/x\"}"), 400, "secret");
            assertRefused(c.admin("PUT", path, TOKEN, "{\"url\":\"http://h/x\",\"secret\":\"" + PushLane.SECRET
                + "\",\"batchSize\":500}"), 400, "batchSize");
            assertRefused(c.admin("PUT", path, TOKEN, "{\"url\":\"http://h/x\",\"secret\":\"" + PushLane.SECRET
                + "\",\"retries\":3}"), 400, "retries");
            assertRefused(c.admin("PUT", "/admin/groups/no-such-group/push", TOKEN, "{\"url\":\"http://h/x\","
                + "\"secret\":\"" + PushLane.SECRET + "\"}"), 404, "no-such-group");
            assertRefused(c.admin("PUT", "/admin/groups/" + broadcast.group() + "/push", TOKEN,
                "{\"url\":\"http://h/x\",\"secret\":\"" + PushLane.SECRET + "\"}"), 400, "clientId");
            assertRefused(c.admin("DELETE", path, TOKEN, null), 404, "push endpoint");
            assertRefused(c.admin("PUT", path, null, "{}"), 401, "token");
            assertThat(c.admin("GET", "/admin/groups/" + lane.group(), TOKEN, null).result().path("group")
                .has("push")).isFalse();
        }
    }

    private static void assertRefused(ProxyClient.Reply reply, int status, String names) {
        assertThat(reply.status()).as(String.valueOf(reply.body())).isEqualTo(status);
        assertThat(reply.message()).contains(names);
    }

    private static double pushedOk(TestProxy proxy, PushLane lane) {
        String prefix = "mqproxy_push_requests_seconds_count{consumer=\"" + lane.group() + "\",outcome=\"ok\"} ";
        return proxy.app().metrics().scrape().lines().filter(l -> l.startsWith(prefix))
            .mapToDouble(l -> Double.parseDouble(l.substring(prefix.length()))).sum();
    }
}
