package io.mqproxy.control;

import static io.mqproxy.testing.ProxyClient.form;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqproxy.testing.Consumer;
import io.mqproxy.testing.ProxyClient.Reply;
import io.mqproxy.testing.TestBroker;
import io.mqproxy.testing.TestProxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Redriven dead letters (issue 22): a redriven message gets its group's whole retry budget again and
 * carries its history; the dead-letter list marks what was redriven; lookups say REDRIVEN; redrives by
 * selection run with a dry run, a rate, progress by id, and one at a time per group.
 */
class DeadLetterRedriveIT {
    private static final String TOKEN = "operator-token-0123456789";
    /** Plain POP redelivers 2-5 s after the invisible time: room for a loaded machine. */
    private static final Duration ROUNDS = Duration.ofSeconds(90);
    private static final String[] LANES = {"budget", "lookup", "select"};
    private static final Map<String, String> topics = new LinkedHashMap<>();
    private static TestProxy proxy;

    @BeforeAll
    static void start() {
        TestProxy.Builder builder = TestProxy.builder().operator("ops", TOKEN);
        for (String lane : LANES) {
            String topic = TestBroker.get().newTopic("dlr-" + lane, 1);
            topics.put(lane, topic);
            builder.producer(producer(lane), topic);
            builder.consumer(group(lane), topic, Map.of("pop", true, "consumeTimeoutSeconds", 1,
                "minConsumeTimeoutSeconds", 1, "maxRetries", lane.equals("budget") ? 1 : 0));
        }
        proxy = builder.start();
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.close();
        }
    }

    private static String group(String lane) {
        return "dlr-" + lane + "-" + Math.abs(topics.get(lane).hashCode() % 10_000);
    }

    private static String producer(String lane) {
        return "dlr-p-" + lane;
    }

    private static Reply admin(String method, String path, String json) {
        return proxy.client().admin(method, path, TOKEN, json);
    }

    private static Reply ok(Reply r) {
        assertThat(r.status()).as(r.raw().body()).isEqualTo(200);
        return r;
    }

    private static String produce(String lane, String body, String tags) {
        Reply sent = proxy.client().produce(tags == null ? form("producer", producer(lane), "message", body)
            : form("producer", producer(lane), "message", body, "tags", tags));
        assertThat(sent.status()).as(sent.raw().body()).isEqualTo(200);
        return sent.result().path("msgId").asText();
    }

    private static Consumer forgetful(String lane) {
        return new Consumer(proxy.client(), topics.get(lane), group(lane)).with("pullTimeout", "1")
            .with("consumeTimeout", "1");
    }

    private static List<JsonNode> deadLetters(String lane) {
        return list(ok(admin("GET", "/admin/groups/" + group(lane) + "/dlq", null)).result());
    }

    private static List<JsonNode> list(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).toList();
    }

    private static List<JsonNode> messages(Reply r) {
        List<JsonNode> out = new ArrayList<>(list(r.result().path("msgList")));
        out.addAll(list(r.result().path("retryMsgList")));
        return out;
    }

    /** Polls without acking (each delivery expires in a second) until {@code count} dead letters are listed. */
    private static void deadLetter(String lane, int count) {
        Consumer c = forgetful(lane);
        await().atMost(ROUNDS).pollInterval(Duration.ofMillis(200)).until(() -> {
            c.pollWithoutAck();
            return deadLetters(lane).size() >= count;
        });
    }

    private static void redriveById(String lane, String id) {
        Reply r = ok(admin("POST", "/admin/groups/" + group(lane) + "/dlq/redrive", "{\"messageIds\":[\"" + id
            + "\"]}"));
        assertThat(r.result().path("redriven").asInt()).isEqualTo(1);
    }

    @Test
    void redrivenMessage_isDeliveredAgain_withTheWholeRetryBudget_andCarriesItsHistory() {
        String id = produce("budget", "poison", null);
        deadLetter("budget", 1);
        redriveById("budget", id);

        // maxRetries 1: two deliveries, then dead-lettered. Before the fix the copy went straight back.
        Consumer c = forgetful("budget");
        List<JsonNode> deliveries = new ArrayList<>();
        await().atMost(ROUNDS).pollInterval(Duration.ofMillis(200)).until(() -> {
            for (JsonNode m : messages(c.pollWithoutAck())) {
                if (m.path("messageId").asText().equals(id)) {
                    deliveries.add(m);
                }
            }
            return deadLetters("budget").size() >= 2;
        });
        assertThat(deliveries).as("deliveries after the redrive").hasSize(2);
        assertThat(deliveries.get(0).path("properties").path("MQPROXY_REDRIVES").asText()).isEqualTo("1");
        assertThat(deliveries.get(0).path("properties").path("MQPROXY_LAST_REDRIVE_BY").asText()).isEqualTo("ops");
        assertThat(deliveries.get(1).path("deliveryCount").asInt())
            .isGreaterThan(deliveries.get(0).path("deliveryCount").asInt());

        // Dead-lettered twice: two rows with one id. The newer carries its history; the older is marked redriven.
        List<JsonNode> letters = deadLetters("budget");
        assertThat(letters).extracting(l -> l.path("messageId").asText()).containsExactly(id, id);
        assertThat(letters.get(0).path("redrives").asInt()).isEqualTo(1);
        assertThat(letters.get(0).path("lastRedrive").path("operator").asText()).isEqualTo("ops");
        assertThat(letters.get(0).has("redriven")).as("newest not yet redriven").isFalse();
        assertThat(letters.get(1).path("redriven").path("operator").asText()).isEqualTo("ops");
        assertThat(letters.get(1).path("redriven").path("at").asLong()).isPositive();

        // The lookup tells the whole story in the group: dead-lettered, redriven by ops, dead-lettered again
        // (the redrive read from the history the second dead letter carries, as the audit has no newer one).
        JsonNode state = ok(admin("GET", "/admin/messages?topic=" + topics.get("budget") + "&id=" + id
            + "&states=true", null)).result().get(0).path("states").get(0);
        assertThat(list(state.path("history"))).as(state.toString())
            .extracting(e -> e.path("event").asText() + " " + e.path("by").asText(""))
            .containsExactly("DEAD_LETTERED ", "REDRIVEN ops", "DEAD_LETTERED ");
        JsonNode letter = ok(admin("GET", "/admin/messages?topic=%25DLQ%25" + group("budget") + "&id=" + id, null))
            .result();
        assertThat(list(letter)).as("the second dead letter carries its redrive")
            .anySatisfy(l -> assertThat(l.path("redriveHistory").path("lastBy").asText()).isEqualTo("ops"));
    }

    @Test
    void lookup_ofARedrivenAndAckedDeadLetter_saysRedriven_byWhomAndWhen() {
        String id = produce("lookup", "found again", null);
        deadLetter("lookup", 1);
        redriveById("lookup", id);
        Consumer c = new Consumer(proxy.client(), topics.get("lookup"), group("lookup")).with("pullTimeout", "2")
            .with("consumeTimeout", "30");
        await().atMost(ROUNDS).until(() -> Consumer.bodies(c.poll()).contains("found again"));
        assertThat(c.call("/mq/ack").result().path("status").asText()).isEqualTo("OK");

        JsonNode state = ok(admin("GET", "/admin/messages?topic=" + topics.get("lookup") + "&id=" + id
            + "&states=true", null)).result().get(0).path("states").get(0);
        assertThat(state.path("state").asText()).as(state.toString()).isEqualTo("REDRIVEN");
        assertThat(state.path("redrive").path("operator").asText()).isEqualTo("ops");
        assertThat(state.path("redrive").path("at").asLong()).isPositive();
        // The retry topic's copy is readable once the name server knows the topic (within 30 s): not waiting.
        assertThat(state.path("redrive").path("copyState").asText()).isIn("DELIVERED", "UNKNOWN");
        assertThat(list(state.path("history"))).as("dead-lettered, then redriven by ops (from the audit)")
            .extracting(e -> e.path("event").asText() + " " + e.path("by").asText(""))
            .containsExactly("DEAD_LETTERED ", "REDRIVEN ops");
    }

    @Test
    void redriveBySelection_dryRunMovesNothing_thenRunsAtARate_oneAtATime_withProgress() {
        String a1 = produce("select", "alpha one", "A");
        String a2 = produce("select", "alpha two", "A");
        String b1 = produce("select", "beta", "B");
        deadLetter("select", 3);
        String path = "/admin/groups/" + group("select") + "/dlq/redrive";

        JsonNode dry = ok(admin("POST", path, "{\"tag\":\"A\",\"dryRun\":true}")).result();
        assertThat(dry.path("selected").asLong()).isEqualTo(2);
        assertThat(list(dry.path("first"))).extracting(l -> l.path("messageId").asText())
            .containsExactlyInAnyOrder(a1, a2);
        JsonNode byText = ok(admin("POST", path, "{\"text\":\"beta\",\"dryRun\":true}")).result();
        assertThat(list(byText.path("first"))).extracting(l -> l.path("messageId").asText()).containsExactly(b1);
        assertThat(deadLetters("select")).allSatisfy(l -> assertThat(l.has("redriven")).isFalse());

        JsonNode started = ok(admin("POST", path, "{\"tag\":\"A\",\"ratePerSecond\":1}")).result();
        String job = started.path("id").asText();
        assertThat(started.path("state").asText()).isEqualTo("running");
        Reply second = admin("POST", path, "{\"all\":true,\"ratePerSecond\":5}");
        assertThat(second.status()).as(second.raw().body()).isEqualTo(409);
        assertThat(second.message()).contains(job);

        JsonNode done = await().atMost(Duration.ofSeconds(30)).until(() -> ok(admin("GET", "/admin/groups/"
            + group("select") + "/dlq/redrives/" + job, null)).result(), p -> !p.path("state").asText().equals("running"));
        assertThat(done.path("state").asText()).as(done.toString()).isEqualTo("done");
        assertThat(done.path("selected").asLong()).isEqualTo(2);
        assertThat(done.path("redriven").asLong()).isEqualTo(2);
        assertThat(done.path("failed").asLong()).isZero();
        // At 1/s the second waits for a token: the two were not sent in the same instant.
        assertThat(done.path("finishedAt").asLong() - done.path("startedAt").asLong()).isGreaterThanOrEqualTo(900);

        Map<String, String> marks = new LinkedHashMap<>();
        deadLetters("select").forEach(l -> marks.put(l.path("messageId").asText(), l.path("redriven").path("job")
            .asText("")));
        assertThat(marks).containsEntry(a1, job).containsEntry(a2, job).containsEntry(b1, "");

        Consumer c = new Consumer(proxy.client(), topics.get("select"), group("select")).with("pullTimeout", "2")
            .with("consumeTimeout", "30");
        List<String> got = new ArrayList<>();
        await().atMost(ROUNDS).until(() -> {
            got.addAll(Consumer.bodies(c.poll()));
            return got.containsAll(List.of("alpha one", "alpha two"));
        });
        assertThat(got).doesNotContain("beta");
    }

    @Test
    void redriveFields_areValidated_andTheBrokerSeesNothing() {
        String path = "/admin/groups/" + group("select") + "/dlq/redrive";
        Map<String, String> bad = new LinkedHashMap<>();
        bad.put("{\"tag\":\"A\",\"ratePerSecond\":0}", "ratePerSecond");
        bad.put("{\"tag\":\"A\",\"ratePerSecond\":\"fast\"}", "ratePerSecond");
        bad.put("{\"since\":\"yesterday\"}", "since");
        bad.put("{\"since\":2000,\"until\":1000}", "until");
        bad.put("{\"key\":\"" + "k".repeat(300) + "\"}", "key");
        bad.put("{\"text\":\"a\\u0001b\"}", "text");
        bad.put("{\"tag\":\"A\",\"messageIds\":[\"0A\"]}", "messageIds");
        bad.put("{}", "messageIds");
        bad.put("{\"tag\":\"A\",\"dryRun\":\"maybe\"}", "dryRun");
        bad.put("{\"tag\":\"A\",\"rate\":5}", "rate");
        bad.forEach((json, field) -> {
            Reply r = admin("POST", path, json);
            assertThat(r.status()).as(json + " -> " + r.raw().body()).isEqualTo(400);
            assertThat(r.message()).as(json).startsWith(field);
        });
        Reply unknown = admin("GET", "/admin/groups/" + group("select") + "/dlq/redrives/not-an-id", null);
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.message()).startsWith("id");
        Reply gone = admin("GET", "/admin/groups/" + group("select") + "/dlq/redrives/0123456789abcdef", null);
        assertThat(gone.status()).isEqualTo(404);
    }
}
