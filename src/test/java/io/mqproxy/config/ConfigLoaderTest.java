package io.mqproxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** File, then environment, then flags; anything unknown or out of range stops start-up, naming its key. */
class ConfigLoaderTest {
    private static final String SECRET = "0123456789abcdef-shared";

    @TempDir
    Path dir;

    private Path yaml(String text) throws IOException {
        Path file = dir.resolve("mqproxy.yaml");
        Files.writeString(file, text);
        return file;
    }

    @Test
    void defaultsAlone_load_inEmbeddedMode() {
        ProxyConfig c = ConfigLoader.load(null, Map.of(), Map.of());
        assertThat(c.http().producePort()).isEqualTo(8082);
        assertThat(c.http().consumePort()).isEqualTo(8081);
        assertThat(c.produce().maxMessageBytes()).isEqualTo(4 * 1024 * 1024);
        assertThat(c.broker().embedded()).isTrue();
        assertThat(c.producers()).extracting(ProxyConfig.Producer::name)
            .contains("mqcloud-http-test-topic-producer");
    }

    /** A crash redelivers what was consumed since the broker last wrote consumer progress: keep it to ~1 s. */
    @Test
    void embeddedBroker_writesConsumerProgressEverySecond_byDefault() {
        ProxyConfig c = ConfigLoader.load(null, Map.of(), Map.of());
        assertThat(c.embedded().flushConsumerOffsetMillis()).isEqualTo(1000);
        ProxyConfig set = ConfigLoader.load(null, Map.of("MQPROXY_EMBEDDED_FLUSH_CONSUMER_OFFSET_MILLIS", "5000"),
            Map.of());
        assertThat(set.embedded().flushConsumerOffsetMillis()).isEqualTo(5000);
    }

    /** Secure by default: the embedded broker takes only the proxy's signed requests unless told otherwise. */
    @Test
    void embeddedAcl_isOnByDefault_andCanBeTurnedOff() {
        assertThat(ConfigLoader.load(null, Map.of(), Map.of()).embedded().acl()).isTrue();
        assertThat(ConfigLoader.load(null, Map.of("MQPROXY_EMBEDDED_ACL", "false"), Map.of()).embedded().acl())
            .isFalse();
        assertThat(ConfigLoader.load(null, Map.of(), Map.of("embedded.acl", "false")).embedded().acl()).isFalse();
    }

    @Test
    void produceCoalesce_isOnByDefault_andCanBeTurnedOff() {
        assertThat(ConfigLoader.load(null, Map.of(), Map.of()).produce().coalesce()).isTrue();
        assertThat(ConfigLoader.load(null, Map.of("MQPROXY_PRODUCE_COALESCE", "false"), Map.of()).produce().coalesce())
            .isFalse();
        assertThat(ConfigLoader.load(null, Map.of(), Map.of("produce.coalesce", "false")).produce().coalesce())
            .isFalse();
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("produce.coalesce", "maybe")))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("coalesce");
    }

    @Test
    void timerFlushMillis_isRocketMQsSecond_byDefault_andOutOfRangeIsRefused_namingTheKey() {
        assertThat(ConfigLoader.load(null, Map.of(), Map.of()).embedded().timerFlushMillis()).isEqualTo(1000);
        assertThat(ConfigLoader.load(null, Map.of("MQPROXY_EMBEDDED_TIMER_FLUSH_MILLIS", "10000"), Map.of())
            .embedded().timerFlushMillis()).isEqualTo(10_000);
        for (String bad : new String[] {"99", "60001"}) {
            assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("embedded.timerFlushMillis", bad)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("embedded.timerFlushMillis")
                .hasMessageContaining("100..60000");
        }
    }

    @Test
    void flushConsumerOffsetMillisOutOfRange_isRefused_namingTheKey() {
        for (String bad : new String[] {"0", "99", "60001"}) {
            assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(),
                Map.of("embedded.flushConsumerOffsetMillis", bad)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("embedded.flushConsumerOffsetMillis")
                .hasMessageContaining("100..60000");
        }
    }

    @Test
    void fleetReadSeconds_defaultsTo5_andOutOfRangeIsRefused_namingTheKey() {
        assertThat(ConfigLoader.load(null, Map.of(), Map.of()).broker().fleetReadSeconds()).isEqualTo(5);
        assertThat(ConfigLoader.load(null, Map.of("MQPROXY_BROKER_FLEET_READ_SECONDS", "2"), Map.of()).broker()
            .fleetReadSeconds()).isEqualTo(2);
        for (String bad : new String[] {"0", "61"}) {
            assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("broker.fleetReadSeconds", bad)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("broker.fleetReadSeconds")
                .hasMessageContaining("1..60");
        }
    }

    @Test
    void unknownKeyInYamlFile_isRefused_namingTheKey() throws IOException {
        Path file = yaml("http:\n  prodcePort: 9000\n");
        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), Map.of()))
            .isInstanceOf(ConfigException.class).hasMessageContaining("http.prodcePort");
    }

    @Test
    void unknownTopLevelKeyInYamlFile_isRefused_namingTheKey() throws IOException {
        Path file = yaml("brokers:\n  namesrvAddr: 10.0.0.1:9876\n");
        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), Map.of()))
            .isInstanceOf(ConfigException.class).hasMessageContaining("brokers");
    }

    @Test
    void unknownKeyInAProducerEntry_isRefused_namingTheEntryAndKey() throws IOException {
        Path file = yaml("producers:\n  - name: p1\n    topic: t1\n  - name: p2\n    tpoic: t2\n");
        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), Map.of()))
            .isInstanceOf(ConfigException.class).hasMessageContaining("producers[1].tpoic");
    }

    @Test
    void unknownFlag_isRefused_namingTheKey() {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("http.producPort", "9000")))
            .isInstanceOf(ConfigException.class).hasMessageContaining("http.producPort");
    }

    @Test
    void unknownMqproxyEnvironmentVariable_isRefused_namingIt() {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("MQPROXY_HTTP_PRODUCE_PROT", "9000"), Map.of()))
            .isInstanceOf(ConfigException.class).hasMessageContaining("MQPROXY_HTTP_PRODUCE_PROT");
    }

    @Test
    void otherEnvironmentVariables_areIgnored() {
        ProxyConfig c = ConfigLoader.load(null, Map.of("PATH", "/usr/bin", "HOME", "/root", "MQPROXYX", "1"),
            Map.of());
        assertThat(c.http().producePort()).isEqualTo(8082);
    }

    /** logback.xml documents MQPROXY_LOG_LEVEL; setting it must not stop the proxy. */
    @Test
    void logLevelEnvironmentVariable_isNotMistakenForAConfigurationKey() {
        ProxyConfig c = ConfigLoader.load(null, Map.of("MQPROXY_LOG_LEVEL", "DEBUG"), Map.of());
        assertThat(c.http().producePort()).isEqualTo(8082);
    }

    @Test
    void environmentVariable_overridesTheFile() throws IOException {
        Path file = yaml("http:\n  producePort: 9001\n  consumePort: 9002\n");
        ProxyConfig c = ConfigLoader.load(file, Map.of("MQPROXY_HTTP_PRODUCE_PORT", "9101"), Map.of());
        assertThat(c.http().producePort()).isEqualTo(9101);
        assertThat(c.http().consumePort()).as("untouched by the environment").isEqualTo(9002);
    }

    @Test
    void flag_overridesEnvironmentAndFile() throws IOException {
        Path file = yaml("http:\n  producePort: 9001\n");
        ProxyConfig c = ConfigLoader.load(file, Map.of("MQPROXY_HTTP_PRODUCE_PORT", "9101"),
            Map.of("http.producePort", "9201"));
        assertThat(c.http().producePort()).isEqualTo(9201);
    }

    @Test
    void camelCaseKeys_mapToUpperSnakeCaseEnvironmentNames() {
        ProxyConfig c = ConfigLoader.load(null, Map.of("MQPROXY_BROKER_SEND_TIMEOUT_MILLIS", "1234",
            "MQPROXY_HTTP_MAX_BODY_BYTES", "65536"), Map.of());
        assertThat(c.broker().sendTimeoutMillis()).isEqualTo(1234);
        assertThat(c.http().maxBodyBytes()).isEqualTo(65536);
    }

    @Test
    void connectionLimits_haveTheirDefaults_andCanBeSet() {
        ProxyConfig defaults = ConfigLoader.load(null, Map.of(), Map.of());
        assertThat(defaults.http().maxBodyBytesInFlight()).isEqualTo(64L * 1024 * 1024);
        assertThat(defaults.http().idleTimeoutSeconds()).isEqualTo(30);
        assertThat(defaults.http().requestBodyTimeoutSeconds()).isEqualTo(30);
        ProxyConfig set = ConfigLoader.load(null, Map.of("MQPROXY_HTTP_IDLE_TIMEOUT_SECONDS", "5"),
            Map.of("http.requestBodyTimeoutSeconds", "7", "http.maxBodyBytesInFlight", "33554432"));
        assertThat(set.http().idleTimeoutSeconds()).isEqualTo(5);
        assertThat(set.http().requestBodyTimeoutSeconds()).isEqualTo(7);
        assertThat(set.http().maxBodyBytesInFlight()).isEqualTo(33554432L);
    }

    @Test
    void threads_haveTheirDefaults_canBeSet_andOutOfRangeIsRefused_namingTheKey() {
        ProxyConfig.Threads defaults = ConfigLoader.load(null, Map.of(), Map.of()).threads();
        assertThat(defaults).isEqualTo(new ProxyConfig.Threads(2, 2, 2, 2, 1, 2));
        assertThat(ConfigLoader.load(null, Map.of("MQPROXY_THREADS_CONTROL", "8"), Map.of()).threads().control())
            .isEqualTo(8);
        for (String key : new String[] {"threads.control", "threads.redrive", "threads.deadLetters",
            "threads.clientDirectory", "threads.routeLookups", "threads.alertWebhooks"}) {
            assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of(key, "0")))
                .isInstanceOf(ConfigException.class).hasMessageContaining(key).hasMessageContaining("1..64");
        }
    }

    @Test
    void connectionLimitsOutOfRange_areRefused_namingTheKey() {
        for (String key : new String[] {"http.idleTimeoutSeconds", "http.requestBodyTimeoutSeconds"}) {
            assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of(key, "0")))
                .isInstanceOf(ConfigException.class).hasMessageContaining(key).hasMessageContaining("1..3600");
            assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of(key, "3601")))
                .isInstanceOf(ConfigException.class).hasMessageContaining(key);
        }
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("http.maxBodyBytesInFlight", "100")))
            .isInstanceOf(ConfigException.class).hasMessageContaining("http.maxBodyBytesInFlight");
    }

    /** A budget smaller than one allowed body would refuse that body forever, at any load. */
    @Test
    void bodyBudgetBelowMaxBodyBytes_isRefused_namingBothKeys() {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(),
            Map.of("http.maxBodyBytes", "2097152", "http.maxBodyBytesInFlight", "1048576")))
            .isInstanceOf(ConfigException.class).hasMessageContaining("http.maxBodyBytesInFlight")
            .hasMessageContaining("http.maxBodyBytes");
    }

    @Test
    void portZero_isRefused_namingTheKey() {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("http.producePort", "0")))
            .isInstanceOf(ConfigException.class).hasMessageContaining("http.producePort").hasMessageContaining("0");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("MQPROXY_ADMIN_PORT", "70000"), Map.of()))
            .isInstanceOf(ConfigException.class).hasMessageContaining("admin.port");
    }

    @Test
    void portNotANumber_isRefused_namingTheKey() {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("http.producePort", "eighty")))
            .isInstanceOf(ConfigException.class).hasMessageContaining("http.producePort");
    }

    @Test
    void samePortTwice_isRefused_namingBothKeys() {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("http.consumePort", "8082")))
            .isInstanceOf(ConfigException.class).hasMessageContaining("http.consumePort")
            .hasMessageContaining("http.producePort");
    }

    @Test
    void maxPullSize129OnAConsumer_isRefused_namingTheEntryAndKey() throws IOException {
        Path file = yaml("consumers:\n  - name: c1\n    topic: t1\n    maxPullSize: 129\n");
        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), Map.of()))
            .isInstanceOf(ConfigException.class).hasMessageContaining("consumers[0].maxPullSize")
            .hasMessageContaining("129");
    }

    @Test
    void maxPullSize129AsTheGroupDefault_isRefused_namingTheDefaultsKey() {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("consume.defaults.maxPullSize", "129")))
            .isInstanceOf(ConfigException.class).hasMessageContaining("consume.defaults.maxPullSize");
    }

    @Test
    void maxPullSize129AsTheGroupDefault_isRefused_evenWithNoConsumers() throws IOException {
        Path file = yaml("consumers: []\nconsume:\n  defaults:\n    maxPullSize: 129\n");
        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), Map.of()))
            .isInstanceOf(ConfigException.class).hasMessageContaining("consume.defaults.maxPullSize");
    }

    @Test
    void maxPullSize128_isAccepted() throws IOException {
        Path file = yaml("consumers:\n  - name: c1\n    topic: t1\n    maxPullSize: 128\n");
        assertThat(ConfigLoader.load(file, Map.of(), Map.of()).consumers().get(0).maxPullSize()).isEqualTo(128);
    }

    @Test
    void consumerEntry_inheritsTheGroupDefaults() throws IOException {
        Path file = yaml("consumers:\n  - name: c1\n    topic: t1\n    pullTimeoutSeconds: 5\n");
        ProxyConfig.Consumer c = ConfigLoader.load(file, Map.of(), Map.of()).consumers().get(0);
        assertThat(c.pullTimeoutSeconds()).isEqualTo(5);
        assertThat(c.maxPullSize()).isEqualTo(32);
        assertThat(c.mode()).isEqualTo(ProxyConfig.ConsumeMode.CLUSTERING);
    }

    @Test
    void requestIdSecret_isRequired_whenNamesrvAddrIsSet() {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("broker.namesrvAddr", "10.0.0.5:9876")))
            .isInstanceOf(ConfigException.class).hasMessageContaining("consume.requestIdSecret");
    }

    @Test
    void requestIdSecret_shorterThan16_isRefused_whenNamesrvAddrIsSet() {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(),
            Map.of("broker.namesrvAddr", "10.0.0.5:9876", "consume.requestIdSecret", "short")))
            .isInstanceOf(ConfigException.class).hasMessageContaining("consume.requestIdSecret");
    }

    @Test
    void requestIdSecret_givenWithNamesrvAddr_loads() {
        ProxyConfig c = ConfigLoader.load(null, Map.of("MQPROXY_CONSUME_REQUEST_ID_SECRET", SECRET),
            Map.of("broker.namesrvAddr", "10.0.0.5:9876;10.0.0.6:9876"));
        assertThat(c.broker().embedded()).isFalse();
        assertThat(c.consume().requestIdSecret()).isEqualTo(SECRET);
    }

    @Test
    void namesrvAddrWithIllegalCharacters_isRefused_namingTheKey() {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(),
            Map.of("broker.namesrvAddr", "http://10.0.0.5:9876/", "consume.requestIdSecret", SECRET)))
            .isInstanceOf(ConfigException.class).hasMessageContaining("broker.namesrvAddr");
    }

    @Test
    void producerWithIllegalName_isRefused_namingTheEntry() throws IOException {
        Path file = yaml("producers:\n  - name: \"bad name\"\n    topic: t1\n");
        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), Map.of()))
            .isInstanceOf(ConfigException.class).hasMessageContaining("producers[0].name");
    }

    @Test
    void producerDeclaredTwice_isRefused_namingTheEntry() throws IOException {
        Path file = yaml("producers:\n  - name: p\n    topic: t1\n  - name: p\n    topic: t2\n");
        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), Map.of()))
            .isInstanceOf(ConfigException.class).hasMessageContaining("producers[1].name");
    }

    @Test
    void maxMessageBytesOver4MiB_isRefused_namingTheKey() {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("produce.maxMessageBytes", "4194305")))
            .isInstanceOf(ConfigException.class).hasMessageContaining("produce.maxMessageBytes");
    }

    @Test
    void missingConfigFile_isRefused_namingTheFile() {
        Path missing = dir.resolve("nope.yaml");
        assertThatThrownBy(() -> ConfigLoader.load(missing, Map.of(), Map.of()))
            .isInstanceOf(ConfigException.class).hasMessageContaining("nope.yaml");
    }

    @Test
    void invalidYaml_isRefused_namingTheFile() throws IOException {
        Path file = yaml("http: [unclosed\n");
        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), Map.of()))
            .isInstanceOf(ConfigException.class).hasMessageContaining("mqproxy.yaml");
    }

    @Test
    void emptyYamlFile_meansDefaults() throws IOException {
        Path file = yaml("");
        assertThat(ConfigLoader.load(file, Map.of(), Map.of()).http().producePort()).isEqualTo(8082);
    }

    @Test
    void theRequestIdSecret_neverAppearsInPrintedConfiguration() {
        ProxyConfig c = ConfigLoader.load(null, Map.of(), Map.of("consume.requestIdSecret", SECRET));
        assertThat(c.consume().requestIdSecret()).isEqualTo(SECRET);
        assertThat(c.toString()).doesNotContain(SECRET).contains("requestIdSecret=***");
    }

    @Test
    void anUnknownFlag_isNamed_butItsValueIsNotEchoed() {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("consume.requestIdSecre", SECRET)))
            .isInstanceOf(ConfigException.class).hasMessageContaining("consume.requestIdSecre")
            .message().doesNotContain(SECRET);
    }

    @Test
    void operatorTokens_comeFromTheFileOrTheEnvironment_andNeverPrint() throws IOException {
        Path file = yaml("admin:\n  operators:\n    - {name: alice, token: alice-token-0123456789}\n"
            + "    - {name: bob, tokenEnv: BOB_TOKEN}\n");
        ProxyConfig c = ConfigLoader.load(file, Map.of("BOB_TOKEN", "bob-token-0123456789ab"), Map.of());
        assertThat(c.admin().operators()).extracting(ProxyConfig.Operator::token)
            .containsExactly("alice-token-0123456789", "bob-token-0123456789ab");
        assertThat(c.toString()).doesNotContain("alice-token").doesNotContain("bob-token");
    }

    @Test
    void anOperatorTokenVariableThatIsNotSet_stopsStartUp_namingTheKey() throws IOException {
        Path file = yaml("admin:\n  operators:\n    - {name: bob, tokenEnv: BOB_TOKEN}\n");
        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), Map.of()))
            .isInstanceOf(ConfigException.class).hasMessageContaining("admin.operators[0].tokenEnv")
            .hasMessageContaining("BOB_TOKEN");
    }

    @Test
    void aShortOperatorToken_isRefused() throws IOException {
        Path file = yaml("admin:\n  operators:\n    - {name: alice, token: short}\n");
        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), Map.of()))
            .isInstanceOf(ConfigException.class).hasMessageContaining("admin.operators[0].token");
    }

    @Test
    void consumeTimeoutCap_resolvesByMode_andMustCoverTheDefault() throws IOException {
        ProxyConfig c = ConfigLoader.load(yaml("consumers:\n  - {name: held, topic: t}\n"
            + "  - {name: pop, topic: t, pop: true}\n  - {name: set, topic: t, maxConsumeTimeoutSeconds: 600}\n"),
            Map.of(), Map.of());
        assertThat(c.consumers()).extracting(ProxyConfig.Consumer::consumeTimeoutCap).containsExactly(3600, 129600, 600);
        Path tooLow = yaml("consumers:\n  - {name: g, topic: t, consumeTimeoutSeconds: 300, maxConsumeTimeoutSeconds: 60}\n");
        assertThatThrownBy(() -> ConfigLoader.load(tooLow, Map.of(), Map.of()))
            .isInstanceOf(ConfigException.class).hasMessageContaining("consumers[0].maxConsumeTimeoutSeconds");
        Path heldLong = yaml("consumers:\n  - {name: g, topic: t, consumeTimeoutSeconds: 7200}\n");
        assertThatThrownBy(() -> ConfigLoader.load(heldLong, Map.of(), Map.of()))
            .isInstanceOf(ConfigException.class).hasMessageContaining("consumers[0].maxConsumeTimeoutSeconds");
    }

    @Test
    void monitor_hasItsDefaults_andAlertRulesAreOffByDefault() {
        ProxyConfig.Monitor m = ConfigLoader.load(null, Map.of(), Map.of()).monitor();
        assertThat(m.enabled()).isTrue();
        assertThat(m.intervalSeconds()).isEqualTo(15);
        assertThat(m.maxClientIdSeries()).isEqualTo(10);
        assertThat(m.rules()).isEqualTo(new ProxyConfig.AlertRules(0, 0, 0, 0, 300));
        assertThat(m.webhooks()).isEmpty();
    }

    @Test
    void monitorKeys_comeFromEnvironmentAndFlags() {
        ProxyConfig.Monitor m = ConfigLoader.load(null, Map.of("MQPROXY_MONITOR_RULES_BACKLOG", "1000"),
            Map.of("monitor.intervalSeconds", "5")).monitor();
        assertThat(m.rules().backlog()).isEqualTo(1000);
        assertThat(m.intervalSeconds()).isEqualTo(5);
    }

    @Test
    void monitorValuesOutOfRange_areRefused_namingTheKey() throws IOException {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("monitor.intervalSeconds", "0")))
            .isInstanceOf(ConfigException.class).hasMessageContaining("monitor.intervalSeconds");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("monitor.rules.stuckSeconds", "-1")))
            .isInstanceOf(ConfigException.class).hasMessageContaining("monitor.rules.stuckSeconds");
        Path file = yaml("monitor:\n  groupRules:\n    - {group: a, backlog: 5}\n"
            + "    - {group: a, oldestAgeSeconds: 5}\n");
        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), Map.of()))
            .isInstanceOf(ConfigException.class).hasMessageContaining("monitor.groupRules[1].group");
        Path typo = yaml("monitor:\n  groupRules:\n    - {group: a, backlg: 5}\n");
        assertThatThrownBy(() -> ConfigLoader.load(typo, Map.of(), Map.of()))
            .isInstanceOf(ConfigException.class).hasMessageContaining("backlg");
    }

    @Test
    void webhooks_needAnHttpUrlAndASecret_fromTheFileOrTheEnvironment_neverPrinted() throws IOException {
        Path noSecret = yaml("monitor:\n  webhooks:\n    - {url: 'https://hooks.example/mq'}\n");
        assertThatThrownBy(() -> ConfigLoader.load(noSecret, Map.of(), Map.of()))
            .isInstanceOf(ConfigException.class).hasMessageContaining("monitor.webhooks[0].secret");
        Path badUrl = yaml("monitor:\n  webhooks:\n    - {url: 'ftp://hooks.example', secret: 0123456789abcdefgh}\n");
        assertThatThrownBy(() -> ConfigLoader.load(badUrl, Map.of(), Map.of()))
            .isInstanceOf(ConfigException.class).hasMessageContaining("monitor.webhooks[0].url");
        Path fromEnv = yaml("monitor:\n  webhooks:\n    - {url: 'https://hooks.example/mq', secretEnv: HOOK_SECRET}\n");
        assertThatThrownBy(() -> ConfigLoader.load(fromEnv, Map.of(), Map.of()))
            .isInstanceOf(ConfigException.class).hasMessageContaining("monitor.webhooks[0].secretEnv");
        ProxyConfig c = ConfigLoader.load(fromEnv, Map.of("HOOK_SECRET", "the-hook-secret-0123"), Map.of());
        assertThat(c.monitor().webhooks().get(0).secret()).isEqualTo("the-hook-secret-0123");
        assertThat(c.toString()).doesNotContain("the-hook-secret-0123");
    }

    // Security (issue 11): TLS on the listeners, credentials and TLS to the cluster.

    private static final Map<String, String> EXTERNAL =
        Map.of("broker.namesrvAddr", "10.0.0.5:9876", "consume.requestIdSecret", SECRET);

    private static Map<String, String> external(String... keyValues) {
        Map<String, String> flags = new java.util.LinkedHashMap<>(EXTERNAL);
        for (int i = 0; i < keyValues.length; i += 2) {
            flags.put(keyValues[i], keyValues[i + 1]);
        }
        return flags;
    }

    @Test
    void securityIsOffByDefault() {
        ProxyConfig c = ConfigLoader.load(null, Map.of(), Map.of());
        assertThat(c.http().tls().enabled()).isFalse();
        assertThat(c.admin().tls()).isFalse();
        assertThat(c.broker().signed()).isFalse();
        assertThat(c.broker().tls().enabled()).isFalse();
    }

    @Test
    void listenerTls_needsReadablePemFiles_namingTheKey() throws IOException {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("http.tls.enabled", "true")))
            .isInstanceOf(ConfigException.class).hasMessageContaining("http.tls.certFile");
        Path cert = Files.writeString(dir.resolve("cert.pem"), "x");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("http.tls.enabled", "true",
                "http.tls.certFile", cert.toString(), "http.tls.keyFile", dir.resolve("absent.pem").toString())))
            .isInstanceOf(ConfigException.class).hasMessageContaining("http.tls.keyFile").hasMessageContaining("not found");
        ProxyConfig c = ConfigLoader.load(null, Map.of(), Map.of("http.tls.enabled", "true",
            "http.tls.certFile", cert.toString(), "http.tls.keyFile", cert.toString(), "admin.tls", "true"));
        assertThat(c.http().tls().certFile()).isEqualTo(cert.toString());
        assertThat(c.admin().tls()).isTrue();
    }

    @Test
    void adminTls_withoutListenerTls_isRefused() {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("admin.tls", "true")))
            .isInstanceOf(ConfigException.class).hasMessageContaining("admin.tls");
    }

    @Test
    void brokerCredentials_comeInPairs_andOnlyForAnExternalCluster() {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), external("broker.accessKey", "proxy")))
            .isInstanceOf(ConfigException.class).hasMessageContaining("broker.secretKey");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), external("broker.secretKey", "s3cret")))
            .isInstanceOf(ConfigException.class).hasMessageContaining("broker.accessKey");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(),
                Map.of("broker.accessKey", "proxy", "broker.secretKey", "s3cret")))
            .isInstanceOf(ConfigException.class).hasMessageContaining("broker.accessKey")
            .hasMessageContaining("external cluster");
        ProxyConfig c = ConfigLoader.load(null, Map.of(), external("broker.accessKey", "proxy",
            "broker.secretKey", "s3cret-value"));
        assertThat(c.broker().signed()).isTrue();
        assertThat(c.broker().toString()).contains("accessKey=proxy").doesNotContain("s3cret-value");
    }

    @Test
    void brokerSecretFromTheEnvironment_isResolved_orStopsStartUpNamingTheKey() {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), external("broker.accessKey", "proxy",
                "broker.secretKeyEnv", "PROXY_SECRET")))
            .isInstanceOf(ConfigException.class).hasMessageContaining("broker.secretKeyEnv")
            .hasMessageContaining("PROXY_SECRET");
        ProxyConfig c = ConfigLoader.load(null, Map.of("PROXY_SECRET", "from-env"), external(
            "broker.accessKey", "proxy", "broker.secretKeyEnv", "PROXY_SECRET"));
        assertThat(c.broker().secretKey()).isEqualTo("from-env");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("PROXY_SECRET", "from-env"), external(
                "broker.accessKey", "proxy", "broker.secretKey", "inline", "broker.secretKeyEnv", "PROXY_SECRET")))
            .isInstanceOf(ConfigException.class).hasMessageContaining("broker.secretKey");
        ProxyConfig viaEnv = ConfigLoader.load(null, Map.of("MQPROXY_BROKER_ACCESS_KEY", "proxy",
            "MQPROXY_BROKER_SECRET_KEY", "env-secret"), EXTERNAL);
        assertThat(viaEnv.broker().accessKey()).isEqualTo("proxy");
    }

    @Test
    void brokerTls_filesMustBeThere_andAClientCertificateNeedsItsKey() throws IOException {
        Path pem = Files.writeString(dir.resolve("ca.pem"), "x");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), external("broker.tls.trustCertFile", pem.toString())))
            .isInstanceOf(ConfigException.class).hasMessageContaining("broker.tls.enabled");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), external("broker.tls.enabled", "true",
                "broker.tls.trustCertFile", dir.resolve("none.pem").toString())))
            .isInstanceOf(ConfigException.class).hasMessageContaining("broker.tls.trustCertFile");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), external("broker.tls.enabled", "true",
                "broker.tls.certFile", pem.toString())))
            .isInstanceOf(ConfigException.class).hasMessageContaining("broker.tls.keyFile");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("broker.tls.enabled", "true")))
            .isInstanceOf(ConfigException.class).hasMessageContaining("broker.tls.enabled");
        ProxyConfig c = ConfigLoader.load(null, Map.of(), external("broker.tls.enabled", "true",
            "broker.tls.trustCertFile", pem.toString()));
        assertThat(c.broker().tls().enabled()).isTrue();
    }

    @Test
    void anEmptyTlsSection_isRefused_namingIt() throws IOException {
        Path file = yaml("broker:\n  tls:\n");
        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), Map.of()))
            .isInstanceOf(ConfigException.class).hasMessageContaining("broker.tls");
    }
}
