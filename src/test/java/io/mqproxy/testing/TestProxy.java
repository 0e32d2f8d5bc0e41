package io.mqproxy.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.mqproxy.app.ProxyApp;
import io.mqproxy.config.ConfigLoader;
import io.mqproxy.config.ProxyConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A proxy instance on the shared test broker, configured through the real loader (a YAML file plus
 * flags) on free ports. Several can run at once against one broker, as in production.
 */
public final class TestProxy implements AutoCloseable {
    public static final String SECRET = "test-secret-shared-by-instances";

    private final ProxyApp app;
    private final ProxyConfig config;
    private final ProxyClient client;

    private TestProxy(ProxyApp app, ProxyConfig config) {
        this.app = app;
        this.config = config;
        this.client = new ProxyClient(config.http().producePort(), config.http().consumePort(), config.admin().port());
    }

    public static Builder builder() {
        return new Builder();
    }

    public ProxyClient client() {
        return client;
    }

    public ProxyConfig config() {
        return config;
    }

    public ProxyApp app() {
        return app;
    }

    @Override
    public void close() {
        app.close();
    }

    public static final class Builder {
        private final List<Map<String, Object>> producers = new ArrayList<>();
        private final List<Map<String, Object>> consumers = new ArrayList<>();
        private final Map<String, String> flags = new LinkedHashMap<>();
        private final List<Map<String, Object>> operators = new ArrayList<>();
        private final List<Map<String, Object>> credentials = new ArrayList<>();
        private final Map<String, Object> monitor = new LinkedHashMap<>();
        private String namesrvAddr;
        private Clock clock = Clock.systemUTC();
        private java.nio.file.Path embeddedDataDir;

        public Builder producer(String name, String topic) {
            producers.add(Map.of("name", name, "topic", topic));
            return this;
        }

        /** A producer with a JSON Schema: a map (inline) or a file path. */
        public Builder producer(String name, String topic, Object schema) {
            producers.add(Map.of("name", name, "topic", topic, "schema", schema));
            return this;
        }

        /** A consumer group; {@code settings} overrides the group defaults (mode, pop, timeouts...). */
        public Builder consumer(String name, String topic, Map<String, Object> settings) {
            Map<String, Object> entry = new LinkedHashMap<>(settings);
            entry.put("name", name);
            entry.put("topic", topic);
            consumers.add(entry);
            return this;
        }

        /** An operator of the control plane, with a bearer token. */
        public Builder operator(String name, String token) {
            operators.add(Map.of("name", name, "token", token));
            return this;
        }

        /** A data client's credential (used when security.requireCredentials is set). */
        public Builder credential(String id, String secret, List<String> producers, List<String> consumers) {
            credentials.add(Map.of("id", id, "secret", secret, "producers", producers, "consumers", consumers));
            return this;
        }

        /** A key of {@code monitor} given in the YAML file, for what flags cannot say (webhooks, groupRules). */
        public Builder monitor(String key, Object value) {
            monitor.put(key, value);
            return this;
        }

        public Builder set(String key, String value) {
            flags.put(key, value);
            return this;
        }

        /** Point at another name server than the shared test broker's (e.g. one that is down). */
        public Builder namesrvAddr(String addr) {
            this.namesrvAddr = addr;
            return this;
        }

        /** Start the proxy's own embedded broker on this data folder (free ports), not the shared one. */
        public Builder embedded(java.nio.file.Path dataDir) {
            this.embeddedDataDir = dataDir;
            return this;
        }

        /**
         * The clock the proxy's time rules read (deadlines, windows, TTLs, rates); e.g. one ahead of time, to
         * find a batch's consumeTimeout passed without waiting for it. Not for an embedded broker's proxy.
         */
        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        public ProxyConfig config() {
            try {
                Map<String, Object> yaml = new LinkedHashMap<>();
                yaml.put("producers", producers);
                yaml.put("consumers", consumers);
                if (!operators.isEmpty()) {
                    yaml.put("admin", Map.of("operators", operators));
                }
                if (!credentials.isEmpty()) {
                    yaml.put("security", Map.of("credentials", credentials));
                }
                if (!monitor.isEmpty()) {
                    yaml.put("monitor", monitor);
                }
                Path file = Files.createTempFile("mqproxy-test", ".yaml");
                new ObjectMapper(new YAMLFactory()).writeValue(file.toFile(), yaml);
                Map<String, String> all = new LinkedHashMap<>();
                all.put("http.host", "127.0.0.1");
                all.put("http.producePort", Integer.toString(FreePorts.any()));
                all.put("http.consumePort", Integer.toString(FreePorts.any()));
                all.put("admin.port", Integer.toString(FreePorts.any()));
                all.put("http.eventLoops", "2");
                // Monitoring starts after two reads of the fleet: 2 s here instead of 10 s.
                all.put("broker.fleetReadSeconds", "1");
                if (embeddedDataDir != null) {
                    all.put("embedded.dataDir", embeddedDataDir.toString());
                    all.put("embedded.namesrvPort", Integer.toString(FreePorts.any()));
                    all.put("embedded.brokerPort", Integer.toString(FreePorts.forBroker()));
                    all.put("embedded.commitLogFileMb", "16");
                } else {
                    all.put("consume.requestIdSecret", SECRET);
                    all.put("broker.namesrvAddr", namesrvAddr != null ? namesrvAddr : TestBroker.get().namesrvAddr());
                }
                all.putAll(flags);
                ProxyConfig config = ConfigLoader.load(file, Map.of(), all, io.mqproxy.broker.FilterExpressions::validate);
                Files.delete(file);
                return config;
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        }

        public TestProxy start() {
            ProxyConfig config = config();
            if (embeddedDataDir != null) {
                return new TestProxy(ProxyApp.start(config), config);
            }
            return new TestProxy(ProxyApp.start(config, config.broker().namesrvAddr(), null, clock), config);
        }
    }
}
