package io.mqproxy.control;

import static io.mqproxy.testing.ProxyClient.form;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqproxy.testing.Consumer;
import io.mqproxy.testing.ProxyClient;
import io.mqproxy.testing.ProxyClient.Reply;
import io.mqproxy.testing.TestBroker;
import io.mqproxy.testing.TestProxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The control plane on two proxy instances sharing the broker: a change made through one holds on
 * the other within a bound and after a restart; pause, rate limits, resets, re-delivery and dead
 * letters act on what clients get.
 */
class ControlPlaneIT {
    private static final String TOKEN = "operator-token-0123456789";
    private static final Duration SPREAD = Duration.ofSeconds(10);
    private static final String[] GROUPS = {"settings", "pause", "rate", "reset", "redeliver", "dlq", "bad",
        "original", "audit", "bcast"};
    private static final Map<String, String> topics = new LinkedHashMap<>();
    private static TestProxy.Builder builder;
    private static TestProxy a;
    private static TestProxy b;

    @BeforeAll
    static void start() {
        builder = TestProxy.builder().operator("ops", TOKEN);
        for (String g : GROUPS) {
            String topic = TestBroker.get().newTopic("cp-" + g, g.equals("rate") ? 4 : 1);
            topics.put(g, topic);
            builder.producer(producer(g), topic);
        }
        builder.consumer(group("settings"), topics.get("settings"), Map.of("pop", true));
        builder.consumer(group("pause"), topics.get("pause"), Map.of("pop", true, "consumeTimeoutSeconds", 60));
        builder.consumer(group("rate"), topics.get("rate"), Map.of("pop", true));
        builder.consumer(group("reset"), topics.get("reset"), Map.of("pop", false));
        builder.consumer(group("redeliver"), topics.get("redeliver"), Map.of("pop", true));
        builder.consumer(group("dlq"), topics.get("dlq"), Map.of("pop", true, "consumeTimeoutSeconds", 1,
            "minConsumeTimeoutSeconds", 1, "maxRetries", 0));
        builder.consumer(group("bad"), topics.get("bad"), Map.of("pop", true));
        builder.consumer(group("original"), topics.get("original"), Map.of("pop", true));
        builder.consumer(group("audit"), topics.get("audit"), Map.of("pop", true));
        builder.consumer(group("bcast"), topics.get("bcast"), Map.of("mode", "broadcast"));
        a = builder.start();
        b = builder.start();
    }

    @AfterAll
    static void stop() {
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
    }

    private static String group(String g) {
        return "cp-" + g + "-" + topics.get(g).hashCode() % 10_000;
    }

    private static String producer(String g) {
        return "cp-p-" + g;
    }

    private static Reply admin(TestProxy proxy, String method, String path, String json) {
        return proxy.client().admin(method, path, TOKEN, json);
    }

    private static Reply ok(Reply reply) {
        assertThat(reply.httpStatus()).as(reply.raw().body()).isEqualTo(200);
        return reply;
    }

    private static void produce(TestProxy proxy, String g, String body) {
        Reply r = proxy.client().produce(form("producer", producer(g), "message", body));
        assertThat(r.status()).as(r.raw().body()).isEqualTo(200);
    }

    private static Consumer consumer(TestProxy proxy, String g) {
        return new Consumer(proxy.client(), topics.get(g), group(g));
    }

    @Test
    void aSettingChangedThroughOneInstance_holdsOnTheOther_andAfterItRestarts() {
        ok(admin(a, "PATCH", "/admin/groups/" + group("settings"), "{\"maxPullSize\":3,\"pullTimeoutSeconds\":2}"));
        await().atMost(SPREAD).untilAsserted(() -> assertThat(ok(admin(b, "GET", "/admin/groups/" + group("settings"),
            null)).result().path("group").path("maxPullSize").asInt()).isEqualTo(3));
        JsonNode sources = admin(b, "GET", "/admin/groups/" + group("settings"), null).result().path("sources");
        assertThat(sources.path("maxPullSize").asText()).isEqualTo("runtime");
        assertThat(sources.path("maxRetries").asText()).as("the file's entry does not name it").isEqualTo("default");

        // It is what clients of the other instance get.
        for (int i = 0; i < 5; i++) {
            produce(a, "settings", "s" + i);
        }
        Consumer c = consumer(b, "settings");
        Reply got = await().atMost(SPREAD).until(c::poll, r -> r.result().path("msgListSize").asInt() > 0);
        assertThat(got.result().path("msgListSize").asInt()).isLessThanOrEqualTo(3);

        TestProxy restarted = builder.start();
        try {
            assertThat(ok(admin(restarted, "GET", "/admin/groups/" + group("settings"), null)).result().path("group")
                .path("maxPullSize").asInt()).isEqualTo(3);
        } finally {
            restarted.close();
        }
    }

    @Test
    void pause_stopsDelivery_acksStillWork_waitingPollsReturn_andResumeRestarts() throws Exception {
        produce(a, "pause", "before");
        Consumer c = consumer(a, "pause").with("pullTimeout", "5");
        Reply batch = await().atMost(SPREAD).until(c::poll, r -> r.result().path("msgListSize").asInt() > 0);
        String requestId = c.requestId();

        // A long poll waiting on the other instance when the pause comes.
        Consumer waiter = consumer(b, "pause").with("pullTimeout", "30");
        CompletableFuture<Reply> waiting = CompletableFuture.supplyAsync(waiter::pollWithoutAck);
        io.mqproxy.testing.WaitingPolls.atBroker(b.client(), 1);
        long pausedAt = System.nanoTime();
        ok(admin(a, "POST", "/admin/groups/" + group("pause") + "/pause", null));
        Reply woken = waiting.get();
        assertThat(woken.result().path("status").asText()).as(woken.raw().body()).isEqualTo("PAUSED");
        assertThat(Duration.ofNanos(System.nanoTime() - pausedAt)).as("promptly, not after pullTimeout (30 s)")
            .isLessThan(Duration.ofSeconds(10));

        produce(a, "pause", "while paused");
        Consumer acker = consumer(a, "pause");
        acker.requestId(requestId);
        Reply paused = acker.poll();
        assertThat(paused.result().path("status").asText()).isEqualTo("PAUSED");
        assertThat(paused.result().path("previousAck").asText()).as("the batch out was still acked").isEqualTo("OK");
        await().atMost(SPREAD).until(() -> consumer(b, "pause").pollWithoutAck().result().path("status").asText(),
            "PAUSED"::equals);

        ok(admin(b, "POST", "/admin/groups/" + group("pause") + "/resume", null));
        Consumer after = consumer(a, "pause").with("pullTimeout", "2");
        List<String> bodies = new ArrayList<>();
        await().atMost(SPREAD).until(() -> {
            bodies.addAll(Consumer.bodies(after.poll()));
            return bodies.contains("while paused");
        });
        assertThat(bodies).as("acked before the pause: never again").doesNotContain("before");
    }

    @Test
    void aRateLimit_holdsTheGroupNearItsRate_acrossInstances() {
        for (int i = 0; i < 40; i++) {
            Reply r = a.client().produceBatch(form("producer", producer("rate"), "messages",
                "[\"r\",\"r\",\"r\",\"r\",\"r\",\"r\",\"r\",\"r\",\"r\",\"r\"]"));
            assertThat(r.status()).isEqualTo(200);
        }
        // Each instance takes its share of the rate once the brokers show it the other.
        for (TestProxy proxy : new TestProxy[] {a, b}) {
            await().atMost(Duration.ofSeconds(20)).until(() -> ok(admin(proxy, "GET", "/admin/instances", null)).result()
                .size() >= 2);
        }
        ok(admin(a, "PATCH", "/admin/groups/" + group("rate"), "{\"rateLimit\":20}"));
        await().atMost(SPREAD).until(() -> admin(b, "GET", "/admin/groups/" + group("rate"), null).result()
            .path("group").path("rateLimit").asInt() == 20);

        int delivered = 0;
        int limited = 0;
        long end = System.nanoTime() + Duration.ofSeconds(4).toNanos();
        Consumer[] clients = {consumer(a, "rate").with("maxPullSize", "8"), consumer(b, "rate").with("maxPullSize", "8")};
        int turn = 0;
        while (System.nanoTime() < end) {
            Reply r = clients[turn++ % 2].poll();
            delivered += r.result().path("msgListSize").asInt() + r.result().path("retryMsgListSize").asInt();
            if (r.result().path("status").asText().equals("RATE_LIMITED")) {
                limited++;
            }
        }
        // 4 s at 20/s is 80, plus each instance's one-second burst and a poll's overshoot: a generous bound.
        assertThat(limited).as("polls over the rate were told so (delivered %d)", delivered).isPositive();
        assertThat(delivered).as("delivered in 4 s at 20/s (%d polls limited)", limited).isBetween(1, 160);
        ok(admin(a, "PATCH", "/admin/groups/" + group("rate"), "{\"rateLimit\":0}"));
    }

    @Test
    void reset_toEarliest_deliversAgain_toLatest_skipsTheBacklog() throws Exception {
        for (int i = 0; i < 3; i++) {
            produce(a, "reset", "old" + i);
        }
        Consumer c = consumer(a, "reset").with("pullTimeout", "2");
        List<String> first = new ArrayList<>();
        await().atMost(SPREAD).until(() -> {
            first.addAll(Consumer.bodies(c.poll()));
            return first.size() >= 3;
        });
        c.call("/mq/ack");
        ok(admin(b, "POST", "/admin/groups/" + group("reset") + "/reset", "{\"to\":\"earliest\"}"));
        List<String> again = new ArrayList<>();
        Consumer d = consumer(b, "reset").with("pullTimeout", "2");
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            again.addAll(Consumer.bodies(d.poll()));
            return again.containsAll(List.of("old0", "old1", "old2"));
        });
        d.call("/mq/ack");

        long between = System.currentTimeMillis();
        // The backlog's store time must fall after `between` (a reset by time is what is checked): the clock moves on.
        await().pollInterval(Duration.ofMillis(1)).until(() -> System.currentTimeMillis() > between);
        produce(a, "reset", "backlog");
        ok(admin(a, "POST", "/admin/groups/" + group("reset") + "/reset", "{\"to\":\"latest\"}"));
        produce(a, "reset", "after latest");
        List<String> later = new ArrayList<>();
        Consumer e = consumer(a, "reset").with("pullTimeout", "2");
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            later.addAll(Consumer.bodies(e.poll()));
            return later.contains("after latest");
        });
        assertThat(later).doesNotContain("backlog");
        e.call("/mq/ack");

        ok(admin(a, "POST", "/admin/groups/" + group("reset") + "/reset", "{\"to\":" + between + "}"));
        List<String> fromTime = new ArrayList<>();
        Consumer f = consumer(a, "reset").with("pullTimeout", "2");
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            fromTime.addAll(Consumer.bodies(f.poll()));
            return fromTime.contains("after latest");
        });
        assertThat(fromTime).contains("backlog").doesNotContain("old0");
    }

    @Test
    void resettingOneBroadcastClient_leavesTheOthersAlone() {
        produce(a, "bcast", "b1");
        Consumer x = consumer(a, "bcast").with("clientId", "x").with("pullTimeout", "2");
        Consumer y = consumer(a, "bcast").with("clientId", "y").with("pullTimeout", "2");
        for (Consumer c : new Consumer[] {x, y}) {
            await().atMost(SPREAD).until(() -> Consumer.bodies(c.poll()).contains("b1"));
            c.call("/mq/ack");
        }
        Reply refused = admin(a, "POST", "/admin/groups/" + group("bcast") + "/reset", "{\"to\":\"earliest\"}");
        assertThat(refused.httpStatus()).isEqualTo(400);
        assertThat(refused.message()).startsWith("clientId:");
        ok(admin(a, "POST", "/admin/groups/" + group("bcast") + "/reset", "{\"to\":\"earliest\",\"clientId\":\"x\"}"));
        await().atMost(Duration.ofSeconds(20)).until(() -> Consumer.bodies(x.poll()).contains("b1"));
        assertThat(Consumer.bodies(y.poll())).doesNotContain("b1");
    }

    @Test
    void redeliveryById_arrivesAsARetry_evenAcrossARestart() {
        Reply produced = a.client().produce(form("producer", producer("redeliver"), "message", "again please",
            "keys", "k-again"));
        String msgId = produced.result().path("msgId").asText();
        Consumer c = consumer(a, "redeliver").with("pullTimeout", "2");
        await().atMost(SPREAD).until(() -> Consumer.bodies(c.poll()).contains("again please"));
        c.call("/mq/ack");

        Reply unknown = admin(a, "POST", "/admin/groups/" + group("redeliver") + "/redeliver", "{\"messageId\":\"nope\"}");
        assertThat(unknown.httpStatus()).isEqualTo(404);
        ok(admin(a, "POST", "/admin/groups/" + group("redeliver") + "/redeliver", "{\"messageId\":\"" + msgId + "\"}"));
        // A new instance (as after a restart) delivers it: the copy is in the broker, not in a proxy.
        TestProxy fresh = builder.start();
        try {
            Consumer d = consumer(fresh, "redeliver").with("pullTimeout", "2");
            List<JsonNode> retried = new ArrayList<>();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                d.poll().result().path("retryMsgList").forEach(retried::add);
                return !retried.isEmpty();
            });
            assertThat(retried.get(0).path("messageId").asText()).isEqualTo(msgId);
            assertThat(retried.get(0).path("message").asText()).isEqualTo("again please");
            assertThat(retried.get(0).path("keys").asText()).isEqualTo("k-again");
            assertThat(d.call("/mq/ack").result().path("status").asText()).isEqualTo("OK");
        } finally {
            fresh.close();
        }
    }

    @Test
    void deadLetters_areListed_andRedrivenBackIntoConsumption() {
        produce(a, "dlq", "poison");
        Consumer c = consumer(a, "dlq").with("pullTimeout", "1").with("consumeTimeout", "1");
        // maxRetries 0: delivered once, then dead-lettered when it comes back.
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
            c.pollWithoutAck();
            return admin(a, "GET", "/admin/groups/" + group("dlq") + "/dlq", null).result().size() > 0;
        });
        JsonNode letter = admin(a, "GET", "/admin/groups/" + group("dlq") + "/dlq", null).result().get(0);
        assertThat(letter.path("preview").asText()).isEqualTo("poison");
        ok(admin(a, "PATCH", "/admin/groups/" + group("dlq"), "{\"maxRetries\":5,\"minConsumeTimeoutSeconds\":10,"
            + "\"consumeTimeoutSeconds\":60}"));
        // The other instance applies the change within a second; until then it would dead-letter the copy again.
        await().atMost(SPREAD).until(() -> admin(b, "GET", "/admin/groups/" + group("dlq"), null).result()
            .path("group").path("maxRetries").asInt() == 5);
        Reply redriven = ok(admin(b, "POST", "/admin/groups/" + group("dlq") + "/dlq/redrive",
            "{\"messageIds\":[\"" + letter.path("messageId").asText() + "\"]}"));
        assertThat(redriven.result().path("redriven").asInt()).isEqualTo(1);
        Consumer d = consumer(b, "dlq").with("pullTimeout", "2").with("consumeTimeout", "60");
        await().atMost(Duration.ofSeconds(30)).until(() -> Consumer.bodies(d.poll()).contains("poison"));
        assertThat(d.call("/mq/ack").result().path("status").asText()).isEqualTo("OK");
    }

    @Test
    void runtimeProducerAndGroup_workAtOnceOnBothInstances_andUnregisteringStopsThem() {
        String topic = "cp-runtime-" + System.nanoTime() % 100_000;
        ok(admin(a, "POST", "/admin/topics", "{\"name\":\"" + topic + "\",\"queues\":2}"));
        ok(admin(a, "POST", "/admin/producers", "{\"name\":\"rt-producer\",\"topic\":\"" + topic + "\"}"));
        ok(admin(a, "POST", "/admin/groups", "{\"name\":\"rt-group\",\"topic\":\"" + topic + "\",\"pop\":true}"));
        Reply sent = a.client().produce(form("producer", "rt-producer", "message", "runtime"));
        assertThat(sent.status()).as(sent.raw().body()).isEqualTo(200);
        await().atMost(SPREAD).until(() -> b.client().produce(form("producer", "rt-producer", "message", "on b"))
            .status() == 200);
        Consumer c = new Consumer(b.client(), topic, "rt-group").with("pullTimeout", "2");
        List<String> got = new ArrayList<>();
        await().atMost(SPREAD).until(() -> {
            got.addAll(Consumer.bodies(c.poll()));
            return got.contains("runtime") && got.contains("on b");
        });

        ok(admin(b, "DELETE", "/admin/producers/rt-producer", null));
        ok(admin(b, "DELETE", "/admin/groups/rt-group", null));
        await().atMost(SPREAD).until(() -> a.client().produce(form("producer", "rt-producer", "message", "x"))
            .status() == 400);
        await().atMost(SPREAD).until(() -> new Consumer(a.client(), topic, "rt-group").poll().status() == 400);
        Reply fileGroup = admin(a, "DELETE", "/admin/groups/" + group("bad"), null);
        assertThat(fileGroup.httpStatus()).isEqualTo(400);
        assertThat(fileGroup.message()).contains("configuration file");
    }

    @Test
    void badInput_isAClearErrorNamingTheField_andChangesNothing() {
        String path = "/admin/groups/" + group("bad");
        JsonNode before = ok(admin(a, "GET", path, null)).result().path("group");
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("{\"rateLimit\":-5}", "rateLimit");
        cases.put("{\"maxPullSize\":500}", "maxPullSize");
        cases.put("{\"maxPullSize\":\"lots\"}", "maxPullSize");
        cases.put("{\"maxPulSize\":5}", "maxPulSize");
        cases.put("{\"pop\":false}", "pop");
        cases.put("{\"consumeTimeoutSeconds\":5}", "consumeTimeoutSeconds");
        cases.forEach((json, field) -> {
            Reply r = admin(a, "PATCH", path, json);
            assertThat(r.httpStatus()).as(json + ": " + r.raw().body()).isEqualTo(400);
            assertThat(r.message()).as(json).startsWith(field + ":");
        });
        Reply words = admin(a, "POST", path + "/reset", "{\"to\":\"yesterday at noon\"}");
        assertThat(words.httpStatus()).isEqualTo(400);
        assertThat(words.message()).startsWith("to:");
        Reply unknown = admin(a, "PATCH", "/admin/groups/no-such-group", "{\"maxPullSize\":5}");
        assertThat(unknown.httpStatus()).isEqualTo(404);
        assertThat(ok(admin(a, "GET", path, null)).result().path("group")).isEqualTo(before);
    }

    @Test
    void theOriginalControlRoutes_workWithTheOriginalsFieldsAndRanges() {
        String consumer = group("original");
        ok(admin(a, "POST", "/mq/consumer/config", "{\"consumer\":\"" + consumer + "\",\"maxPullSize\":7,"
            + "\"consumeTimeoutInMillis\":60000,\"pullTimeoutInMillis\":3000,\"pause\":1,\"rateLimitEnabled\":1,"
            + "\"limitRate\":50}"));
        JsonNode config = ok(admin(a, "GET", "/mq/config/" + consumer, null)).result();
        assertThat(config.path("maxPullSize").asInt()).isEqualTo(7);
        assertThat(config.path("consumeTimeoutInMillis").asLong()).isEqualTo(60_000);
        assertThat(config.path("pullTimeoutInMillis").asLong()).isEqualTo(3_000);
        assertThat(config.path("pause").asInt()).isEqualTo(1);
        assertThat(config.path("rateLimitEnabled").asInt()).isEqualTo(1);
        assertThat(config.path("limitRate").asInt()).isEqualTo(50);
        assertThat(consumer(a, "original").poll().result().path("status").asText()).isEqualTo("PAUSED");
        ok(admin(a, "POST", "/mq/consumer/config", "{\"consumer\":\"" + consumer + "\",\"pause\":0,"
            + "\"rateLimitEnabled\":0}"));

        Reply tooShort = admin(a, "POST", "/mq/consumer/config", "{\"consumer\":\"" + consumer
            + "\",\"consumeTimeoutInMillis\":9999}");
        assertThat(tooShort.httpStatus()).isEqualTo(400);
        assertThat(tooShort.message()).startsWith("consumeTimeoutInMillis:");
        Reply zeroRate = admin(a, "POST", "/mq/consumer/config", "{\"consumer\":\"" + consumer + "\",\"limitRate\":0}");
        assertThat(zeroRate.httpStatus()).isEqualTo(400);
        assertThat(zeroRate.message()).startsWith("limitRate:");

        produce(a, "original", "o1");
        await().atMost(SPREAD).until(() -> Consumer.bodies(consumer(a, "original").with("pullTimeout", "1").poll())
            .contains("o1"));
        JsonNode offsets = ok(admin(a, "GET", "/mq/clustering/queue/offset?consumer=" + consumer, null)).result();
        assertThat(offsets).isNotEmpty();
        assertThat(offsets.get(0).has("maxOffset")).isTrue();
        assertThat(admin(a, "GET", "/mq/broadcast/queue/offset?consumer=" + consumer, null).httpStatus()).isEqualTo(400);
        assertThat(b.client().get(b.client().consumePort(), "/mq/config/" + consumer).status())
            .as("not on a data port").isEqualTo(404);
    }

    @Test
    void everyAcceptedChange_hasExactlyOneAuditEntry_withoutTheToken() {
        String path = "/admin/groups/" + group("audit");
        ok(admin(a, "PATCH", path, "{\"maxPullSize\":9}"));
        ok(admin(b, "POST", path + "/pause", null));
        assertThat(admin(a, "PATCH", path, "{\"maxPullSize\":900}").httpStatus()).isEqualTo(400);
        ok(admin(b, "POST", path + "/resume", null));
        // The refused change is recorded too (issue 21), with its reason, once the answer is out.
        Reply audit = await().atMost(SPREAD).until(() -> ok(admin(a, "GET", "/admin/audit?target=" + group("audit"),
            null)), r -> r.result().size() == 4);
        List<String> actions = new ArrayList<>();
        audit.result().forEach(r -> actions.add(r.path("action").asText() + ":" + r.path("result").asText()));
        // Each named for what it did (issue 22): a setting, a pause, a resume.
        assertThat(actions).filteredOn(s -> s.endsWith(":ok")).containsExactlyInAnyOrder("set:ok", "pause:ok",
            "resume:ok");
        assertThat(actions).filteredOn(s -> s.contains(":refused: ")).singleElement()
            .satisfies(s -> assertThat(s).contains("maxPullSize"));
        assertThat(audit.result().get(0).path("operator").asText()).isEqualTo("ops");
        assertThat(audit.result().get(0).path("after").path("paused").asBoolean()).isFalse();
        assertThat(audit.raw().body()).doesNotContain(TOKEN);
    }
}
