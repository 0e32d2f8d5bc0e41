package io.mqproxy.produce;

import static io.mqproxy.testing.ProxyClient.form;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mqproxy.config.ConfigException;
import io.mqproxy.testing.BrokerSnapshot;
import io.mqproxy.testing.ProxyClient;
import io.mqproxy.testing.ProxyClient.Reply;
import io.mqproxy.testing.TestBroker;
import io.mqproxy.testing.TestProxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A producer with a JSON Schema (inline or in a file): bodies that do not validate are a 400 naming the first
 * failing path and reach no broker; a batch with any failing message is refused whole, naming each.
 */
class ProduceSchemaIT {
    private static final Map<String, Object> ORDER = Map.of(
        "type", "object", "required", List.of("id", "amount"),
        "properties", Map.of("id", Map.of("type", "string"), "amount", Map.of("type", "number", "minimum", 0)));
    private static final String TOKEN = "schema-operator-token-0123456";
    private static String topic;
    private static String fileTopic;
    private static TestProxy proxy;
    private static ProxyClient client;

    @BeforeAll
    static void start() throws Exception {
        topic = TestBroker.get().newTopic("schema", 2);
        fileTopic = TestBroker.get().newTopic("schema-file", 2);
        Path file = Files.createTempFile("order-schema", ".json");
        Files.writeString(file, "{\"type\":\"object\",\"required\":[\"sku\"]}");
        proxy = TestProxy.builder().operator("ops", TOKEN)
            .producer("schema-plain-p", topic)
            .producer("schema-p", topic, ORDER)
            .producer("schema-file-p", fileTopic, file.toString())
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
    void conformingBodies_areSent_andOthersRefused_namingThePath_withNothingStored() {
        assertThat(client.produce(form("producer", "schema-p", "message", "{\"id\":\"o-1\",\"amount\":12.5}")).status())
            .isEqualTo(200);
        assertThat(client.produce(form("producer", "schema-file-p", "message", "{\"sku\":\"x\"}")).status())
            .isEqualTo(200);
        BrokerSnapshot before = BrokerSnapshot.of(topic);
        BrokerSnapshot beforeFile = BrokerSnapshot.of(fileTopic);
        Reply negative = client.produce(form("producer", "schema-p", "message", "{\"id\":\"o-2\",\"amount\":-3}"));
        assertThat(negative.status()).as(negative.raw().body()).isEqualTo(400);
        assertThat(negative.message()).startsWith("message: ").contains("/amount");
        Reply missing = client.produce(form("producer", "schema-p", "message", "{\"id\":\"o-3\"}"));
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.message()).contains("amount");
        Reply notJson = client.produce(form("producer", "schema-p", "message", "plain text"));
        assertThat(notJson.status()).isEqualTo(400);
        assertThat(notJson.message()).contains("is not JSON");
        Reply fromFile = client.produce(form("producer", "schema-file-p", "message", "{\"qty\":1}"));
        assertThat(fromFile.status()).isEqualTo(400);
        assertThat(fromFile.message()).contains("sku");
        Reply batch = client.postJson(client.producePort(), "/mq/produce/batch", "{\"producer\":\"schema-p\","
            + "\"messages\":[{\"id\":\"a\",\"amount\":1},{\"id\":\"b\",\"amount\":-1},{\"id\":\"c\",\"amount\":2},"
            + "{\"id\":4,\"amount\":1}]}");
        assertThat(batch.status()).as(batch.raw().body()).isEqualTo(400);
        assertThat(batch.message()).contains("2 messages fail").contains("messages[1]").contains("messages[3]")
            .contains("none was sent").doesNotContain("messages[0]").doesNotContain("messages[2]");
        before.assertNothingStored();
        beforeFile.assertNothingStored();
        Reply good = client.postJson(client.producePort(), "/mq/produce/batch", "{\"producer\":\"schema-p\","
            + "\"messages\":[{\"id\":\"a\",\"amount\":1},{\"id\":\"c\",\"amount\":2}]}");
        assertThat(good.status()).as(good.raw().body()).isEqualTo(200);
    }

    @Test
    void aSchemaSetAtRunTime_appliesAtOnce_isAudited_andClearingIt_restoresTheFilesOrNone() {
        String order = "{\"schema\":{\"type\":\"object\",\"required\":[\"id\"]}}";
        Reply bad = client.admin("PUT", "/admin/producers/schema-plain-p/schema", TOKEN, "{\"schema\":{\"type\":5}}");
        assertThat(bad.status()).as(bad.raw().body()).isEqualTo(400);
        assertThat(bad.message()).startsWith("schema: ");
        Reply missing = client.admin("PUT", "/admin/producers/no-such-p/schema", TOKEN, order);
        assertThat(missing.status()).isEqualTo(404);
        assertThat(client.produce(form("producer", "schema-plain-p", "message", "plain text")).status()).isEqualTo(200);

        Reply set = client.admin("PUT", "/admin/producers/schema-plain-p/schema", TOKEN, order);
        assertThat(set.status()).as(set.raw().body()).isEqualTo(200);
        assertThat(set.result().path("schema").path("required").get(0).asText()).isEqualTo("id");
        Reply refused = client.produce(form("producer", "schema-plain-p", "message", "{\"no\":\"id\"}"));
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.message()).contains("id");
        assertThat(client.produce(form("producer", "schema-plain-p", "message", "{\"id\":\"x\"}")).status())
            .isEqualTo(200);
        Reply listed = client.admin("GET", "/admin/producers", TOKEN, null);
        assertThat(listed.raw().body()).contains("\"required\":[\"id\"]");

        // On a producer of the file, a run-time schema replaces the file's; clearing it brings the file's back.
        Reply over = client.admin("PUT", "/admin/producers/schema-p/schema", TOKEN, order);
        assertThat(over.status()).as(over.raw().body()).isEqualTo(200);
        assertThat(client.produce(form("producer", "schema-p", "message", "{\"id\":\"no amount\"}")).status())
            .isEqualTo(200);
        assertThat(client.admin("DELETE", "/admin/producers/schema-p/schema", TOKEN, null).status()).isEqualTo(200);
        assertThat(client.produce(form("producer", "schema-p", "message", "{\"id\":\"no amount\"}")).status())
            .isEqualTo(400);
        Reply cleared = client.admin("DELETE", "/admin/producers/schema-plain-p/schema", TOKEN, null);
        assertThat(cleared.status()).isEqualTo(200);
        assertThat(cleared.result().path("schema").isNull() || cleared.result().path("schema").isMissingNode())
            .as(cleared.raw().body()).isTrue();
        assertThat(client.produce(form("producer", "schema-plain-p", "message", "plain again")).status()).isEqualTo(200);

        Reply audit = client.admin("GET", "/admin/audit?target=schema-plain-p", TOKEN, null);
        assertThat(audit.status()).as(audit.raw().body()).isEqualTo(200);
        assertThat(audit.raw().body()).contains("\"set-schema\"").contains("\"clear-schema\"");
    }

    @Test
    void aBrokenSchema_orAMissingFile_stopsStartUp_namingTheKey() {
        assertThatThrownBy(() -> TestProxy.builder().producer("broken-p", topic, Map.of("type", 5)).config())
            .isInstanceOf(ConfigException.class).hasMessageContaining("producers[0].schema");
        assertThatThrownBy(() -> TestProxy.builder().producer("nofile-p", topic, "/no/such/schema.json").config())
            .isInstanceOf(ConfigException.class).hasMessageContaining("producers[0].schema")
            .hasMessageContaining("/no/such/schema.json");
    }
}
