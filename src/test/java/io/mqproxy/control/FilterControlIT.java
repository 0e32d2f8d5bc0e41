package io.mqproxy.control;

import static io.mqproxy.testing.ProxyClient.form;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqproxy.broker.PropertyFilterSupport;
import io.mqproxy.testing.Consumer;
import io.mqproxy.testing.ProxyClient;
import io.mqproxy.testing.ProxyClient.Reply;
import io.mqproxy.testing.TestBroker;
import io.mqproxy.testing.TestProxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A group's filter changed at run time (issue 24): PATCH sets it ({@code "filter": {...}}) or clears it
 * ({@code "filter": null}), GET shows it and where it comes from, the audit names it, the next polls take it;
 * a bad one is a 400 naming {@code filter.type} or {@code filter.expression} and changes nothing.
 */
class FilterControlIT {
    private static final String TOKEN = "filter-operator-token-0123";
    private static final Duration BOUND = Duration.ofSeconds(30);
    private static String topic;
    private static String fileTopic;
    private static TestProxy proxy;
    private static ProxyClient client;

    @BeforeAll
    static void start() {
        topic = TestBroker.get().newTopic("fltc", 1);
        fileTopic = TestBroker.get().newTopic("fltc-file", 1);
        proxy = TestProxy.builder().operator("ops", TOKEN)
            .producer("fltc-p", topic).consumer("fltc-g", topic, Map.of("pop", true))
            .consumer("fltc-bad", topic, Map.of("pop", true))
            .consumer("fltc-nopf", topic, Map.of("pop", true))
            .consumer("fltc-file", fileTopic, Map.of("pop", true, "filter", Map.of("type", "TAG", "expression", "a")))
            .start();
        client = proxy.client();
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.close();
        }
    }

    @Test
    void setAtRunTime_appliesToTheNextPolls_andClearingDoesNotBringBackWhatWasSkipped() {
        Consumer c = new Consumer(client, topic, "fltc-g").with("pullTimeout", "1");
        Reply set = patch("fltc-g", "{\"filter\":{\"type\":\"TAG\",\"expression\":\"paid || refunded\"}}");
        assertThat(set.status()).as(set.raw().body()).isEqualTo(200);
        assertThat(set.result().path("filter").path("type").asText()).isEqualTo("TAG");
        JsonNode view = get("fltc-g");
        assertThat(view.path("group").path("filter").path("expression").asText()).isEqualTo("paid || refunded");
        assertThat(view.path("sources").path("filter").asText()).isEqualTo("runtime");

        produce("skipped", "other");
        produce("taken", "paid");
        assertThat(drain(c, 1)).containsExactly("taken");

        Reply cleared = patch("fltc-g", "{\"filter\":null}");
        assertThat(cleared.status()).as(cleared.raw().body()).isEqualTo(200);
        assertThat(cleared.result().has("filter")).isFalse();
        assertThat(get("fltc-g").path("group").has("filter")).isFalse();
        produce("after", "other");
        // RocketMQ counted "skipped" consumed by the group: only what came after the change is delivered.
        assertThat(drain(c, 1)).containsExactly("after");

        Reply audit = await().atMost(BOUND).until(() -> client.admin("GET", "/admin/audit?target=fltc-g", TOKEN, null),
            r -> r.result().size() >= 2);
        List<String> actions = new ArrayList<>();
        audit.result().forEach(r -> actions.add(r.path("action").asText() + ":" + r.path("result").asText()));
        assertThat(actions).containsExactlyInAnyOrder("filter:ok", "filter:ok");
        assertThat(audit.raw().body()).contains("paid || refunded");
    }

    @Test
    void fileFilter_isShownFromTheFile_andCanBeClearedAtRunTime() {
        JsonNode view = get("fltc-file");
        assertThat(view.path("group").path("filter").path("expression").asText()).isEqualTo("a");
        assertThat(view.path("sources").path("filter").asText()).isEqualTo("config");
        assertThat(get("fltc-g").path("sources").path("filter").asText()).isIn("default", "runtime");
        assertThat(patch("fltc-file", "{\"filter\":null}").status()).isEqualTo(200);
        view = get("fltc-file");
        assertThat(view.path("group").has("filter")).isFalse();
        assertThat(view.path("sources").path("filter").asText()).isEqualTo("runtime");
    }

    @Test
    void badFilters_areRefused_namingTheField_andChangeNothing() {
        String[][] cases = {
            {"{\"filter\":{\"type\":\"REGEX\",\"expression\":\"a\"}}", "filter.type"},
            {"{\"filter\":{\"expression\":\"a\"}}", "filter.type"},
            {"{\"filter\":{\"type\":7,\"expression\":\"a\"}}", "filter.type"},
            {"{\"filter\":{\"type\":\"SQL92\",\"expression\":\"region = \"}}", "filter.expression"},
            {"{\"filter\":{\"type\":\"SQL92\",\"expression\":\"\"}}", "filter.expression"},
            {"{\"filter\":{\"type\":\"TAG\",\"expression\":\"||\"}}", "filter.expression"},
            {"{\"filter\":{\"type\":\"TAG\",\"expression\":\"" + "t".repeat(1025) + "\"}}", "filter.expression"},
            {"{\"filter\":{\"type\":\"TAG\",\"expression\":[\"a\"]}}", "filter.expression"},
            {"{\"filter\":{\"type\":\"TAG\",\"expression\":\"a\",\"extra\":1}}", "filter.extra"},
            {"{\"filter\":\"paid\"}", "filter"},
            {"{\"filter\":[1]}", "filter"},
        };
        for (String[] c : cases) {
            Reply r = patch("fltc-bad", c[0]);
            assertThat(r.status()).as(c[0] + " -> " + r.raw().body()).isEqualTo(400);
            assertThat(r.message()).as(c[0]).contains(c[1]);
        }
        assertThat(get("fltc-bad").path("group").has("filter")).isFalse();
        assertThat(get("fltc-bad").path("sources").path("filter").asText()).isEqualTo("default");
    }

    @Test
    void register_takesAFilter() {
        Reply r = client.admin("POST", "/admin/groups", TOKEN, "{\"name\":\"fltc-reg\",\"topic\":\"" + topic
            + "\",\"pop\":true,\"filter\":{\"type\":\"SQL92\",\"expression\":\"region = 'eu'\"}}");
        assertThat(r.status()).as(r.raw().body()).isEqualTo(200);
        assertThat(get("fltc-reg").path("group").path("filter").path("type").asText()).isEqualTo("SQL92");
        Reply bad = client.admin("POST", "/admin/groups", TOKEN, "{\"name\":\"fltc-reg2\",\"topic\":\"" + topic
            + "\",\"filter\":{\"type\":\"SQL92\",\"expression\":\"region ==\"}}");
        assertThat(bad.status()).as(bad.raw().body()).isEqualTo(400);
        assertThat(bad.message()).contains("filter.expression");
        assertThat(client.admin("GET", "/admin/groups/fltc-reg2", TOKEN, null).status()).isEqualTo(404);
    }

    /** An SQL92 filter on brokers that do not filter by property is refused, naming the broker setting. */
    @Test
    void sql92_onBrokersWithoutPropertyFiltering_isRefused_namingTheSetting() throws Exception {
        setPropertyFilter(false);
        try {
            Reply r = patch("fltc-nopf", "{\"filter\":{\"type\":\"SQL92\",\"expression\":\"region = 'eu'\"}}");
            assertThat(r.status()).as(r.raw().body()).isEqualTo(400);
            assertThat(r.message()).contains("filter").contains(PropertyFilterSupport.SETTING + "=true");
            assertThat(patch("fltc-nopf", "{\"filter\":{\"type\":\"TAG\",\"expression\":\"x\"}}").status())
                .as("a TAG filter needs no property filtering").isEqualTo(200);
            assertThat(patch("fltc-nopf", "{\"filter\":null}").status()).isEqualTo(200);
        } finally {
            setPropertyFilter(true);
        }
        assertThat(get("fltc-nopf").path("group").has("filter")).isFalse();
    }

    private static void setPropertyFilter(boolean on) throws Exception {
        Properties p = new Properties();
        p.setProperty(PropertyFilterSupport.SETTING, Boolean.toString(on));
        TestBroker.get().admin().updateBrokerConfig(TestBroker.get().brokerAddr(), p);
    }

    private static Reply patch(String group, String json) {
        return client.admin("PATCH", "/admin/groups/" + group, TOKEN, json);
    }

    private static JsonNode get(String group) {
        Reply r = client.admin("GET", "/admin/groups/" + group, TOKEN, null);
        assertThat(r.status()).as(r.raw().body()).isEqualTo(200);
        return r.result();
    }

    private static void produce(String body, String tag) {
        Reply r = client.produce(form("producer", "fltc-p", "message", body, "tags", tag));
        assertThat(r.status()).as(r.raw().body()).isEqualTo(200);
    }

    private static List<String> drain(Consumer c, int count) {
        List<String> got = new ArrayList<>();
        await().atMost(BOUND).until(() -> {
            got.addAll(Consumer.bodies(c.poll()));
            return got.size() >= count;
        });
        assertThat(Consumer.bodies(c.poll())).as("nothing else").isEmpty();
        return got;
    }
}
