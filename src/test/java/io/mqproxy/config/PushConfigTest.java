package io.mqproxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** consumers[].push and the stream keys: defaults merged in, secrets from the environment, errors naming the key. */
class PushConfigTest {
    private static Path yaml(String text) throws IOException {
        Path file = Files.createTempFile("push-config", ".yaml");
        Files.writeString(file, text);
        file.toFile().deleteOnExit();
        return file;
    }

    private static Path consumer(String push) throws IOException {
        return yaml("consumers:\n  - name: g\n    topic: t\n    push: " + push + "\n");
    }

    @Test
    void pushEntry_inheritsPushDefaults() throws IOException {
        ProxyConfig c = ConfigLoader.load(consumer("{url: 'https://example.test/hook', secret: 0123456789abcdef, "
            + "batchSize: 4}"), Map.of(), Map.of("push.defaults.maxInFlight", "3"));
        ProxyConfig.PushEndpoint p = c.consumers().get(0).push();
        assertThat(p.url()).isEqualTo("https://example.test/hook");
        assertThat(p.batchSize()).isEqualTo(4);
        assertThat(p.maxInFlight()).isEqualTo(3);
        assertThat(p.minBackoffMillis()).isEqualTo(1000);
        assertThat(p.maxBackoffMillis()).isEqualTo(60_000);
        assertThat(p.timeoutMillis()).isEqualTo(10_000);
        assertThat(p.toString()).doesNotContain("0123456789abcdef");
        assertThat(c.stream().maxUnacked()).isEqualTo(32);
        assertThat(c.consumers().get(0).push()).isNotNull();
    }

    @Test
    void noPushEntry_meansNoWebhook() {
        ProxyConfig c = ConfigLoader.load(null, Map.of(), Map.of());
        assertThat(c.consumers()).allSatisfy(g -> assertThat(g.push()).isNull());
    }

    @Test
    void secretEnv_isReadFromTheEnvironment() throws IOException {
        ProxyConfig c = ConfigLoader.load(consumer("{url: 'http://h/x', secretEnv: HOOK_SECRET}"),
            Map.of("HOOK_SECRET", "from-the-environment-0123"), Map.of());
        assertThat(c.consumers().get(0).push().secret()).isEqualTo("from-the-environment-0123");
    }

    @Test
    void secretEnvUnset_isRefusedNamingTheKey() throws IOException {
        Path file = consumer("{url: 'http://h/x', secretEnv: HOOK_SECRET}");
        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), Map.of()))
            .hasMessageContaining("consumers[0].push.secretEnv").hasMessageContaining("HOOK_SECRET");
    }

    @Test
    void urlThatIsNotHttp_isRefusedNamingTheKey() throws IOException {
        Path file = consumer("{url: 'ftp://h/x', secret: 0123456789abcdef}");
        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), Map.of()))
            .hasMessageContaining("consumers[0].push.url").hasMessageContaining("http:// or https://");
    }

    @Test
    void shortSecret_badBatchSize_andUnknownKeys_areRefusedNamingTheKey() throws IOException {
        Path shortSecret = consumer("{url: 'http://h/x', secret: short}");
        assertThatThrownBy(() -> ConfigLoader.load(shortSecret, Map.of(), Map.of()))
            .hasMessageContaining("consumers[0].push.secret").hasMessageNotContaining("short");
        Path batch = consumer("{url: 'http://h/x', secret: 0123456789abcdef, batchSize: 0}");
        assertThatThrownBy(() -> ConfigLoader.load(batch, Map.of(), Map.of()))
            .hasMessageContaining("consumers[0].push.batchSize");
        Path unknown = consumer("{url: 'http://h/x', secret: 0123456789abcdef, retries: 3}");
        assertThatThrownBy(() -> ConfigLoader.load(unknown, Map.of(), Map.of()))
            .hasMessageContaining("retries");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("push.defaults.maxBackoffMillis", "10")))
            .hasMessageContaining("push.defaults.maxBackoffMillis");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("stream.maxUnacked", "0")))
            .hasMessageContaining("stream.maxUnacked");
    }

    @Test
    void broadcastGroup_needsTheClientIdItPushesAs() throws IOException {
        Path file = yaml("consumers:\n  - {name: g, topic: t, mode: broadcast, push: {url: 'http://h/x', "
            + "secret: 0123456789abcdef}}\n");
        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), Map.of()))
            .hasMessageContaining("consumers[0].push.clientId");
    }

    @Test
    void urls_mustBeHttpWithAHost_withoutCredentials() {
        assertThat(PushRules.url("https://example.test:8443/a?b=c")).isNull();
        assertThat(PushRules.url("http://127.0.0.1:9/")).isNull();
        assertThat(PushRules.url("file:///etc/passwd")).contains("http");
        assertThat(PushRules.url("javascript:alert(1)")).contains("http");
        assertThat(PushRules.url("http:///nohost")).contains("host");
        assertThat(PushRules.url("http://user:pw@h/")).contains("credentials");
        assertThat(PushRules.url("not a url")).isNotNull();
    }
}
