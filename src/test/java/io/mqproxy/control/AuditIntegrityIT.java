package io.mqproxy.control;

import static io.mqproxy.testing.ProxyClient.form;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mqproxy.testing.ProxyClient.Reply;
import io.mqproxy.testing.StoredMessages;
import io.mqproxy.testing.TestBroker;
import io.mqproxy.testing.TestProxy;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.common.message.Message;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Issue 21, finding 2 (and the audit half of 3): the audit log cannot be written by data clients, a
 * record the proxy did not sign is never shown as genuine, no volume of messages hides a record, refused
 * changes are recorded with their reason, and the audit's log lines are one JSON object each.
 */
class AuditIntegrityIT {
    private static final String TOKEN = "audit-integrity-token-0123456789";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String AUDIT_TOPIC = "MQPROXY_AUDIT";
    private static TestProxy proxy;
    private static String topic;
    private static String group;

    @BeforeAll
    static void start() {
        topic = TestBroker.get().newTopic("audit-int", 1);
        group = "audit-int-" + Math.abs(topic.hashCode() % 10_000);
        proxy = TestProxy.builder().operator("ops", TOKEN).producer("audit-int-p", topic)
            .consumer(group, topic, Map.of("pop", true)).start();
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.close();
        }
    }

    private static Reply admin(String method, String path, String json) {
        return proxy.client().admin(method, path, TOKEN, json);
    }

    private static String q(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** Writes straight to the broker, as a data client once could (and anyone with broker access can). */
    private static void writeNatively(List<byte[]> bodies, String key) throws Exception {
        writeNatively(bodies, key, null);
    }

    /** Returns once the broker's queue shows every message written (a busy broker indexes them a moment later). */
    private static void writeNatively(List<byte[]> bodies, String key, String mac) throws Exception {
        long before = StoredMessages.count(AUDIT_TOPIC);
        DefaultMQProducer producer = new DefaultMQProducer("audit-int-native");
        producer.setNamesrvAddr(TestBroker.get().namesrvAddr());
        producer.setInstanceName("audit-int-native-" + System.nanoTime());
        producer.start();
        try {
            for (int i = 0; i < bodies.size(); i += 100) {
                List<Message> batch = new ArrayList<>();
                for (byte[] body : bodies.subList(i, Math.min(bodies.size(), i + 100))) {
                    Message m = new Message(AUDIT_TOPIC, null, key, body);
                    if (mac != null) {
                        m.putUserProperty("mqproxyAuditMac", mac);
                    }
                    batch.add(m);
                }
                producer.send(batch);
            }
        } finally {
            producer.shutdown();
        }
        await("the written messages indexed").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
            .until(() -> StoredMessages.count(AUDIT_TOPIC) >= before + bodies.size());
    }

    @Test
    void aProducerOnTheAuditTopic_isRefusedNamingTopic_andNoDataClientCanWriteRecordsThroughIt() {
        Reply refused = admin("POST", "/admin/producers", "{\"name\":\"forger\",\"topic\":\"MQPROXY_AUDIT\"}");
        assertThat(refused.httpStatus()).as(refused.raw().body()).isEqualTo(400);
        assertThat(refused.message()).contains("topic").contains("reserved");
        for (String reserved : List.of("%DLQ%" + group, "rmq_sys_x", "TBW102", "mqproxy_registry")) {
            Reply r = admin("POST", "/admin/producers", "{\"name\":\"forger2\",\"topic\":\"" + reserved + "\"}");
            assertThat(r.httpStatus()).as(reserved).isEqualTo(400);
            assertThat(r.message()).contains("topic");
        }
        Reply group = admin("POST", "/admin/groups", "{\"name\":\"MQPROXY_READER\",\"topic\":\"" + topic + "\"}");
        assertThat(group.httpStatus()).isEqualTo(400);
        assertThat(group.message()).contains("name");
        Reply created = admin("POST", "/admin/topics", "{\"name\":\"SCHEDULE_TOPIC_XXXX\"}");
        assertThat(created.httpStatus()).isEqualTo(400);
        assertThat(created.message()).contains("name");

        // The producer does not exist, so a data client's forged record goes nowhere.
        Reply produced = proxy.client().produce(form("producer", "forger", "message",
            "{\"time\":1,\"operator\":\"alice\",\"action\":\"change-group\",\"target\":\"x\",\"result\":\"ok\"}"));
        assertThat(produced.status()).isNotEqualTo(200);
        assertThat(ok(admin("GET", "/admin/producers", null)).result().toString()).doesNotContain("forger");
    }

    @Test
    void aRecordWrittenToTheAuditTopicWithoutTheProxysMac_isNeverShownAsGenuine() throws Exception {
        String target = "forged-target-" + System.nanoTime();
        String forged = "{\"time\":" + System.currentTimeMillis() + ",\"operator\":\"alice\",\"requestId\":\"r1\","
            + "\"action\":\"change-group\",\"target\":\"" + target + "\",\"result\":\"ok\",\"genuine\":true}";
        writeNatively(List.of(forged.getBytes(StandardCharsets.UTF_8)), target);

        Reply page = ok(admin("GET", "/admin/audit?target=" + target, null));
        assertThat(page.result()).isEmpty();
        assertThat(page.body().path("page").path("forged").asInt()).isEqualTo(1);
        assertThat(page.body().path("page").path("unsigned").asInt()).isEqualTo(1);

        Reply shown = ok(admin("GET", "/admin/audit?forged=true&target=" + target, null));
        assertThat(shown.result()).hasSize(1);
        assertThat(shown.result().get(0).path("operator").asText()).isEqualTo("alice");
        assertThat(shown.result().get(0).path("genuine").asBoolean()).isFalse();

        // One with a MAC made up (no key): forged, not unsigned.
        String guessed = target + "-mac";
        writeNatively(List.of(forged.replace(target, guessed).getBytes(StandardCharsets.UTF_8)), guessed,
            "q9ZbB0vYw2j3oXhTqkq3nq8m1X6yJ9gJ8Z8l2R0nq3Q");
        Reply guessedPage = ok(admin("GET", "/admin/audit?target=" + guessed, null));
        assertThat(guessedPage.result()).isEmpty();
        assertThat(guessedPage.body().path("page").path("forged").asInt()).isEqualTo(1);
        assertThat(guessedPage.body().path("page").path("unsigned").asInt()).isZero();

        // A record the proxy wrote is genuine.
        ok(admin("POST", "/admin/groups/" + group + "/pause", null));
        ok(admin("POST", "/admin/groups/" + group + "/resume", null));
        JsonNode mine = ok(admin("GET", "/admin/audit?target=" + group, null)).result();
        assertThat(mine).isNotEmpty();
        mine.forEach(r -> assertThat(r.path("genuine").asBoolean()).isTrue());
    }

    @Test
    void aFloodOfMessagesInTheAuditTopic_doesNotHideAGenuineRecord_theCursorReachesIt() throws Exception {
        proxy.app().control().auditScanPerPage(500);
        try {
            String target = group;
            ok(admin("PATCH", "/admin/groups/" + group, "{\"maxPullSize\":7}"));
            String flood = "{\"time\":" + System.currentTimeMillis() + ",\"operator\":\"mallory\",\"action\":\"x\","
                + "\"target\":\"other\",\"result\":\"ok\"}";
            List<byte[]> bodies = new ArrayList<>();
            for (int i = 0; i < 2_100; i++) {
                bodies.add(flood.getBytes(StandardCharsets.UTF_8));
            }
            writeNatively(bodies, "other");

            String cursor = null;
            boolean found = false;
            int pages = 0;
            do {
                Reply page = ok(admin("GET", "/admin/audit?limit=5&target=" + target
                    + (cursor == null ? "" : "&cursor=" + q(cursor)), null));
                pages++;
                assertThat(page.body().path("page").path("scanned").asInt()).isLessThanOrEqualTo(500);
                for (JsonNode r : page.result()) {
                    found |= r.path("action").asText().equals("set")
                        && r.path("after").path("maxPullSize").asInt() == 7;
                }
                cursor = page.body().path("page").path("cursor").isNull() ? null
                    : page.body().path("page").path("cursor").asText(null);
            } while (!found && cursor != null && pages < 100);
            assertThat(found).as("the record behind the flood, after " + pages + " pages").isTrue();
            assertThat(pages).isGreaterThan(4); // it was behind the flood: the first pages only looked at it
        } finally {
            proxy.app().control().auditScanPerPage(AuditLog.SCAN_PER_PAGE);
        }
    }

    @Test
    void sinceAndUntil_boundTheRange() {
        long before = System.currentTimeMillis() - 1;
        ok(admin("POST", "/admin/groups/" + group + "/pause", null));
        ok(admin("POST", "/admin/groups/" + group + "/resume", null));
        JsonNode inRange = ok(admin("GET", "/admin/audit?target=" + group + "&since=" + before, null)).result();
        assertThat(inRange).hasSize(2);
        JsonNode older = ok(admin("GET", "/admin/audit?target=" + group + "&until=" + before, null)).result();
        older.forEach(r -> assertThat(r.path("time").asLong()).isLessThanOrEqualTo(before));
        Reply future = ok(admin("GET", "/admin/audit?since=" + q(java.time.Instant.now().plusSeconds(3_600)
            .toString()), null));
        assertThat(future.result()).isEmpty();
        assertThat(future.body().path("page").path("more").asBoolean()).isFalse();
        Reply backwards = admin("GET", "/admin/audit?since=2000&until=1000", null);
        assertThat(backwards.httpStatus()).isEqualTo(400);
        assertThat(backwards.message()).contains("until");
    }

    @Test
    void aBadCursor_isA400NamingCursor() {
        for (String bad : List.of("nope", "YTE6", "%%%", "YTE6YnJva2VyLzAvLTE")) {
            Reply r = admin("GET", "/admin/audit?cursor=" + q(bad), null);
            assertThat(r.httpStatus()).as(bad).isEqualTo(400);
            assertThat(r.message()).as(bad).contains("cursor");
        }
    }

    @Test
    void refusedAdminWrites_400And404_areAuditedWithTheReason() {
        String missing = "no-such-group-" + System.nanoTime();
        Reply notFound = admin("PATCH", "/admin/groups/" + missing, "{\"maxPullSize\":3}");
        assertThat(notFound.httpStatus()).isEqualTo(404);
        String badProducer = "bad-producer-" + System.nanoTime();
        Reply bad = admin("POST", "/admin/producers", "{\"name\":\"" + badProducer + "\",\"topic\":\"MQPROXY_AUDIT\"}");
        assertThat(bad.httpStatus()).isEqualTo(400);
        Reply badField = admin("PATCH", "/admin/groups/" + group, "{\"maxPullSize\":\"lots\"}");
        assertThat(badField.httpStatus()).isEqualTo(400);
        Reply original = proxy.client().admin("POST", "/mq/consumer/config", TOKEN,
            "{\"consumer\":\"" + missing + "\",\"maxPullSize\":1000}");
        assertThat(original.httpStatus()).isEqualTo(400);

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode records = ok(admin("GET", "/admin/audit?target=" + missing, null)).result();
            assertThat(records).hasSize(2);
            records.forEach(r -> {
                assertThat(r.path("operator").asText()).isEqualTo("ops");
                assertThat(r.path("result").asText()).startsWith("refused: ");
            });
            assertThat(records.toString()).contains("PATCH /admin/groups/:group").contains("POST /mq/consumer/config")
                .contains("does not exist").contains("maxPullSize");
            JsonNode producer = ok(admin("GET", "/admin/audit?target=" + badProducer, null)).result();
            assertThat(producer).hasSize(1);
            assertThat(producer.get(0).path("result").asText()).startsWith("refused: ").contains("reserved");
            assertThat(producer.get(0).path("requestId").asText()).isEqualTo(bad.raw().headers()
                .firstValue("X-Request-Id").orElseThrow());
        });
    }

    @Test
    void auditLogLines_areOneJsonObjectEach_evenWithCrLfInValues() throws Exception {
        List<ILoggingEvent> lines = new CopyOnWriteArrayList<>();
        Logger audit = (Logger) LoggerFactory.getLogger("io.mqproxy.audit");
        AppenderBase<ILoggingEvent> capture = new AppenderBase<>() {
            @Override
            protected void append(ILoggingEvent e) {
                e.prepareForDeferredProcessing();
                lines.add(e);
            }
        };
        capture.setContext(audit.getLoggerContext());
        capture.start();
        audit.addAppender(capture);
        Level before = audit.getLevel();
        audit.setLevel(Level.INFO);
        try {
            String evil = "x\r\n2026-12-07T00:00:00Z INFO audit - operator=alice action=change-group";
            Reply r = admin("POST", "/admin/producers", JSON.writeValueAsString(Map.of("name", evil, "topic", "t")));
            assertThat(r.httpStatus()).isEqualTo(400);
            ok(admin("POST", "/admin/groups/" + group + "/pause", null));
            String requestId = r.raw().headers().firstValue("X-Request-Id").orElseThrow();
            await().atMost(Duration.ofSeconds(10)).until(() -> lines.stream()
                .anyMatch(e -> e.getFormattedMessage().contains(requestId)));
            for (ILoggingEvent e : lines) {
                String line = e.getFormattedMessage();
                assertThat(line).doesNotContain("\n").doesNotContain("\r");
                JsonNode parsed = JSON.readTree(line);
                assertThat(parsed.isObject()).as(line).isTrue();
            }
            JsonNode refused = lines.stream().map(ILoggingEvent::getFormattedMessage)
                .filter(l -> l.contains(requestId)).map(AuditIntegrityIT::parse).findFirst().orElseThrow();
            assertThat(refused.path("target").asText()).isEqualTo(evil);
            assertThat(refused.path("operator").asText()).isEqualTo("ops");
            assertThat(refused.path("result").asText()).startsWith("refused: ");
        } finally {
            audit.detachAppender(capture);
            audit.setLevel(before);
        }
    }

    private static JsonNode parse(String line) {
        try {
            return JSON.readTree(line);
        } catch (Exception e) {
            throw new AssertionError(line, e);
        }
    }

    private static Reply ok(Reply reply) {
        assertThat(reply.httpStatus()).as(reply.raw().body()).isEqualTo(200);
        return reply;
    }
}
